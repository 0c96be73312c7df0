package io.alstream.connectors.broker.state;

/** A refused input: the reason and a message a person can act on. */
public record Rejection(RejectReason reason, String message) {
}
