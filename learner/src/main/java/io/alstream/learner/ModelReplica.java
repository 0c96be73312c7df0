package io.alstream.learner;

import java.util.ArrayList;
import java.util.List;

/**
 * A scoring task's copy of the model, kept current from the trainer's broadcast: a full {@link ModelSnapshot}
 * re-anchors it in place when it has the linearisation held, else replaces it; a {@link ModelDelta} updates it in
 * place when it starts from exactly the version held. A delta
 * from any other base (one was missed, or one came twice) is ignored, and so is every delta after it until the
 * next full snapshot: the replica keeps scoring with the last version it holds completely and counts what it
 * skipped ({@link #deltasSkipped()}), so a gap costs freshness, never correctness. Holds DJL resources through
 * its {@link Scorer}: close it. Not thread-safe.
 *
 * <p>Deltas are applied when the scorer is next asked for ({@link #scorer()}), all that arrived since as one
 * ({@link ModelDelta#compose}): the trainer publishes a delta per batch of labels and requests, tens per second,
 * and each cost the scorer a pass over A^{-1}; between two scored batches they now cost one. A batch is always
 * scored with every version that arrived before it, as before.
 */
public final class ModelReplica implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelReplica.class);
    /** What became of an offered update. APPLIED: the replica holds that version now (a delta enters the scorer when it is next asked for). */
    public enum Outcome { APPLIED, SKIPPED_GAP, STALE }

    private final LearnerConfig config;
    private Scorer scorer;
    /** Deltas accepted but not yet in the scorer, a chain from the scorer's version. */
    private final List<ModelDelta> waiting = new ArrayList<>();
    private boolean awaitingSnapshot;
    private long snapshotsApplied;
    private long snapshotsReanchored;
    private long deltasApplied;
    private long deltasSkipped;
    private long updatesInPlace;

    public ModelReplica(LearnerConfig config) {
        this.config = config;
    }

    /**
     * A full snapshot, unless it is older than the version held. Of the linearisation the scorer holds (the periodic
     * snapshot between retrains, {@code job.model-snapshot-interval-ms}) it re-anchors the scorer in place
     * ({@link Scorer#reanchor}: T's changes since, and the snapshot's A^{-1}, which resets the deltas' rounding
     * drift); the waiting deltas are dropped, the snapshot holds them. Otherwise (a retrain's new weights, the first
     * snapshot, a scorer whose T did not come out as the snapshot's) a scorer is built from it. A scorer never
     * scores with a state other than the snapshot's: a failed re-anchor is followed by the rebuild.
     */
    public Outcome offer(ModelSnapshot snapshot) {
        if (scorer != null && snapshot.version() < version()) {
            return Outcome.STALE;
        }
        if (scorer != null && reanchor(snapshot)) {
            waiting.clear();
            awaitingSnapshot = false;
            snapshotsApplied++;
            snapshotsReanchored++;
            return Outcome.APPLIED;
        }
        Scorer fresh = Scorer.of(snapshot, config);
        close();
        scorer = fresh;
        awaitingSnapshot = false;
        snapshotsApplied++;
        return Outcome.APPLIED;
    }

    private boolean reanchor(ModelSnapshot snapshot) {
        try {
            return scorer.reanchor(snapshot);
        } catch (IllegalStateException e) {
            LOG.warn("re-anchoring the scorer at snapshot {} failed ({}); building it from the snapshot", snapshot.version(),
                    e.getMessage());
            return false;
        }
    }

    /** A delta: accepted when it starts at the version held, else skipped until the next snapshot. */
    public Outcome offer(ModelDelta delta) {
        if (scorer != null && !awaitingSnapshot && delta.version() <= version()) {
            return Outcome.STALE; // already holds it (a replay)
        }
        if (scorer == null || awaitingSnapshot || delta.baseVersion() != version()) {
            awaitingSnapshot = scorer != null;
            deltasSkipped++;
            return Outcome.SKIPPED_GAP;
        }
        waiting.add(delta);
        deltasApplied++;
        return Outcome.APPLIED;
    }

    /**
     * The scorer of the version held, every accepted delta applied (null before the first snapshot, and after a
     * delta that did not fit: then the replica waits for the next snapshot).
     */
    public Scorer scorer() {
        if (!waiting.isEmpty() && scorer != null) {
            ModelDelta all = ModelDelta.compose(waiting);
            int count = waiting.size();
            waiting.clear();
            try {
                scorer.apply(all);
                updatesInPlace++;
            } catch (IllegalStateException e) {
                // the base version matched but T did not: never score with a half-applied state
                LOG.warn("model deltas {}->{} did not fit the replica ({}); waiting for the next snapshot",
                        all.baseVersion(), all.version(), e.getMessage());
                close();
                deltasApplied -= count;
                deltasSkipped += count;
            }
        }
        return scorer;
    }

    /** The version held (the newest accepted delta's, applied or not), -1 before the first snapshot. */
    public long version() {
        if (scorer == null) {
            return -1;
        }
        return waiting.isEmpty() ? scorer.version() : waiting.get(waiting.size() - 1).version();
    }

    /** True after a skipped delta, until the next full snapshot. */
    public boolean awaitingSnapshot() { return awaitingSnapshot; }

    public long snapshotsApplied() { return snapshotsApplied; }
    /** Of the snapshots applied, those that re-anchored the scorer held instead of building one. */
    public long snapshotsReanchored() { return snapshotsReanchored; }
    /** Deltas accepted (each is in the scorer by the next {@link #scorer()}). */
    public long deltasApplied() { return deltasApplied; }
    public long deltasSkipped() { return deltasSkipped; }
    /** In-place updates of the scorer: one per {@link #scorer()} call that found deltas waiting. */
    public long updatesInPlace() { return updatesInPlace; }
    /** Deltas accepted and not yet applied. */
    public int deltasWaiting() { return waiting.size(); }

    @Override
    public void close() {
        waiting.clear();
        if (scorer != null) {
            scorer.close();
            scorer = null;
        }
    }
}
