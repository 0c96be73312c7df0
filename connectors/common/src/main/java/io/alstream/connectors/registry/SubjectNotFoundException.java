package io.alstream.connectors.registry;

/** The subject has no (live) versions, or does not exist. */
public class SubjectNotFoundException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SubjectNotFoundException(int httpStatus, String message) {
        super(httpStatus, ErrorCodes.SUBJECT_NOT_FOUND, message);
    }
}
