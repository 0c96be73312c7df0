package io.alstream.learner.selection;

import java.util.Arrays;

/**
 * Balanced incremental quantile filter (Kottke, Krempl, Spiliopoulou 2015, "Probabilistic active learning
 * in datastreams"): keep the last w scores; request when the new score reaches the (1 - b) quantile of
 * that window, with the threshold lowered when spending lags b * n and raised when it runs ahead:
 * <pre>  theta = Q_{1-b}(window) - (max - min of window) * (allowance - requested) / w_tol </pre>
 * Never runs more than one label ahead of the allowance.
 *
 * <p>Scores drift: in the online learner every model version rescales them (look-ahead's expected change
 * shrinks as labels accumulate), so a window filled under an older model can sit above every score the
 * new one gives, and the correction term needs a lag of several labels before θ falls below them. So
 * when the deficit d exceeds one label the quantile and range are taken over the most recent w / d²
 * scores only (the lag says the older ones no longer describe the stream: two labels behind, the last
 * quarter of the window); while spending is on track the filter is the one above.
 */
public final class BalancedIncrementalQuantileFilter implements SelectionPolicy {
    private static final long serialVersionUID = 1L;
    private final LabelBudget budget;
    private final double[] window;
    private final double tolerance;
    private int filled;
    private int next;

    public BalancedIncrementalQuantileFilter(LabelBudget budget, int windowSize, double tolerance) {
        if (windowSize < 1 || !(tolerance > 0)) {
            throw new IllegalArgumentException("window must be >= 1 and tolerance > 0");
        }
        this.budget = budget;
        this.window = new double[windowSize];
        this.tolerance = tolerance;
    }

    @Override
    public boolean offer(double score, long timestampMillis) {
        budget.observe(timestampMillis);
        if (Double.isNaN(score)) {
            return false;
        }
        window[next] = score;
        next = (next + 1) % window.length;
        filled = Math.min(filled + 1, window.length);
        double deficit = budget.deficit();
        int recent = deficit > 1 ? Math.max(1, Math.min(filled, (int) (window.length / (deficit * deficit)))) : filled;
        double[] sorted = recentScores(recent);
        Arrays.sort(sorted);
        double b = budget.targetFraction();
        int rank = (int) Math.ceil((1 - b) * recent) - 1;                  // nearest-rank quantile
        double quantile = sorted[Math.max(0, Math.min(recent - 1, rank))];
        double range = sorted[recent - 1] - sorted[0];
        double theta = quantile - (Double.isFinite(range) ? range : 0) * deficit / tolerance;
        boolean request = score >= theta && budget.requested() + 1 <= budget.allowance() + 1;
        if (request) {
            budget.spend(1);
        }
        return request;
    }

    /** The last n scores offered (the newest is at next - 1). */
    private double[] recentScores(int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = window[Math.floorMod(next - 1 - i, window.length)];
        }
        return out;
    }

    @Override
    public LabelBudget budget() { return budget; }

    @Override
    public String name() { return "quantile_filter"; }
}
