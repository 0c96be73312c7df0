package io.alstream.learner;

import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance: on the digits stream, with the online (kernel) updates alone - no refresh after the warm-up
 * training - held-out accuracy rises as labels arrive; a refresh afterwards does not lose more than one
 * point. The curve is written to target/digits-learning-curve.txt.
 */
class DigitsLearningTest {

    @Test
    void onlineUpdatesLearnAndRefreshKeepsAccuracy() throws IOException {
        double[][] rows = SharedReference.digits();
        assertEquals(1797, rows.length);
        int n = rows.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplitMix64 rng = new SplitMix64(2024);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int heldOut = 500;
        float[][] testX = new float[heldOut][];
        int[] testY = new int[heldOut];
        for (int i = 0; i < heldOut; i++) {
            testX[i] = features(rows[order[i]]);
            testY[i] = (int) rows[order[i]][64];
        }
        LearnerConfig cfg = LearnerConfig.builder().inputDim(64).numClasses(10).hiddenWidths(256)
                .warmupLabels(50).kernelCap(100_000).refreshEvery(0).refreshGrowth(0).ridgeLambda(1e-3).trainEpochs(100)
                .build();
        StringBuilder curve = new StringBuilder("labels held_out_accuracy (online updates only after the warm-up)\n");
        int[] checkpoints = {50, 100, 150, 200, 300, 400};
        double[] acc = new double[checkpoints.length];
        try (OnlineModel model = OnlineModel.create(cfg)) {
            int next = heldOut;
            int c = 0;
            int prequentialRight = 0;
            for (int labels = 1; labels <= checkpoints[checkpoints.length - 1]; labels++) {
                double[] row = rows[order[next++]];
                FoldResult r = model.fold("d" + order[next - 1], features(row), (int) row[64]);
                prequentialRight += labels > 50 && r.predictedBefore() == (int) row[64] ? 1 : 0;
                if (labels == checkpoints[c]) {
                    acc[c] = model.accuracy(testX, testY);
                    curve.append(String.format("%d %.4f%n", labels, acc[c]));
                    c++;
                }
            }
            assertEquals(1, model.stats().refreshCount(), "only the warm-up trained the network");
            assertTrue(model.isWarm());
            double before = acc[acc.length - 1];
            model.refresh();
            double after = model.accuracy(testX, testY);
            curve.append(String.format("after refresh (network retrained on %d labels): %.4f%n",
                    checkpoints[checkpoints.length - 1], after));
            curve.append(String.format("prequential accuracy on labels 51..%d: %.4f%n", checkpoints[checkpoints.length - 1],
                    prequentialRight / (double) (checkpoints[checkpoints.length - 1] - 50)));
            Path out = Paths.get("target", "digits-learning-curve.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, curve.toString());
            System.out.print(curve);
            for (int i = 1; i < acc.length; i++) {
                assertTrue(acc[i] >= acc[i - 1] - 0.01, "accuracy fell while labels arrived: " + curve);
            }
            assertTrue(acc[acc.length - 1] >= acc[0] + 0.03, "online updates did not learn: " + curve);
            assertTrue(after >= before - 0.01, "refresh lost more than one point: " + curve);
        }
    }

    static float[] features(double[] row) {
        float[] x = new float[64];
        for (int j = 0; j < 64; j++) {
            x[j] = (float) (row[j] / 16.0);
        }
        return x;
    }
}
