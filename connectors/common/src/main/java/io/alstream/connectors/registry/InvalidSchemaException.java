package io.alstream.connectors.registry;

/** The registry could not accept the schema as Avro (error 42201). */
public class InvalidSchemaException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public InvalidSchemaException(int httpStatus, String message) {
        super(httpStatus, ErrorCodes.INVALID_SCHEMA, message);
    }
}
