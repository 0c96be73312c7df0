package io.alstream.flink.records;

/**
 * What reaches the trainer: a consolidated label to fold (or a request closed unlabelled), or a label
 * request just sent (read back from the label-requests topic) to hold as a pending entry.
 */
public class TrainerInput {
    public enum Kind { LABEL, PENDING }

    public Kind kind;
    public String eventId;
    public float[] features;
    /** LABEL only: the class, or null when the request closed unlabelled. */
    public Integer label;
    public String closeReason;
    /** LABEL: when the label request was created, for label latency; PENDING: request creation time. */
    public Long requestedAt;
    public long at;
    /** PENDING: the requesting shard's key and budget counts, when the request carried them. */
    public Integer shard;
    public Long shardEventsSeen;
    public Long shardLabelsRequested;

    public TrainerInput() {
    }

    public static TrainerInput label(LabelRecord l) {
        TrainerInput t = new TrainerInput();
        t.kind = Kind.LABEL;
        t.eventId = l.eventId;
        t.features = l.features;
        t.label = l.label;
        t.closeReason = l.closeReason;
        t.requestedAt = l.requestedAt;
        t.at = l.labelledAt;
        return t;
    }

    public static TrainerInput pending(String eventId, float[] features, long createdAt) {
        TrainerInput t = new TrainerInput();
        t.kind = Kind.PENDING;
        t.eventId = eventId;
        t.features = features;
        t.requestedAt = createdAt;
        t.at = createdAt;
        return t;
    }
}
