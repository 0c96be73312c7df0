package io.alstream.learner.selection;

import io.alstream.learner.LearnerConfig.BudgetKind;

import java.io.Serializable;

/**
 * How many labels the policy may have requested so far (DESIGN 4.4): b * events seen for a FRACTION
 * budget, or rate * minutes since the first event (+1 to start) for LABELS_PER_MINUTE. Serializable.
 */
public final class LabelBudget implements Serializable {
    private static final long serialVersionUID = 1L;
    private final BudgetKind kind;
    private final double budget;
    private long seen;
    private long requested;
    private long firstTimestamp = Long.MIN_VALUE;
    private long lastTimestamp = Long.MIN_VALUE;

    public LabelBudget(BudgetKind kind, double budget) {
        if (!(budget > 0) || (kind == BudgetKind.FRACTION && budget > 1)) {
            throw new IllegalArgumentException("budget must be a fraction in (0,1] or a positive rate, got " + budget);
        }
        this.kind = kind;
        this.budget = budget;
    }

    /** Counts one event at timestampMillis (call before deciding on it). */
    public void observe(long timestampMillis) {
        seen++;
        if (firstTimestamp == Long.MIN_VALUE) {
            firstTimestamp = timestampMillis;
        }
        lastTimestamp = Math.max(lastTimestamp, timestampMillis);
    }

    public void spend(int labels) {
        requested += labels;
    }

    /** Labels allowed up to now. */
    public double allowance() {
        if (kind == BudgetKind.FRACTION) {
            return budget * seen;
        }
        return seen == 0 ? 0 : 1 + budget * (lastTimestamp - firstTimestamp) / 60_000.0;
    }

    /** allowance - requested: positive when under-spent. */
    public double deficit() {
        return allowance() - requested;
    }

    /** The fraction of events the budget allows: b, or rate / observed events per minute (capped at 1). */
    public double targetFraction() {
        if (kind == BudgetKind.FRACTION) {
            return budget;
        }
        double minutes = Math.max(1.0 / 60, (lastTimestamp - firstTimestamp) / 60_000.0);
        return Math.min(1.0, budget / (seen / minutes));
    }

    public long seen() { return seen; }
    public long requested() { return requested; }
    public BudgetKind kind() { return kind; }
    public double budget() { return budget; }

    /** requested / seen. */
    public double spent() {
        return seen == 0 ? 0 : requested / (double) seen;
    }
}
