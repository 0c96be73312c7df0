package io.alstream.connectors.registry;

/** No schema under that id, or the schema is not registered under the subject. */
public class SchemaNotFoundException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaNotFoundException(int httpStatus, String message) {
        super(httpStatus, ErrorCodes.SCHEMA_NOT_FOUND, message);
    }
}
