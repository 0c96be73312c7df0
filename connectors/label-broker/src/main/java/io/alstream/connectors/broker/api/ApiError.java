package io.alstream.connectors.broker.api;

/** Every error the worker API sends: {@code {"error": "...", "code": 409, "reason": "duplicate-answer"}}. */
public class ApiError {
    public String error;
    public int code;
    /** Machine-readable cause where there is one (the reject codes), else absent. */
    public String reason;

    public ApiError() {
    }

    public ApiError(String error, int code, String reason) {
        this.error = error;
        this.code = code;
        this.reason = reason;
    }
}
