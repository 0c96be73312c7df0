package io.alstream.connectors.registry.server;

/**
 * One version of one subject as the schemas topic holds it. {@code schema} is Avro's canonical text of
 * the schema (whitespace-free {@code Schema.toString()}), the form every comparison uses.
 */
record StoredVersion(String subject, int version, int id, String schema, boolean deleted) {
    StoredVersion asDeleted() {
        return new StoredVersion(subject, version, id, schema, true);
    }
}
