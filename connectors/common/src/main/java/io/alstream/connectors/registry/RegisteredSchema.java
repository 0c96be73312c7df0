package io.alstream.connectors.registry;

import java.util.Objects;

import org.apache.avro.Schema;

/** One version of a subject: the answer of GET /subjects/{s}/versions/{v} and POST /subjects/{s}. */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
