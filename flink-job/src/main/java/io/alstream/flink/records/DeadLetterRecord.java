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

    public static DeadLetterRecord of(RawRecord raw, String reason, String message, String stage, long now) {
        DeadLetterRecord d = new DeadLetterRecord();
        d.sourceTopic = raw.topic;
        d.partition = raw.partition;
        d.offset = raw.offset;
        d.key = raw.key;
        d.value = raw.value;
        d.errorClass = reason;
        d.errorMessage = message;
        d.stage = stage;
        d.failedAt = now;
        return d;
    }

    /** The reason codes the job writes. Wire-format codes come from the codec and pass through. */
    public static final class Reasons {
        public static final String WRONG_DIMENSION = "wrong-dimension";
        public static final String NON_FINITE = "non-finite";
        public static final String MISSING_ID = "missing-id";
        public static final String ID_TOO_LONG = "id-too-long";
        public static final String UNKNOWN_LABEL = "unknown-label";
        public static final String NULL_VALUE = "null-value";

        private Reasons() {
        }
    }
}
