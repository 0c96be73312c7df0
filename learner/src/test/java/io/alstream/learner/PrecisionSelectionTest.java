package io.alstream.learner;

import io.alstream.learner.selection.SelectionPolicies;
import io.alstream.learner.selection.SelectionPolicy;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float32 kernel maths against float64 (issue 9, item 4), on the shipped digits data: one trained model,
 * one snapshot, scored by a float64 and a float32 scorer over the same 1,024-event stream in batches of 64;
 * the job's budgeted selection (balanced incremental quantile filter, 10%) run on each, and the per-batch
 * top 10%. Counts the events both select, and the decisions that agree; written to
 * target/precision-selections.txt. The speed ratio is ScoringBenchmark's precision parameter.
 */
class PrecisionSelectionTest {
    private static final int STREAM = 1024;
    private static final int BATCH = 64;

    @Test
    void float32SelectsWhatFloat64Selects() throws IOException {
        double[][] rows = SharedReference.digits();
        int[] order = shuffled(rows.length, 99);
        LearnerConfig base = LearnerConfig.builder().inputDim(64).numClasses(10).hiddenWidths(256)
                .warmupLabels(50).trainEpochs(30).kernelCap(100_000).refreshGrowth(0).ridgeLambda(1).referencePoolSize(256)
                .build();
        StringBuilder report = new StringBuilder(String.format(
                "float32 vs float64 kernel maths, digits, model with 50 warm-up + 200 kernel labels, %d events in batches of %d%n"
                        + "function | quantile filter: selected f64 / f32 / both, decisions agreeing | per-batch top 10%%: both / each | max |score diff| / score range%n",
                STREAM, BATCH));
        int next = 0;
        try (OnlineModel model = OnlineModel.create(base)) {
            for (int i = 0; i < 250; i++) {
                double[] r = rows[order[next++]];
                model.fold("t" + i, DigitsLearningTest.features(r), (int) r[64]);
            }
            assertTrue(model.isWarm());
            ModelSnapshot snapshot = ModelSnapshot.fromBytes(model.snapshot().toBytes());
            float[][] pool = new float[256][];
            for (int i = 0; i < pool.length; i++) {
                pool[i] = DigitsLearningTest.features(rows[order[next++]]);
            }
            float[][] stream = new float[STREAM][];
            for (int i = 0; i < STREAM; i++) {
                stream[i] = DigitsLearningTest.features(rows[order[next + i]]);
            }
            for (String fn : List.of("balent", "entropy", "lookahead_flip", "lookahead_mlmoc")) {
                LearnerConfig c64 = base.toBuilder().selectBy(fn).precision(LearnerConfig.Precision.FLOAT64).build();
                LearnerConfig c32 = base.toBuilder().selectBy(fn).precision(LearnerConfig.Precision.FLOAT32).build();
                try (Scorer s64 = Scorer.of(snapshot, c64); Scorer s32 = Scorer.of(snapshot, c32)) {
                    SelectionPolicy p64 = SelectionPolicies.fromConfig(c64);
                    SelectionPolicy p32 = SelectionPolicies.fromConfig(c32);
                    boolean[] q64 = new boolean[STREAM];
                    boolean[] q32 = new boolean[STREAM];
                    int topBoth = 0;
                    int topEach = 0;
                    double maxDiff = 0;
                    double lo = Double.POSITIVE_INFINITY;
                    double hi = Double.NEGATIVE_INFINITY;
                    for (int from = 0; from < STREAM; from += BATCH) {
                        float[][] batch = Arrays.copyOfRange(stream, from, from + BATCH);
                        double[] a = s64.score(batch, pool).scores(fn);
                        double[] b = s32.score(batch, pool).scores(fn);
                        for (int i = 0; i < a.length; i++) {
                            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                            lo = Math.min(lo, a[i]);
                            hi = Math.max(hi, a[i]);
                        }
                        for (int i : p64.offerWindow(a, from)) {
                            q64[from + i] = true;
                        }
                        for (int i : p32.offerWindow(b, from)) {
                            q32[from + i] = true;
                        }
                        boolean[] t64 = topTenth(a);
                        boolean[] t32 = topTenth(b);
                        for (int i = 0; i < a.length; i++) {
                            topBoth += t64[i] && t32[i] ? 1 : 0;
                            topEach += t64[i] ? 1 : 0;
                        }
                    }
                    int n64 = 0;
                    int n32 = 0;
                    int both = 0;
                    int agree = 0;
                    for (int i = 0; i < STREAM; i++) {
                        n64 += q64[i] ? 1 : 0;
                        n32 += q32[i] ? 1 : 0;
                        both += q64[i] && q32[i] ? 1 : 0;
                        agree += q64[i] == q32[i] ? 1 : 0;
                    }
                    double relDiff = maxDiff / Math.max(1e-300, hi - lo);
                    report.append(String.format("%s | %d / %d / %d, %d of %d | %d / %d | %.2e%n",
                            fn, n64, n32, both, agree, STREAM, topBoth, topEach, relDiff));
                    assertTrue(n64 > 0, fn + ": the filter selected nothing");
                    // float32 carries ~7 significant digits: selections may differ only where two scores nearly tie
                    // at the threshold. Require 95% of the selected events in common and 99% of all decisions.
                    assertTrue(both >= 0.95 * Math.max(n64, n32), fn + " selections differ: " + report);
                    assertTrue(agree >= 0.99 * STREAM, fn + " decisions differ: " + report);
                    assertTrue(topBoth >= 0.95 * topEach, fn + " top-10% differs: " + report);
                }
            }
        }
        Path out = Paths.get("target", "precision-selections.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        System.out.print(report);
    }

    private static boolean[] topTenth(double[] s) {
        Integer[] idx = new Integer[s.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (x, y) -> Double.compare(s[y], s[x]));
        boolean[] top = new boolean[s.length];
        for (int k = 0; k < Math.max(1, s.length / 10); k++) {
            top[idx[k]] = true;
        }
        return top;
    }

    private static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplitMix64 rng = new SplitMix64(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
