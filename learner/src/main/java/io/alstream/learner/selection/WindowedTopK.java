package io.alstream.learner.selection;

import io.alstream.learner.acquisition.TopK;

/**
 * Batch-mode selection over tumbling windows: each window gets the labels the budget has accrued since
 * the last one (fractional remainders carry over) and requests its top-k scores (ties to the earlier
 * event, NaN never). Event-at-a-time {@link #offer} is not meaningful here: use {@link #offerWindow}.
 */
public final class WindowedTopK implements SelectionPolicy {
    private static final long serialVersionUID = 1L;
    private final LabelBudget budget;

    public WindowedTopK(LabelBudget budget) {
        this.budget = budget;
    }

    @Override
    public boolean offer(double score, long timestampMillis) {
        throw new UnsupportedOperationException("windowed top-k decides per window: call offerWindow(scores, ts)");
    }

    @Override
    public int[] offerWindow(double[] scores, long timestampMillis) {
        int finite = 0;
        for (double s : scores) {
            budget.observe(timestampMillis);
            finite += Double.isNaN(s) ? 0 : 1;
        }
        int k = (int) Math.min(finite, Math.floor(budget.deficit() + 1e-9));
        if (k <= 0) {
            return new int[0];
        }
        int[] top = TopK.indices(scores, k);
        budget.spend(top.length);
        return top;
    }

    @Override
    public LabelBudget budget() { return budget; }

    @Override
    public String name() { return "windowed_top_k"; }
}
