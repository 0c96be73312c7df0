package io.alstream.connectors.registry;

/** A (subject, version) pair under which one schema id is registered: GET /schemas/ids/{id}/versions. */
public record SubjectVersion(String subject, int version) {
}
