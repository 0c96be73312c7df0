package io.alstream.flink.records;

/** An input that was rejected, with the reason; written to the dead-letter topic as DeadLetter. */
public class DeadLetterRecord {
    public String sourceTopic;
    public int partition;
    public long offset;
    public byte[] key;
    public byte[] value;
    /** Short reason code, e.g. {@code wrong-dimension}; see {@link Reasons}. */
    public String errorClass;
    public String errorMessage;
    public String stage;
    public long failedAt;

    public DeadLetterRecord() {
    }

    /**
     * The most of the rejected value a dead letter copies. An input near the topic's record limit (1 MB by default)
     * copied whole, plus its key twice and the reason, made a dead letter the sink could not write: the exactly-once
     * sink failed the job, which replayed into the same record. Source topic, partition and offset point at the
     * original.
     */
    public static final int MAX_VALUE_BYTES = 256 * 1024;
    /** The most of the rejected key a dead letter copies (it is written twice: as the record's key and inside it). */
    public static final int MAX_KEY_BYTES = 1024;
    /** The longest reason message kept, in characters. */
    public static final int MAX_MESSAGE_CHARS = 4096;

    public static DeadLetterRecord of(RawRecord raw, String reason, String message, String stage, long now) {
        DeadLetterRecord d = new DeadLetterRecord();
        d.sourceTopic = raw.topic;
        d.partition = raw.partition;
        d.offset = raw.offset;
        d.key = truncate(raw.key, MAX_KEY_BYTES);
        d.value = truncate(raw.value, MAX_VALUE_BYTES);
        String note = "";
        if (raw.value != null && raw.value.length > MAX_VALUE_BYTES) {
            note += "; value truncated from " + raw.value.length + " to " + MAX_VALUE_BYTES + " bytes";
        }
        if (raw.key != null && raw.key.length > MAX_KEY_BYTES) {
            note += "; key truncated from " + raw.key.length + " to " + MAX_KEY_BYTES + " bytes";
        }
        String m = message == null ? "" : message;
        if (m.length() + note.length() > MAX_MESSAGE_CHARS) {
            m = m.substring(0, Math.max(0, MAX_MESSAGE_CHARS - note.length() - 3)) + "...";
        }
        d.errorClass = reason;
        d.errorMessage = m + note;
        d.stage = stage;
        d.failedAt = now;
        return d;
    }

    private static byte[] truncate(byte[] b, int max) {
        return b == null || b.length <= max ? b : java.util.Arrays.copyOf(b, max);
    }

    /** The reason codes the job writes. Wire-format codes come from the codec and pass through. */
    public static final class Reasons {
        public static final String WRONG_DIMENSION = "wrong-dimension";
        public static final String NON_FINITE = "non-finite";
        public static final String MISSING_ID = "missing-id";
        public static final String ID_TOO_LONG = io.alstream.connectors.limits.InputLimits.ID_TOO_LONG;
        /** An id holding a control, bidirectional-control or malformed character (see InputLimits). */
        public static final String INVALID_ID = io.alstream.connectors.limits.InputLimits.INVALID_ID;
        /** A string or collection field over its documented bound (see InputLimits). */
        public static final String FIELD_TOO_LONG = io.alstream.connectors.limits.InputLimits.FIELD_TOO_LONG;
        /** A number outside its documented range (confidence, numClasses). */
        public static final String OUT_OF_RANGE = io.alstream.connectors.limits.InputLimits.OUT_OF_RANGE;
        public static final String UNKNOWN_LABEL = "unknown-label";
        public static final String NULL_VALUE = "null-value";

        private Reasons() {
        }
    }
}
