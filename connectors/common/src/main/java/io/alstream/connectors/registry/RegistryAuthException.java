package io.alstream.connectors.registry;

/** The registry refused the credentials (HTTP 401) or the operation (403). Not retried: fix the configuration. */
public class RegistryAuthException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryAuthException(int httpStatus, int errorCode, String message) {
        super(httpStatus, errorCode, message);
    }
}
