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

    ModelStats(long version, long labelsFolded, int kernelSize, int pendingCount, int refreshCount, boolean warm) {
        this.version = version;
        this.labelsFolded = labelsFolded;
        this.kernelSize = kernelSize;
        this.pendingCount = pendingCount;
        this.refreshCount = refreshCount;
        this.warm = warm;
    }

    public long version() { return version; }
    public long labelsFolded() { return labelsFolded; }
    /** |T|: labels since the last refresh plus pending entries. */
    public int kernelSize() { return kernelSize; }
    public int pendingCount() { return pendingCount; }
    public int refreshCount() { return refreshCount; }
    public boolean warm() { return warm; }

    @Override
    public String toString() {
        return "ModelStats{version=" + version + ", labelsFolded=" + labelsFolded + ", |T|=" + kernelSize
                + ", pending=" + pendingCount + ", refreshes=" + refreshCount + ", warm=" + warm + "}";
    }
}
