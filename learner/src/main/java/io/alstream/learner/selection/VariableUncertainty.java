package io.alstream.learner.selection;

/**
 * Variable uncertainty (Zliobaite, Bifet, Pfahringer, Holmes 2014) as a baseline, for "higher = more
 * informative" scores: request when the score reaches a threshold theta and the budget allows; after a
 * request raise theta by a factor (1 + s), otherwise lower it by (1 - s), s = 0.01 by default, so the
 * threshold tracks the score scale. theta starts at the first score unless configured.
 */
public final class VariableUncertainty implements SelectionPolicy {
    private static final long serialVersionUID = 1L;
    private final LabelBudget budget;
    private final double step;
    private double theta;

    public VariableUncertainty(LabelBudget budget, double step, double initialThreshold) {
        if (!(step > 0 && step < 1)) {
            throw new IllegalArgumentException("step must be in (0,1), got " + step);
        }
        this.budget = budget;
        this.step = step;
        this.theta = initialThreshold;
    }

    @Override
    public boolean offer(double score, long timestampMillis) {
        budget.observe(timestampMillis);
        if (Double.isNaN(score)) {
            return false;
        }
        if (Double.isNaN(theta)) {
            theta = score;
        }
        if (budget.requested() + 1 > budget.allowance() + 1e-9) {
            return false; // out of budget: no decision, threshold unchanged
        }
        double magnitude = Math.max(Math.abs(theta), 1e-9);
        if (score >= theta) {
            budget.spend(1);
            theta += step * magnitude;
            return true;
        }
        theta -= step * magnitude;
        return false;
    }

    public double threshold() { return theta; }

    @Override
    public LabelBudget budget() { return budget; }

    @Override
    public String name() { return "variable_uncertainty"; }
}
