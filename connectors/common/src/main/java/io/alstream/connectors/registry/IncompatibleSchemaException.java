package io.alstream.connectors.registry;

/** The schema breaks the subject's compatibility rule (HTTP 409). */
public class IncompatibleSchemaException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public IncompatibleSchemaException(int httpStatus, String message) {
        super(httpStatus, ErrorCodes.INCOMPATIBLE_SCHEMA, message);
    }
}
