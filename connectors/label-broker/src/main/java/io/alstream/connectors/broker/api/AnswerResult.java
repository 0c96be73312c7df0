package io.alstream.connectors.broker.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The outcome of a submitted answer. {@code status} is {@code accepted}, {@code rejected} (with
 * {@code reason}, one of the reject codes: duplicate-answer, request-closed, lease-expired, ...), or
 * {@code pending} when the broker had not ruled within its timeout (the answer was written and will be
 * judged; the worker's stats tell later).
 */
public class AnswerResult {
    public String status;
    public String requestId;
    public String reason;
    public String message;
    /** The HTTP status this result came with (not part of the JSON). */
    @JsonIgnore
    public int httpStatus;

    @JsonIgnore
    public boolean accepted() {
        return "accepted".equals(status);
    }

    @JsonIgnore
    public boolean rejected() {
        return "rejected".equals(status);
    }

    @Override
    public String toString() {
        return status + (reason != null ? " (" + reason + ")" : "") + " " + requestId;
    }
}
