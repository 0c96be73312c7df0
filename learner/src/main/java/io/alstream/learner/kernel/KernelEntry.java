package io.alstream.learner.kernel;

import java.io.Serializable;

/**
 * One row block of the kernel state T: a folded label or a pending request (pseudo-label, DESIGN 4.4).
 * Immutable.
 */
public final class KernelEntry implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String id;
    private final double[] x;
    private final double[] target;
    private final boolean pending;

    public KernelEntry(String id, double[] x, double[] target, boolean pending) {
        this.id = id;
        this.x = x.clone();
        this.target = target.clone();
        this.pending = pending;
    }

    public String id() { return id; }
    public double[] x() { return x.clone(); }
    public double[] target() { return target.clone(); }
    public boolean pending() { return pending; }
    /** Number of features (the length of {@link #x()}, without the copy). */
    public int dim() { return x.length; }
    /** Length of the target vector. */
    public int classes() { return target.length; }
    double[] xUnsafe() { return x; }
    double[] targetUnsafe() { return target; }

    /** This entry with another target and pending flag. */
    public KernelEntry withTarget(double[] newTarget, boolean newPending) {
        return new KernelEntry(id, x, newTarget, newPending);
    }
}
