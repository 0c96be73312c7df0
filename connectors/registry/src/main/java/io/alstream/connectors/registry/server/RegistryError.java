package io.alstream.connectors.registry.server;

import io.alstream.connectors.registry.ErrorCodes;

/** An error answer of the registry: HTTP status, Confluent error code and a message for the operator. */
final class RegistryError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final int code;

    RegistryError(int status, int code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    static RegistryError subjectNotFound(String subject) {
        return new RegistryError(404, ErrorCodes.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    static RegistryError versionNotFound(String subject, Object version) {
        return new RegistryError(404, ErrorCodes.VERSION_NOT_FOUND, "Version " + version + " not found for subject '" + subject + "'.");
    }

    static RegistryError schemaNotFound(String what) {
        return new RegistryError(404, ErrorCodes.SCHEMA_NOT_FOUND, "Schema " + what + " not found.");
    }

    static RegistryError invalidSchema(String why) {
        return new RegistryError(422, ErrorCodes.INVALID_SCHEMA, "Invalid schema: " + why);
    }

    static RegistryError badRequest(String why) {
        return new RegistryError(400, ErrorCodes.BAD_REQUEST, why);
    }

    static RegistryError storeError(String why, Throwable cause) {
        RegistryError e = new RegistryError(500, ErrorCodes.STORE_ERROR, "Error in the backend data store: " + why);
        e.initCause(cause);
        return e;
    }
}
