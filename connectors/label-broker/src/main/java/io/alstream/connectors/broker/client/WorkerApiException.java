package io.alstream.connectors.broker.client;

/** An error answer of the worker API that the client does not turn into a result. */
public final class WorkerApiException extends RuntimeException {
    private final int status;
    private final String reason;

    public WorkerApiException(int status, String reason, String message) {
        super(status + (reason != null ? " " + reason : "") + ": " + message);
        this.status = status;
        this.reason = reason;
    }

    /** HTTP status; 0 when the broker could not be reached. */
    public int status() {
        return status;
    }

    /** The error's machine-readable reason, or null. */
    public String reason() {
        return reason;
    }
}
