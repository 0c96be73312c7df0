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
    UNDECODABLE("undecodable", 400);

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

    public static RejectReason ofCode(String code) {
        for (RejectReason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reject reason " + code);
    }
}
