package io.alstream.learner.nn;

import ai.djl.Device;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training is deterministic under a seed (dropout included), reduces the loss, and weights save/load exactly. */
class MlpNetworkTest {

    @Test
    void deterministicTrainingAndSaveLoad(@TempDir Path dir) throws Exception {
        LearnerConfig cfg = LearnerConfig.builder().inputDim(6).numClasses(3).hiddenWidths(12, 8).dropout(0.2).build();
        SplitMix64 rng = new SplitMix64(1);
        List<float[]> xs = new ArrayList<>();
        int[] ys = new int[60];
        for (int i = 0; i < 60; i++) {
            float[] x = new float[6];
            for (int j = 0; j < 6; j++) {
                x[j] = (float) rng.nextGaussian();
            }
            xs.add(x);
            ys[i] = x[0] > 0 ? 0 : x[1] > 0 ? 1 : 2;
        }
        MlpWeights init = MlpWeights.initialise(MlpWeights.widths(6, new int[] {12, 8}, 3), cfg.activation(), 5);
        MlpWeights a;
        MlpWeights b;
        double first;
        double last;
        try (MlpNetwork n1 = new MlpNetwork(cfg, init, Device.cpu());
             MlpNetwork n2 = new MlpNetwork(cfg, init, Device.cpu())) {
            first = n1.train(xs, ys, 1, 1e-2, 8, 9);
            n2.train(xs, ys, 1, 1e-2, 8, 9);
            last = n1.train(xs, ys, 40, 1e-2, 8, 10);
            n2.train(xs, ys, 40, 1e-2, 8, 10);
            a = n1.weights();
            b = n2.weights();
            n1.save(dir, "mlp");
            try (MlpNetwork loaded = MlpNetwork.load(cfg, dir, "mlp", Device.cpu())) {
                assertEquals(a, loaded.weights(), "save/load must be exact");
            }
        }
        assertEquals(a, b, "same seed, same weights");
        assertNotEquals(init, a);
        assertTrue(last < first, "training must reduce the loss: " + first + " -> " + last);
        try (MlpNetwork n3 = new MlpNetwork(cfg, init, Device.cpu())) {
            n3.train(xs, ys, 41, 1e-2, 8, 11);
            assertNotEquals(a, n3.weights(), "a different seed gives different weights");
        }
    }
}
