package io.alstream.connectors.registry;

/**
 * The registry could not be reached, timed out, or kept answering with a server error (5xx) after every
 * retry. Transient by nature: the caller should retry later (a record that needs the registry to decode
 * is not bad data and must not be dead-lettered for this).
 */
public class RegistryUnavailableException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(httpStatus, errorCode, message, cause);
    }
}
