package io.alstream.connectors.broker.http;

/** An HTTP error with its status and, where there is one, a machine-readable reason. */
final class ApiException extends RuntimeException {
    final int status;
    final String reason;

    ApiException(int status, String message, String reason) {
        super(message);
        this.status = status;
        this.reason = reason;
    }

    ApiException(int status, String message) {
        this(status, message, null);
    }
}
