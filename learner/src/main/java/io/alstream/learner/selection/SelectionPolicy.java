package io.alstream.learner.selection;

import java.io.Serializable;

/**
 * Stream-based selection under a label budget (DESIGN 4.4). Scores are "higher = more informative"; NaN
 * scores are counted but never requested. The whole state is Serializable (Flink keyed/operator state).
 */
public interface SelectionPolicy extends Serializable {
    /** Decides on one event: true = request its label. Updates the budget state. */
    boolean offer(double score, long timestampMillis);

    /**
     * Decides on a tumbling window of events at once; returns the requested indices, best first. Streaming
     * policies decide event by event in order.
     */
    default int[] offerWindow(double[] scores, long timestampMillis) {
        int[] chosen = new int[scores.length];
        int n = 0;
        for (int i = 0; i < scores.length; i++) {
            if (offer(scores[i], timestampMillis)) {
                chosen[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(chosen, n);
    }

    /** Fraction of events requested so far. */
    default double spent() { return budget().spent(); }

    default long seen() { return budget().seen(); }

    default long requested() { return budget().requested(); }

    /** The budget bookkeeping (allowance, deficit). */
    LabelBudget budget();

    /** A short name for metrics. */
    String name();
}
