package io.alstream.connectors.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that are not a decodable Confluent-wire Avro record. Permanent: the same bytes fail the same way
 * every time, so the record belongs in the dead-letter topic with {@link #code()} as its reason.
 * (A registry that cannot be reached is not this: see
 * {@link io.alstream.connectors.registry.RegistryUnavailableException}, which is transient.)
 */
public class WireFormatException extends SerializationException {
    private static final long serialVersionUID = 1L;

    /** Why the bytes were rejected; {@link #code()} is the short code for the dead-letter record. */
    public enum Reason {
        /** Fewer than the 5 header bytes (or no bytes at all). */
        TOO_SHORT("too-short"),
        /** First byte is not 0. */
        BAD_MAGIC_BYTE("bad-magic-byte"),
        /** The registry has no schema with the id in bytes 1-4. */
        UNKNOWN_SCHEMA_ID("unknown-schema-id"),
        /** The writer schema cannot be resolved to the reader schema (Avro schema resolution). */
        INCOMPATIBLE_SCHEMA("incompatible-schema"),
        /** The payload does not parse under its writer schema, or leaves bytes over. */
        UNDECODABLE("undecodable");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;
    private final int schemaId;

    public WireFormatException(Reason reason, int schemaId, String message, Throwable cause) {
        super(reason.code() + ": " + message, cause);
        this.reason = reason;
        this.schemaId = schemaId;
    }

    public Reason reason() {
        return reason;
    }

    /** The short reason code: {@code too-short}, {@code bad-magic-byte}, {@code unknown-schema-id}, ... */
    public String code() {
        return reason.code();
    }

    /** The schema id the bytes named, -1 when they did not get that far. */
    public int schemaId() {
        return schemaId;
    }
}
