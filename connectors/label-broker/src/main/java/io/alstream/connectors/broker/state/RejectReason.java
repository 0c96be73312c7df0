package io.alstream.connectors.broker.state;

/**
 * Why input was refused. {@link #code()} is the DeadLetter errorClass, the HTTP error's reason and
 * the metric label; {@link #httpStatus()} is what the worker API answers.
 */
public enum RejectReason {
    UNKNOWN_REQUEST("unknown-request", 404),
    REQUEST_CLOSED("request-closed", 409),
    LABEL_OUT_OF_RANGE("label-out-of-range", 422),
    DUPLICATE_ANSWER("duplicate-answer", 409),
    LEASE_EXPIRED("lease-expired", 410),
    LEASE_RELEASED("lease-released", 409),
    NO_LEASE("no-lease", 409),
    EVENT_MISMATCH("event-mismatch", 422),
    INVALID_REQUEST("invalid-request", 422),
    UNDECODABLE("undecodable", 400),
    // The wire-format codes of io.alstream.connectors.serde.WireFormatException and the job's own
    // (flink-job DeadLetterRecord.Reasons): the broker's dead letters use the same words as the job's.
    TOO_SHORT("too-short", 400),
    BAD_MAGIC_BYTE("bad-magic-byte", 400),
    UNKNOWN_SCHEMA_ID("unknown-schema-id", 400),
    INCOMPATIBLE_SCHEMA("incompatible-schema", 400),
    NULL_VALUE("null-value", 400),
    MISSING_ID("missing-id", 422),
    // The bounds of io.alstream.connectors.limits.InputLimits, shared with the job.
    ID_TOO_LONG("id-too-long", 400),
    INVALID_ID("invalid-id", 400),
    FIELD_TOO_LONG("field-too-long", 400),
    OUT_OF_RANGE("out-of-range", 422),
    TOO_LARGE("too-large", 413);

    private final String code;
    private final int httpStatus;

    RejectReason(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The reason for bytes the wire-format codec refused. */
    public static RejectReason of(io.alstream.connectors.serde.WireFormatException.Reason wire) {
        return switch (wire) {
            case TOO_SHORT -> TOO_SHORT;
            case BAD_MAGIC_BYTE -> BAD_MAGIC_BYTE;
            case UNKNOWN_SCHEMA_ID -> UNKNOWN_SCHEMA_ID;
            case INCOMPATIBLE_SCHEMA -> INCOMPATIBLE_SCHEMA;
            case UNDECODABLE -> UNDECODABLE;
        };
    }

    public static RejectReason ofCode(String code) {
        for (RejectReason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reject reason " + code);
    }
}
