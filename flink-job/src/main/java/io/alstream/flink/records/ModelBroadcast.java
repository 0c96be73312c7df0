package io.alstream.flink.records;

/**
 * A model version on its way from the trainer to every scoring task, as bytes so Flink moves it as one array:
 * either a full snapshot of the learner ({@code ModelSnapshot}, at a retrain and every
 * {@code job.model-snapshot-interval-ms}) or a delta from {@link #baseVersion} ({@code ModelDelta}: entries of T
 * appended, confirmed, dropped) that a scorer holding exactly that version applies in place.
 */
public class ModelBroadcast {
    public long version;
    /** False until the network has been trained on the warm-up labels; scores mean nothing before. */
    public boolean warm;
    /** The encoded snapshot, or the encoded delta when {@link #delta} is set. */
    public byte[] snapshot;
    public long createdAt;
    /** True: {@link #snapshot} holds a ModelDelta from {@link #baseVersion} to {@link #version}. */
    public boolean delta;
    /** For a delta: the version it applies to. */
    public long baseVersion = -1;

    public ModelBroadcast() {
    }

    public ModelBroadcast(long version, boolean warm, byte[] snapshot, long createdAt) {
        this.version = version;
        this.warm = warm;
        this.snapshot = snapshot;
        this.createdAt = createdAt;
    }

    public static ModelBroadcast delta(long baseVersion, long version, boolean warm, byte[] delta, long createdAt) {
        ModelBroadcast b = new ModelBroadcast(version, warm, delta, createdAt);
        b.delta = true;
        b.baseVersion = baseVersion;
        return b;
    }
}
