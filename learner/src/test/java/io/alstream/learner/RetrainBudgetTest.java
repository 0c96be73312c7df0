package io.alstream.learner;

import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A retrain's step budget (issue 10, item 2): epochs extended to the minimum steps however few labels are kept,
 * the plateau rule bounded by the step budget, and the steps and time each retrain took counted in the stats.
 */
class RetrainBudgetTest {

    private static LearnerConfig.Builder base() {
        return LearnerConfig.builder().inputDim(4).numClasses(3).hiddenWidths(8).warmupLabels(20).refreshGrowth(0)
                .kernelCap(10_000).batchSize(8).trainEpochs(1).referencePoolSize(8);
    }

    private static OnlineModel warmedUp(LearnerConfig cfg) {
        SplitMix64 rng = new SplitMix64(7);
        OnlineModel m = OnlineModel.create(cfg);
        for (int i = 0; i < 20; i++) {
            float[] x = new float[4];
            for (int j = 0; j < 4; j++) {
                x[j] = (float) rng.nextGaussian();
            }
            m.fold("e" + i, x, i % 3);
        }
        assertTrue(m.isWarm());
        return m;
    }

    @Test
    void epochsAreExtendedToTheMinimumSteps() {
        LearnerConfig cfg = base().trainMinSteps(50).build();
        // 20 labels in batches of 8: 3 steps an epoch, so 17 epochs (51 steps) hold the 50
        assertEquals(17, cfg.trainEpochsFor(20));
        assertEquals(1, cfg.trainEpochsFor(1000), "the epochs alone already hold the minimum");
        assertEquals(1, base().build().trainEpochsFor(20), "no minimum: the epochs alone");
        try (OnlineModel m = warmedUp(cfg)) {
            assertEquals(1, m.stats().refreshCount());
            assertEquals(51, m.stats().retrainSteps());
            assertTrue(m.stats().retrainMillis() >= 0);
        }
        try (OnlineModel m = warmedUp(base().build())) {
            assertEquals(3, m.stats().retrainSteps(), "one epoch of 3 steps");
        }
    }

    @Test
    void thePlateauRuleRunsPastTheEpochsAndStopsAtTheStepBudget() {
        // a patience no run reaches: training ends at the step budget, far past train-epochs' single epoch
        LearnerConfig cfg = base().trainStop(LearnerConfig.TrainStop.PLATEAU).trainPatienceSteps(1_000_000).trainSteps(77).build();
        assertEquals(Integer.MAX_VALUE, cfg.trainEpochsFor(20));
        try (OnlineModel m = warmedUp(cfg)) {
            assertEquals(77, m.stats().retrainSteps());
        }
        // the plateau rule never stops before the minimum steps
        LearnerConfig eager = base().trainStop(LearnerConfig.TrainStop.PLATEAU).trainPatienceSteps(0).trainMinSteps(120).build();
        try (OnlineModel m = warmedUp(eager)) {
            assertTrue(m.stats().retrainSteps() >= 120, "steps " + m.stats().retrainSteps());
        }
    }

    @Test
    void refusesNegativeBudgets() {
        assertThrows(IllegalArgumentException.class, () -> base().trainMinSteps(-1).build());
        assertThrows(IllegalArgumentException.class, () -> base().trainPatienceSteps(-1).build());
    }
}
