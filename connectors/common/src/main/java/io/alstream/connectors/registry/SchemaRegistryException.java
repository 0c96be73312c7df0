package io.alstream.connectors.registry;

/**
 * A schema registry answered with an error, or could not be reached. Carries the HTTP status and the
 * Confluent {@code error_code} (see {@link ErrorCodes}); both are -1 when no answer came back.
 * Subclasses name the cases callers act on.
 */
public class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        this(httpStatus, errorCode, message, null);
    }

    public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** HTTP status of the answer, -1 when there was none. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent error code of the answer ({@link ErrorCodes}), -1 when there was none. */
    public int errorCode() {
        return errorCode;
    }

    /** Maps an error answer to the most specific exception type. */
    public static SchemaRegistryException of(int httpStatus, int errorCode, String message) {
        switch (errorCode) {
            case ErrorCodes.SUBJECT_NOT_FOUND:
                return new SubjectNotFoundException(httpStatus, message);
            case ErrorCodes.VERSION_NOT_FOUND:
                return new VersionNotFoundException(httpStatus, message);
            case ErrorCodes.SCHEMA_NOT_FOUND:
                return new SchemaNotFoundException(httpStatus, message);
            case ErrorCodes.INCOMPATIBLE_SCHEMA:
                return new IncompatibleSchemaException(httpStatus, message);
            case ErrorCodes.INVALID_SCHEMA:
                return new InvalidSchemaException(httpStatus, message);
            default:
                break;
        }
        if (httpStatus == 401 || httpStatus == 403) {
            return new RegistryAuthException(httpStatus, errorCode, message);
        }
        return new SchemaRegistryException(httpStatus, errorCode, message);
    }
}
