package io.alstream.flink.records;

/** A validated ConsolidatedLabel on its way to the trainer. {@code label == null}: closed unlabelled. */
public class LabelRecord {
    public String eventId;
    public String requestId;
    public Integer label;
    public double confidence;
    public int numAnswers;
    public String method;
    public float[] features;
    public Long modelVersion;
    public Long requestedAt;
    public long labelledAt;
    public String closeReason;

    public LabelRecord() {
    }

    public boolean isLabelled() {
        return label != null;
    }
}
