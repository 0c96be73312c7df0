package io.alstream.flink.records;

/**
 * A model version on its way from the trainer to every scoring task: the learner's snapshot as bytes,
 * so Flink moves it as one array and each scorer decodes it once per version.
 */
public class ModelBroadcast {
    public long version;
    /** False until the network has been trained on the warm-up labels; scores mean nothing before. */
    public boolean warm;
    public byte[] snapshot;
    public long createdAt;

    public ModelBroadcast() {
    }

    public ModelBroadcast(long version, boolean warm, byte[] snapshot, long createdAt) {
        this.version = version;
        this.warm = warm;
        this.snapshot = snapshot;
        this.createdAt = createdAt;
    }
}
