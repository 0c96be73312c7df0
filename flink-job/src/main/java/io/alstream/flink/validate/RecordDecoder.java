package io.alstream.flink.validate;

import java.io.Serializable;

/**
 * Turns a record's value bytes into a typed record. A record that can never be decoded throws
 * {@link DecodeFailure} with a short reason code (it goes to the dead-letter topic); anything else
 * thrown (the registry unreachable, say) is transient and fails the task, which restarts from the last
 * checkpoint without losing the record.
 */
public interface RecordDecoder<T> extends Serializable {
    /** Called once per task before the first decode (create clients here, not in the constructor). */
    void open() throws Exception;

    T decode(String topic, byte[] value) throws DecodeFailure;

    /** A record that cannot be decoded, ever. */
    final class DecodeFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        public DecodeFailure(String reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        /** Short code for the dead-letter record, e.g. {@code unknown-schema-id}. */
        public String reason() {
            return reason;
        }
    }
}
