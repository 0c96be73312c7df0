package io.alstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.kernel.KernelRegressionState;
import io.alstream.learner.nn.DeviceMlp;
import io.alstream.learner.nn.InputStandardization;
import io.alstream.learner.nn.MlpWeights;
import io.alstream.learner.util.ComputeDevice;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input standardisation inside the learner (issue 10, item 1): the running moments are those of every input seen,
 * each retrain freezes them for its linearisation, predictions of a linearisation do not move when the moments do,
 * the transform travels in snapshots and state, and scorers built from a snapshot score as the trainer does.
 */
class InputStandardizationTest {
    private static final int DIM = 6;
    /** Features on very different scales and offsets, as raw tabular data comes. */
    private static final double[] SCALE = {1, 100, 0.01, 5, 1000, 0.5};
    private static final double[] OFFSET = {0, 50, -3, 10, 2000, 0};

    static LearnerConfig config() {
        return LearnerConfig.builder().standardizeInputs(true).inputDim(DIM).numClasses(3).hiddenWidths(16).ridgeLambda(1).warmupLabels(20)
                .refreshGrowth(0).kernelCap(100_000).trainEpochs(3).referencePoolSize(8)
                .acquisitionFunctions(List.of("margin", "entropy", "lookahead_flip")).selectBy("balent").build();
    }

    static float[] row(SplitMix64 rng, double shift) {
        float[] x = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            x[j] = (float) (OFFSET[j] + shift + SCALE[j] * rng.nextGaussian());
        }
        return x;
    }

    /** Mean and population variance computed the slow way, in two passes. */
    static double[][] bruteForce(List<float[]> seen) {
        double[] mean = new double[DIM];
        double[] var = new double[DIM];
        for (float[] x : seen) {
            for (int j = 0; j < DIM; j++) {
                mean[j] += x[j];
            }
        }
        for (int j = 0; j < DIM; j++) {
            mean[j] /= seen.size();
        }
        for (float[] x : seen) {
            for (int j = 0; j < DIM; j++) {
                var[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
            }
        }
        for (int j = 0; j < DIM; j++) {
            var[j] /= seen.size();
        }
        return new double[][] {mean, var};
    }

    static void assertRelativelyClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int j = 0; j < expected.length; j++) {
            double scale = Math.max(1e-300, Math.abs(expected[j]));
            assertTrue(Math.abs(expected[j] - actual[j]) <= tol * scale,
                    what + "[" + j + "]: expected " + expected[j] + ", got " + actual[j]);
        }
    }

    @Test
    void runningMomentsAreThoseOfEveryInputSeenAndMergeExactly() {
        SplitMix64 rng = new SplitMix64(1);
        FeatureMoments all = new FeatureMoments(DIM);
        FeatureMoments a = new FeatureMoments(DIM);
        FeatureMoments b = new FeatureMoments(DIM);
        List<float[]> seen = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            float[] x = row(rng, i < 1500 ? 0 : 7); // the stream drifts halfway
            seen.add(x);
            all.add(x);
            (i % 3 == 0 ? a : b).add(x);
        }
        double[][] bf = bruteForce(seen);
        assertEquals(3000, all.count());
        assertRelativelyClose(bf[0], all.mean(), 1e-9, "mean");
        assertRelativelyClose(bf[1], all.variance(), 1e-9, "variance");
        a.merge(b);
        assertEquals(3000, a.count());
        assertRelativelyClose(bf[0], a.mean(), 1e-9, "merged mean");
        assertRelativelyClose(bf[1], a.variance(), 1e-9, "merged variance");

        InputStandardization s = all.standardization();
        double[] sd = new double[DIM];
        for (int j = 0; j < DIM; j++) {
            sd[j] = Math.sqrt(bf[1][j]);
        }
        assertRelativelyClose(sd, s.sd(), 1e-9, "sd");
        double[] z = s.apply(seen.get(0));
        for (int j = 0; j < DIM; j++) {
            assertEquals((seen.get(0)[j] - bf[0][j]) / sd[j], z[j], 1e-9 * Math.max(1, Math.abs(z[j])));
        }
    }

    @Test
    void aConstantFeatureIsOnlyCentredAndTooFewInputsGiveRawInputs() {
        FeatureMoments m = new FeatureMoments(2);
        assertNull(m.standardization(), "no statistics yet: raw inputs");
        m.add(new float[] {3, 1});
        assertNull(m.standardization(), "one input has no spread: raw inputs");
        m.add(new float[] {3, 5});
        InputStandardization s = m.standardization();
        assertArrayEquals(new double[] {3, 3}, s.mean(), 0);
        assertArrayEquals(new double[] {1, 2}, s.sd(), 0);
        assertArrayEquals(new double[] {-1, 1}, s.apply(new float[] {2, 5}), 0);
        assertThrows(IllegalArgumentException.class, () -> m.add(new float[] {1, 2, 3}));
    }

    /**
     * Unit norm: the same centring, every sd times sqrt(k) for the k features with spread, so the standardised
     * inputs seen have a mean squared norm of 1 (brute force over them); a constant feature is only centred and
     * does not count in k.
     */
    @Test
    void unitNormStandardisationGivesTheInputsSeenAMeanSquaredNormOfOne() {
        SplitMix64 rng = new SplitMix64(4);
        FeatureMoments m = new FeatureMoments(DIM + 1);
        List<float[]> seen = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            float[] r = row(rng, 0);
            float[] x = java.util.Arrays.copyOf(r, DIM + 1);
            x[DIM] = 42; // a constant feature
            seen.add(x);
            m.add(x);
        }
        InputStandardization perFeature = m.standardization(false);
        InputStandardization unitNorm = m.standardization(true);
        assertArrayEquals(perFeature.mean(), unitNorm.mean(), 0, "the same centring");
        assertEquals(perFeature, m.standardization(), "the one-argument form is per feature");
        assertEquals(1.0, unitNorm.sd()[DIM], 0, "the constant feature keeps sd 1");
        for (int j = 0; j < DIM; j++) {
            assertEquals(perFeature.sd()[j] * Math.sqrt(DIM), unitNorm.sd()[j], 1e-12 * unitNorm.sd()[j], "sd " + j);
        }
        double sumSq = 0;
        double perFeatureSumSq = 0;
        for (float[] x : seen) {
            double[] z = unitNorm.apply(x);
            double[] zf = perFeature.apply(x);
            for (int j = 0; j <= DIM; j++) {
                sumSq += z[j] * z[j];
                perFeatureSumSq += zf[j] * zf[j];
            }
        }
        assertEquals(1.0, sumSq / seen.size(), 1e-6, "mean squared norm at unit norm");
        assertEquals(DIM, perFeatureSumSq / seen.size(), 1e-5, "mean squared norm at unit variance: one per varying feature");
    }

    @Test
    void theDeviceNetworkComputesOnStandardisedInputs() {
        LearnerConfig cfg = config();
        int[] widths = MlpWeights.widths(DIM, cfg.hiddenWidths(), 3);
        MlpWeights w = MlpWeights.initialise(widths, cfg.activation(), 5);
        SplitMix64 rng = new SplitMix64(2);
        FeatureMoments m = new FeatureMoments(DIM);
        float[][] xs = new float[40][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = row(rng, 0);
            m.add(xs[i]);
        }
        InputStandardization s = m.standardization();
        double[][] zs = new double[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            zs[i] = s.apply(xs[i]);
        }
        try (NDManager nd = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
             DeviceMlp withTransform = new DeviceMlp(nd, w.withInput(s), DataType.FLOAT64);
             DeviceMlp plain = new DeviceMlp(nd, w, DataType.FLOAT64)) {
            NDArray a = withTransform.forward(withTransform.toDevice(xs));
            NDArray b = plain.forward(plain.toDevice(zs));
            assertArrayEquals(b.toDoubleArray(), a.toDoubleArray(), 1e-12);
        }
        // re-expressing weights for another transform keeps the function (the warm start across retrains)
        FeatureMoments m2 = m.copy();
        for (int i = 0; i < 40; i++) {
            m2.add(row(rng, 30));
        }
        InputStandardization s2 = m2.standardization();
        MlpWeights moved = InputStandardization.reexpress(w, s, s2).withInput(s2);
        MlpWeights fromRaw = InputStandardization.reexpress(w, null, s2).withInput(s2);
        try (NDManager nd = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
             DeviceMlp before = new DeviceMlp(nd, w.withInput(s), DataType.FLOAT64);
             DeviceMlp after = new DeviceMlp(nd, moved, DataType.FLOAT64);
             DeviceMlp raw = new DeviceMlp(nd, w, DataType.FLOAT64);
             DeviceMlp rawMoved = new DeviceMlp(nd, fromRaw, DataType.FLOAT64)) {
            double[] f1 = before.forward(before.toDevice(xs)).toDoubleArray();
            double[] f2 = after.forward(after.toDevice(xs)).toDoubleArray();
            assertEquals(0, OnlineModelTest.normRel(f2, f1), 1e-9);
            double[] f3 = raw.forward(raw.toDevice(xs)).toDoubleArray();
            double[] f4 = rawMoved.forward(rawMoved.toDevice(xs)).toDoubleArray();
            assertEquals(0, OnlineModelTest.normRel(f4, f3), 1e-9);
        }
    }

    @Test
    void eachRetrainFreezesTheMomentsAndPredictionsDoNotMoveBetweenRetrains() {
        LearnerConfig cfg = config();
        SplitMix64 rng = new SplitMix64(3);
        List<float[]> seen = new ArrayList<>();
        float[][] probe = new float[10][];
        for (int i = 0; i < probe.length; i++) {
            probe[i] = row(rng, 0);
        }
        try (OnlineModel m = OnlineModel.create(cfg)) {
            assertNull(m.weights().input(), "raw inputs until the first retrain");
            for (int i = 0; i < 200; i++) {
                float[] x = row(rng, 0);
                m.observe(x);
                seen.add(x);
            }
            for (int i = 0; i < 19; i++) {
                float[] x = row(rng, 0);
                m.fold("e" + i, x, i % 3);
                seen.add(x);
            }
            float[] p = row(rng, 0);
            assertTrue(m.addPending("p0", p));
            seen.add(p);
            double[][] bf = bruteForce(seen);
            FeatureMoments now = m.featureMoments();
            assertEquals(seen.size(), now.count());
            assertRelativelyClose(bf[0], now.mean(), 1e-9, "model mean");
            assertRelativelyClose(bf[1], now.variance(), 1e-9, "model variance");

            float[] last = row(rng, 0);
            seen.add(last);
            assertTrue(m.fold("e19", last, 1).refreshed(), "the warm-up retrain");
            InputStandardization frozen = m.weights().input();
            assertNotNull(frozen);
            double[][] atRetrain = bruteForce(seen);
            assertRelativelyClose(atRetrain[0], frozen.mean(), 1e-9, "frozen mean");
            assertEquals(LearnerConfig.StandardizeScale.UNIT_NORM, m.config().standardizeScale(), "the default scale");
            for (int j = 0; j < DIM; j++) {
                // unit norm: every feature varies, so each sd is sqrt(DIM) times the feature's own
                double expected = Math.sqrt(atRetrain[1][j] * DIM);
                assertEquals(expected, frozen.sd()[j], 1e-9 * expected);
            }

            double[][] before = m.predictAll(probe);
            for (int i = 0; i < 500; i++) {
                m.observe(row(rng, 40)); // the stream moves far away: the moments change a lot
            }
            assertTrue(Math.abs(m.featureMoments().mean()[0] - frozen.mean()[0]) > 10, "the moments moved");
            assertEquals(frozen, m.weights().input(), "the linearisation keeps its transform");
            double[][] after = m.predictAll(probe);
            for (int i = 0; i < probe.length; i++) {
                assertArrayEquals(before[i], after[i], 0.0, "a fixed linearisation's predictions do not move");
            }

            m.refresh();
            InputStandardization next = m.weights().input();
            assertRelativelyClose(m.featureMoments().mean(), next.mean(), 0, "the next retrain takes the moments then");
            assertTrue(!next.equals(frozen));
        }
    }

    @Test
    void offTheNetworkSeesRawInputs() {
        LearnerConfig cfg = config().toBuilder().standardizeInputs(false).build();
        SplitMix64 rng = new SplitMix64(4);
        try (OnlineModel m = OnlineModel.create(cfg)) {
            for (int i = 0; i < 20; i++) {
                m.observe(row(rng, 0));
                m.fold("e" + i, row(rng, 0), i % 3);
            }
            assertTrue(m.isWarm());
            assertNull(m.weights().input());
            assertNull(m.featureMoments());
        }
    }

    @Test
    void snapshotsDeltasAndStateCarryTheTransformAndReplicasScoreAsTheTrainer() {
        LearnerConfig cfg = config();
        SplitMix64 rng = new SplitMix64(5);
        float[][] candidates = new float[12][];
        float[][] pool = new float[8][];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = row(rng, 0);
        }
        for (int i = 0; i < pool.length; i++) {
            pool[i] = row(rng, 0);
        }
        try (OnlineModel m = OnlineModel.create(cfg);
             ModelReplica replica = new ModelReplica(cfg)) {
            for (int i = 0; i < 26; i++) {
                m.observe(row(rng, 0), row(rng, 0));
                m.fold("e" + i, row(rng, 0), i % 3);
            }
            m.addPending("p0", row(rng, 0));
            assertNotNull(m.weights().input());
            ModelSnapshot snap = ModelSnapshot.fromBytes(m.snapshot().toBytes());
            assertEquals(m.weights(), snap.weights(), "weights and transform survive the wire");
            assertThrows(IllegalArgumentException.class, () -> m.snapshot().toBytes(2),
                    "the old format cannot carry the transform");
            assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(snap));
            long base = m.version();
            List<KernelEntry> baseEntries = new ArrayList<>(m.kernelState().entries());
            for (int i = 26; i < 30; i++) {
                m.observe(row(rng, 3));
                m.fold("e" + i, row(rng, 0), i % 3);
            }
            m.fold("p0", row(rng, 0), 2);
            ModelDelta d = ModelDelta.between(base, baseEntries, m.version(), m.isWarm(),
                    new ArrayList<>(m.kernelState().entries()));
            assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(ModelDelta.fromBytes(d.toBytes())));
            try (Scorer live = Scorer.live(m)) {
                ScoredBatch trainer = live.score(candidates, pool);
                ScoredBatch scorer = replica.scorer().score(candidates, pool);
                assertArrayEquals(trainer.predictedClass(), scorer.predictedClass());
                for (String f : List.of("margin", "entropy", "lookahead_flip", "balent")) {
                    assertEquals(0, OnlineModelTest.normRel(scorer.scores(f), trainer.scores(f)), 1e-9, f);
                }
                assertEquals(0, OnlineModelTest.normRel(scorer.maxProbability(), trainer.maxProbability()), 1e-9);
            }

            // the full state keeps the transform, the moments and the kernel state: the restored model predicts alike
            byte[] bytes = m.toBytes();
            try (OnlineModel r = OnlineModel.fromBytes(cfg, bytes)) {
                assertEquals(m.weights(), r.weights());
                assertArrayEquals(m.featureMoments().mean(), r.featureMoments().mean(), 0);
                assertArrayEquals(m.featureMoments().variance(), r.featureMoments().variance(), 0);
                for (float[] x : candidates) {
                    // T's features are recomputed at the restore, in one batch: rounding-level differences only
                    assertEquals(0, OnlineModelTest.normRel(r.predict(x), m.predict(x)), 1e-12);
                }
                KernelRegressionState a = m.kernelState();
                KernelRegressionState b = r.kernelState();
                assertEquals(0, OnlineModelTest.normRel(b.inverseToDoubles(), a.inverseToDoubles()), 1e-12);
            }
        }
    }
}
