package io.alstream.connectors.broker.state;

/** An accepted answer, as kept with its open request. */
public final class AnswerEntry {
    private String workerId;
    private int label;
    private Double confidence;
    private long answeredAt;

    private AnswerEntry() {
    }

    public AnswerEntry(String workerId, int label, Double confidence, long answeredAt) {
        this.workerId = workerId;
        this.label = label;
        this.confidence = confidence;
        this.answeredAt = answeredAt;
    }

    public String workerId() {
        return workerId;
    }

    public int label() {
        return label;
    }

    public Double confidence() {
        return confidence;
    }

    public long answeredAt() {
        return answeredAt;
    }
}
