package io.alstream.connectors.registry;

/**
 * The {@code error_code} values of the Confluent Schema Registry REST API, shared by our client and
 * server so both read the same number the same way. A plain HTTP status stands as the code where the
 * API has no finer one (401, 404, 409, ...).
 */
public final class ErrorCodes {
    public static final int UNAUTHORIZED = 401;
    public static final int FORBIDDEN = 403;
    public static final int NOT_FOUND = 404;
    public static final int METHOD_NOT_ALLOWED = 405;
    /** The schema breaks the subject's compatibility rule. */
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int BAD_REQUEST = 400;
    public static final int UNSUPPORTED_MEDIA_TYPE = 415;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_SOFT_DELETED = 40404;
    public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    public static final int SCHEMA_VERSION_SOFT_DELETED = 40406;
    public static final int SCHEMA_VERSION_NOT_SOFT_DELETED = 40407;
    public static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;

    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

    public static final int STORE_ERROR = 50001;
    public static final int OPERATION_TIMEOUT = 50002;

    private ErrorCodes() {
    }
}
