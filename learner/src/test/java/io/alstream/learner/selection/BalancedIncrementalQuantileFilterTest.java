package io.alstream.learner.selection;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.alstream.learner.LearnerConfig.BudgetKind;
import io.alstream.learner.util.SplitMix64;

/**
 * The filter under score drift: a new model version rescales the scores (here: look-ahead's values as
 * the pipeline test saw them, 25-85 under one version and 20-55 under the next), and spending must keep
 * to the budget although the window still holds the older, larger scores.
 */
class BalancedIncrementalQuantileFilterTest {
    private static final int RUNS = 200;

    /** Mean over runs of the deficit (labels behind the budget) after {@code after} events of the new scale. */
    private static double meanFinalDeficit(double newLow, double newHigh, int after, double[] worst) {
        double total = 0;
        for (int run = 0; run < RUNS; run++) {
            SplitMix64 rng = new SplitMix64(run);
            LabelBudget budget = new LabelBudget(BudgetKind.FRACTION, 0.1);
            BalancedIncrementalQuantileFilter f = new BalancedIncrementalQuantileFilter(budget, 100, 10);
            for (int i = 0; i < 300; i++) {
                f.offer(25 + 60 * rng.nextDouble(), i);
            }
            for (int i = 0; i < after; i++) {
                f.offer(newLow + (newHigh - newLow) * rng.nextDouble(), 300 + i);
            }
            total += budget.deficit();
            worst[0] = Math.max(worst[0], budget.deficit());
        }
        return total / RUNS;
    }

    @Test
    void keepsSpendingWhenANewModelShrinksTheScores() {
        double[] worst = {Double.NEGATIVE_INFINITY};
        double mean = meanFinalDeficit(20, 55, 60, worst);
        // the window alone (quantile and range over all 100 scores) ends about 2.9 labels behind, up to 5
        assertTrue(mean < 1.5, "60 events after the rescale, spending lags by " + mean + " labels on average");
        assertTrue(worst[0] <= 3, "worst lag " + worst[0]);
    }

    @Test
    void onAStationaryStreamSpendingStaysWithinALabel() {
        double[] worst = {Double.NEGATIVE_INFINITY};
        double mean = meanFinalDeficit(25, 85, 300, worst);
        assertTrue(Math.abs(mean) < 1, "mean deficit " + mean);
        assertTrue(worst[0] <= 2.5, "worst lag " + worst[0]);
    }
}
