package io.alstream.learner;

import java.io.Serializable;

/** What {@link OnlineModel#fold} did with one label. */
public final class FoldResult implements Serializable {
    private static final long serialVersionUID = 1L;

    /** FOLDED: the label changed the model; DUPLICATE: this event id was folded before, nothing changed. */
    public enum Status { FOLDED, DUPLICATE }

    private final Status status;
    private final int predictedBefore;
    private final boolean confirmedPending;
    private final boolean refreshed;
    private final long version;

    FoldResult(Status status, int predictedBefore, boolean confirmedPending, boolean refreshed, long version) {
        this.status = status;
        this.predictedBefore = predictedBefore;
        this.confirmedPending = confirmedPending;
        this.refreshed = refreshed;
        this.version = version;
    }

    public Status status() { return status; }
    public boolean folded() { return status == Status.FOLDED; }
    public boolean duplicate() { return status == Status.DUPLICATE; }
    /** The class the model predicted for x just before folding (prequential accuracy); -1 for duplicates. */
    public int predictedBefore() { return predictedBefore; }
    /** A pending entry with this event id was replaced by the real label. */
    public boolean confirmedPending() { return confirmedPending; }
    /** This fold triggered a refresh (warm-up training, the |T| cap, or the schedule). */
    public boolean refreshed() { return refreshed; }
    /** Model version after the fold. */
    public long version() { return version; }

    @Override
    public String toString() {
        return "FoldResult{" + status + ", predictedBefore=" + predictedBefore + ", confirmedPending="
                + confirmedPending + ", refreshed=" + refreshed + ", version=" + version + "}";
    }
}
