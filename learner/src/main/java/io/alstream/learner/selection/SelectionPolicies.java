package io.alstream.learner.selection;

import io.alstream.learner.LearnerConfig;

/** Builds the configured policy with its budget. */
public final class SelectionPolicies {
    private SelectionPolicies() { }

    public static SelectionPolicy fromConfig(LearnerConfig c) {
        LabelBudget budget = new LabelBudget(c.budgetKind(), c.budget());
        switch (c.policyKind()) {
            case QUANTILE_FILTER:
                return new BalancedIncrementalQuantileFilter(budget, c.quantileWindow(), c.quantileTolerance());
            case VARIABLE_UNCERTAINTY:
                return new VariableUncertainty(budget, c.uncertaintyStep(), c.uncertaintyInitialThreshold());
            case WINDOWED_TOP_K:
                return new WindowedTopK(budget);
            default:
                throw new IllegalArgumentException("unknown policy " + c.policyKind());
        }
    }
}
