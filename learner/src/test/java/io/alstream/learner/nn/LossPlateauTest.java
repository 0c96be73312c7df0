package io.alstream.learner.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The convergence rule the learner's retrains (train-stop=plateau) and the offline yardstick share. */
class LossPlateauTest {

    /** The epoch the rule stops at for a loss curve (steps per epoch fixed), or -1. */
    private static int stopsAt(LossPlateau rule, int stepsPerEpoch, double[] losses) {
        for (int e = 1; e <= losses.length; e++) {
            if (rule.stop(e, (long) e * stepsPerEpoch, losses[e - 1])) {
                return e;
            }
        }
        return -1;
    }

    /** The same decision computed the slow way: the last epoch whose loss beat every earlier one by the margin. */
    private static int bruteForce(long minSteps, long patienceSteps, int patienceEpochs, double margin, int stepsPerEpoch,
                                  double[] losses) {
        for (int e = 1; e <= losses.length; e++) {
            int bestEpoch = 0;
            double best = Double.POSITIVE_INFINITY;
            for (int k = 1; k <= e; k++) {
                if (losses[k - 1] < best * (1 - margin)) {
                    best = losses[k - 1];
                    bestEpoch = k;
                }
            }
            long steps = (long) e * stepsPerEpoch;
            if (steps >= minSteps && steps - (long) bestEpoch * stepsPerEpoch >= patienceSteps && e - bestEpoch >= patienceEpochs) {
                return e;
            }
        }
        return -1;
    }

    @Test
    void stopsWhenTheLossHasNotFallenByTheMarginForBothPatiences() {
        // halves for 6 epochs, then wobbles 0.5% below and back to that level: never 1% below the best
        double[] losses = new double[100];
        for (int e = 1; e <= losses.length; e++) {
            losses[e - 1] = e <= 6 ? Math.pow(0.5, e) : Math.pow(0.5, 6) * (e % 2 == 1 ? 0.995 : 1.0);
        }
        // 100 steps an epoch: best at epoch 6, 300 steps and 10 epochs later is epoch 16
        assertEquals(16, stopsAt(new LossPlateau(500, 300, 10, 0.01), 100, losses));
        // 5 steps an epoch: the step patience binds (60 epochs after the best)
        assertEquals(66, stopsAt(new LossPlateau(0, 300, 10, 0.01), 5, losses));
        // with a 0.1% margin the first wobble (epoch 7) counts as an improvement: 10 epochs after it
        assertEquals(17, stopsAt(new LossPlateau(0, 300, 10, 0.001), 100, losses));
    }

    @Test
    void agreesWithABruteForceOnNoisyCurves() {
        java.util.Random rng = new java.util.Random(3);
        for (int trial = 0; trial < 200; trial++) {
            double[] losses = new double[60];
            double level = 1;
            for (int e = 0; e < losses.length; e++) {
                level *= 0.9 + 0.12 * rng.nextDouble(); // falls, stalls and rises at random
                losses[e] = level;
            }
            int stepsPerEpoch = 1 + rng.nextInt(40);
            long minSteps = rng.nextInt(600);
            long patience = rng.nextInt(200);
            int patienceEpochs = rng.nextInt(6);
            assertEquals(bruteForce(minSteps, patience, patienceEpochs, 0.01, stepsPerEpoch, losses),
                    stopsAt(new LossPlateau(minSteps, patience, patienceEpochs, 0.01), stepsPerEpoch, losses), "trial " + trial);
        }
    }

    @Test
    void neverStopsBeforeTheMinimumSteps() {
        LossPlateau flat = new LossPlateau(500, 0, 0, 0.01);
        for (int step = 1; step < 500; step++) {
            assertFalse(flat.stop(step, step, 1.0), "stopped at step " + step);
        }
        assertEquals(true, flat.stop(500, 500, 1.0));
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new LossPlateau(-1, 0, 0, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new LossPlateau(0, 0, 0, 1.0));
    }
}
