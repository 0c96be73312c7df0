package io.alstream.flink.train;

import java.util.ArrayList;
import java.util.List;

import io.alstream.flink.records.ModelBroadcast;
import io.alstream.learner.ModelDelta;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.nn.MlpWeights;

/**
 * What the trainer broadcasts for a new model version (DESIGN 12, "distribute deltas"): a full snapshot when
 * the scorers cannot get there by a delta - the first publish of this task (also after a restore), a new
 * linearisation (a retrain swapped weights in), or {@code job.model-snapshot-interval-ms} since the last full
 * one (bounds how long a scorer that missed something waits, and the rounding drift between the trainer's
 * A^{-1} and the scorers' incrementally updated copies) - and otherwise the {@link ModelDelta} from the
 * version published last. A delta that would touch more than half of T goes out as a snapshot instead.
 * Task-thread only; nothing here is checkpointed (a restored trainer starts with a full snapshot).
 */
public final class ModelPublisher {
    private final long snapshotIntervalMs;
    private long lastVersion = -1;
    private List<KernelEntry> lastEntries;
    private MlpWeights lastWeights;
    private boolean lastWarm;
    private long lastFullAt;

    private long snapshotsSent;
    private long deltasSent;
    private long snapshotBytes;
    private long deltaBytes;
    private int lastBytes;

    /** @param snapshotIntervalMs a full snapshot at least this often; 0 = every version in full (no deltas) */
    public ModelPublisher(long snapshotIntervalMs) {
        if (snapshotIntervalMs < 0) {
            throw new IllegalArgumentException("job.model-snapshot-interval-ms must be >= 0, was " + snapshotIntervalMs);
        }
        this.snapshotIntervalMs = snapshotIntervalMs;
    }

    /** The broadcast for the model's current version, or null when that version was published already. */
    public ModelBroadcast next(OnlineModel model, long now) {
        long version = model.version();
        if (version == lastVersion) {
            return null;
        }
        List<KernelEntry> entries = new ArrayList<>(model.kernelState().entries());
        MlpWeights weights = model.weights();
        boolean sameLinearisation = lastEntries != null && version > lastVersion && model.isWarm() == lastWarm
                && (weights == lastWeights || weights.equals(lastWeights));
        ModelBroadcast out = null;
        if (sameLinearisation && snapshotIntervalMs > 0 && now - lastFullAt < snapshotIntervalMs) {
            ModelDelta d = ModelDelta.between(lastVersion, lastEntries, version, model.isWarm(), entries);
            if (d.dropped().size() + d.appended().size() <= Math.max(16, entries.size() / 2)) {
                out = ModelBroadcast.delta(lastVersion, version, model.isWarm(), d.toBytes(), now);
                deltasSent++;
                deltaBytes += out.snapshot.length;
            }
        }
        if (out == null) {
            out = new ModelBroadcast(version, model.isWarm(), model.snapshot().toBytes(), now);
            snapshotsSent++;
            snapshotBytes += out.snapshot.length;
            lastFullAt = now;
        }
        lastBytes = out.snapshot.length;
        lastVersion = version;
        lastEntries = entries;
        lastWeights = weights;
        lastWarm = model.isWarm();
        return out;
    }

    public long snapshotsSent() { return snapshotsSent; }
    public long deltasSent() { return deltasSent; }
    public long snapshotBytes() { return snapshotBytes; }
    public long deltaBytes() { return deltaBytes; }
    /** Size of the last broadcast (snapshot or delta). */
    public int lastBytes() { return lastBytes; }
}
