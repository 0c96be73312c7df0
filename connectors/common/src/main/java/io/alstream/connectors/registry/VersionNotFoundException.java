package io.alstream.connectors.registry;

/** The subject exists but not at that version. */
public class VersionNotFoundException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public VersionNotFoundException(int httpStatus, String message) {
        super(httpStatus, ErrorCodes.VERSION_NOT_FOUND, message);
    }
}
