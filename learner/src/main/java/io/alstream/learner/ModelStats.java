package io.alstream.learner;

import java.io.Serializable;

/** Counters of an {@link OnlineModel}, for metrics and ModelUpdate records. */
public final class ModelStats implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long version;
    private final long labelsFolded;
    private final int kernelSize;
    private final int pendingCount;
    private final int refreshCount;
    private final boolean warm;
    private final long retrainMillis;
    private final long retrainSteps;

    ModelStats(long version, long labelsFolded, int kernelSize, int pendingCount, int refreshCount, boolean warm,
               long retrainMillis, long retrainSteps) {
        this.version = version;
        this.labelsFolded = labelsFolded;
        this.kernelSize = kernelSize;
        this.pendingCount = pendingCount;
        this.refreshCount = refreshCount;
        this.warm = warm;
        this.retrainMillis = retrainMillis;
        this.retrainSteps = retrainSteps;
    }

    public long version() { return version; }
    public long labelsFolded() { return labelsFolded; }
    /** |T|: labels since the last refresh plus pending entries. */
    public int kernelSize() { return kernelSize; }
    public int pendingCount() { return pendingCount; }
    public int refreshCount() { return refreshCount; }
    public boolean warm() { return warm; }
    /** Training time (ms) of the retrains swapped in since the model was created or restored (not kept in its state). */
    public long retrainMillis() { return retrainMillis; }
    /** Adam steps of those retrains. */
    public long retrainSteps() { return retrainSteps; }

    @Override
    public String toString() {
        return "ModelStats{version=" + version + ", labelsFolded=" + labelsFolded + ", |T|=" + kernelSize
                + ", pending=" + pendingCount + ", refreshes=" + refreshCount + ", warm=" + warm + "}";
    }
}
