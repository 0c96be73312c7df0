package io.alstream.learner;

/**
 * A scoring task's copy of the model, kept current from the trainer's broadcast: a full {@link ModelSnapshot}
 * replaces it, a {@link ModelDelta} updates it in place when it starts from exactly the version held. A delta
 * from any other base (one was missed, or one came twice) is ignored, and so is every delta after it until the
 * next full snapshot: the replica keeps scoring with the last version it holds completely and counts what it
 * skipped ({@link #deltasSkipped()}), so a gap costs freshness, never correctness. Holds DJL resources through
 * its {@link Scorer}: close it. Not thread-safe.
 */
public final class ModelReplica implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelReplica.class);
    /** What became of an offered update. */
    public enum Outcome { APPLIED, SKIPPED_GAP, STALE }

    private final LearnerConfig config;
    private Scorer scorer;
    private boolean awaitingSnapshot;
    private long snapshotsApplied;
    private long deltasApplied;
    private long deltasSkipped;

    public ModelReplica(LearnerConfig config) {
        this.config = config;
    }

    /** A full snapshot: replaces the scorer unless it is older than the version held. */
    public Outcome offer(ModelSnapshot snapshot) {
        if (scorer != null && snapshot.version() < scorer.version()) {
            return Outcome.STALE;
        }
        Scorer fresh = Scorer.of(snapshot, config);
        close();
        scorer = fresh;
        awaitingSnapshot = false;
        snapshotsApplied++;
        return Outcome.APPLIED;
    }

    /** A delta: applied in place when it starts at the version held, else skipped until the next snapshot. */
    public Outcome offer(ModelDelta delta) {
        if (scorer != null && !awaitingSnapshot && delta.version() <= scorer.version()) {
            return Outcome.STALE; // already holds it (a replay)
        }
        if (scorer == null || awaitingSnapshot || delta.baseVersion() != scorer.version()) {
            awaitingSnapshot = scorer != null;
            deltasSkipped++;
            return Outcome.SKIPPED_GAP;
        }
        try {
            scorer.apply(delta);
        } catch (IllegalStateException e) {
            // the base version matched but T did not: never score with a half-applied state
            LOG.warn("model delta {}->{} did not fit the replica ({}); waiting for the next snapshot",
                    delta.baseVersion(), delta.version(), e.getMessage());
            close();
            deltasSkipped++;
            return Outcome.SKIPPED_GAP;
        }
        deltasApplied++;
        return Outcome.APPLIED;
    }

    /** The scorer of the version held (null before the first snapshot). */
    public Scorer scorer() { return scorer; }

    /** The version held, -1 before the first snapshot. */
    public long version() { return scorer == null ? -1 : scorer.version(); }

    /** True after a skipped delta, until the next full snapshot. */
    public boolean awaitingSnapshot() { return awaitingSnapshot; }

    public long snapshotsApplied() { return snapshotsApplied; }
    public long deltasApplied() { return deltasApplied; }
    public long deltasSkipped() { return deltasSkipped; }

    @Override
    public void close() {
        if (scorer != null) {
            scorer.close();
            scorer = null;
        }
    }
}
