package io.alstream.connectors.broker.aggregation;

/** One worker's answer as the aggregators see it: who answered, and which class. */
public record Vote(String workerId, int label) {
}
