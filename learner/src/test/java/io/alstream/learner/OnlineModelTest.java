package io.alstream.learner;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.alstream.learner.SharedReference.flat;
import static io.alstream.learner.SharedReference.mat;
import static io.alstream.learner.SharedReference.maxRelErr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnlineModelTest {

    static LearnerConfig small(KernelKind kind) {
        return LearnerConfig.builder().inputDim(16).numClasses(3).hiddenWidths(64).kernelKind(kind)
                .ridgeLambda(1e-2).kernelCap(100_000).warmupLabels(0).trainEpochs(5).referencePoolSize(32)
                .acquisitionFunctions(List.of("lookahead_mlmoc", "lookahead_flip", "balent", "bald", "entropy", "random"))
                .selectBy("balent").build();
    }

    static double[] randomX(SplitMix64 rng, int d) {
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
            x[i] = rng.nextGaussian();
        }
        return x;
    }

    /** max |a - b| / max |b|: the matrix-norm relative error. */
    static double normRel(double[] a, double[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    @Test
    void incrementalInverseEqualsFullRefitAfter500RandomUpdates() {
        for (KernelKind kind : new KernelKind[] {KernelKind.PNTK, KernelKind.FULL}) {
            SplitMix64 rng = new SplitMix64(11);
            int updates = kind == KernelKind.FULL ? 200 : 500;
            try (OnlineModel model = OnlineModel.create(small(kind))) {
                List<String> pending = new ArrayList<>();
                int appends = 0;
                for (int u = 0; u < updates; u++) {
                    double r = rng.nextDouble();
                    String id = "e" + u;
                    if (r < 0.6) {
                        model.fold(id, randomX(rng, 16), rng.nextInt(3));
                        appends++;
                    } else if (r < 0.8) {
                        assertTrue(model.addPending(id, randomX(rng, 16)));
                        pending.add(id);
                    } else if (!pending.isEmpty() && r < 0.9) {
                        String p = pending.remove(rng.nextInt(pending.size()));
                        FoldResult f = model.fold(p, randomX(rng, 16), rng.nextInt(3)); // x ignored: pending x is kept
                        assertTrue(f.confirmedPending());
                    } else if (!pending.isEmpty()) {
                        assertTrue(model.dropPending(pending.remove(rng.nextInt(pending.size()))));
                    }
                }
                assertTrue(appends > updates / 2);
                NDArray refit = model.kernelState().refitInverse();
                double err = normRel(model.kernelState().inverseToDoubles(), refit.toDoubleArray());
                refit.close();
                System.out.printf("%s: |T| = %d after %d updates, incremental vs refit A^-1 rel err %.3e%n",
                        kind, model.stats().kernelSize(), updates, err);
                assertTrue(err < 1e-8, kind + " incremental A^-1 drifted from the refit: " + err);
            }
        }
    }

    @Test
    void onlineModelAndScorerReproduceTheLookaheadVectors() {
        JsonNode ref = SharedReference.json("ntk_lookahead_reference.json");
        double[][] xt = mat(ref.get("data").get("X_labelled"));
        double[][] xu = mat(ref.get("data").get("X_pool"));
        JsonNode yt = ref.get("data").get("y_labelled");
        JsonNode sc = ref.get("scenarios").get("pntk_noreg (repo config: trace_axes=[-1], cycle<5 => diag_reg=0)");
        LearnerConfig cfg = LearnerConfig.builder().inputDim(5).numClasses(3).hiddenWidths(16)
                .activation(LearnerConfig.Activation.TANH).ridgeLambda(0).warmupLabels(0).kernelCap(1000)
                .acquisitionFunctions(List.of("lookahead_flip", "lookahead_mlmoc")).selectBy("lookahead_flip").build();
        try (OnlineModel model = OnlineModel.createWithWeights(cfg, SharedReference.lookaheadParams(ref, "params"), true)) {
            for (int i = 0; i < xt.length; i++) {
                assertTrue(model.fold("t" + i, xt[i], yt.get(i).asInt()).folded());
            }
            double[] preds = new double[xu.length * 3];
            for (int i = 0; i < xu.length; i++) {
                System.arraycopy(model.predict(xu[i]), 0, preds, i * 3, 3);
            }
            assertTrue(maxRelErr(preds, flat(sc.get("orig_preds_f_lin_L")), 1e-3) < 1e-8);
            ModelSnapshot snap = ModelSnapshot.fromBytes(model.snapshot().toBytes());
            try (Scorer scorer = Scorer.of(snap, cfg)) {
                ScoredBatch s = scorer.score(xu, xu);
                double[] acc = flat(sc.get("objectives").get("accuracy_vs_ntk_orig"));
                double[] flip = s.scores("lookahead_flip");
                for (int i = 0; i < acc.length; i++) {
                    assertEquals(acc[i], 1 - flip[i], 1e-12);
                }
                assertTrue(maxRelErr(s.scores("lookahead_mlmoc"), flat(sc.get("objectives").get("mlmoc_l2_vs_linearised_fL")), 1e-3) < 1e-8);
            }
        }
    }

    @Test
    void foldIsIdempotentAndPendingEntriesConfirmOrDrop() {
        SplitMix64 rng = new SplitMix64(3);
        try (OnlineModel model = OnlineModel.create(small(KernelKind.PNTK))) {
            for (int i = 0; i < 20; i++) {
                model.fold("a" + i, randomX(rng, 16), i % 3);
            }
            double[] probe = randomX(rng, 16);
            double[] before = model.predict(probe);
            long v = model.version();
            double[] x = randomX(rng, 16);
            FoldResult dup = model.fold("a3", x, 1);
            assertTrue(dup.duplicate());
            assertEquals(v, model.version());
            assertArrayEquals(before, model.predict(probe), 0.0);

            assertTrue(model.addPending("p1", x));
            assertFalse(model.addPending("p1", x), "already pending");
            assertFalse(model.addPending("a3", x), "already folded");
            assertEquals(1, model.stats().pendingCount());
            assertNotEquals(v, model.version());
            assertTrue(model.dropPending("p1"));
            assertFalse(model.dropPending("p1"));
            assertTrue(maxRelErr(model.predict(probe), before, 1e-6) < 1e-9, "dropping restores the model");

            assertTrue(model.addPending("p2", x));
            double[] pendingPred = model.predict(x);
            FoldResult confirmed = model.fold("p2", x, 2);
            assertTrue(confirmed.confirmedPending());
            assertEquals(0, model.stats().pendingCount());
            assertEquals(21, model.stats().kernelSize());
            assertTrue(model.predict(x)[2] > pendingPred[2] - 1e-9);
            assertTrue(model.fold("p2", x, 0).duplicate());
        }
    }

    @Test
    void checkpointRestoresAndContinuesIdentically() {
        LearnerConfig cfg = small(KernelKind.PNTK).toBuilder().warmupLabels(10).kernelCap(15).trainEpochs(3).build();
        SplitMix64 rng = new SplitMix64(5);
        List<double[]> xs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            xs.add(randomX(rng, 16));
        }
        try (OnlineModel a = OnlineModel.create(cfg)) {
            for (int i = 0; i < 30; i++) {
                a.fold("e" + i, xs.get(i), i % 3);
            }
            a.addPending("p", xs.get(59));
            assertTrue(a.isWarm());
            assertTrue(a.stats().refreshCount() >= 2, "warm-up and the cap both refresh: " + a.stats());
            byte[] saved = a.toBytes();
            try (OnlineModel b = OnlineModel.fromBytes(cfg, saved)) {
                assertArrayEquals(saved, b.toBytes());
                for (int i = 30; i < 58; i++) {
                    FoldResult fa = a.fold("e" + i, xs.get(i), i % 3);
                    FoldResult fb = b.fold("e" + i, xs.get(i), i % 3);
                    assertEquals(fa.toString(), fb.toString());
                }
                assertArrayEquals(a.predict(xs.get(58)), b.predict(xs.get(58)), 0.0);
                assertArrayEquals(a.toBytes(), b.toBytes());
                assertEquals(a.stats().toString(), b.stats().toString());
            }
        }
    }

    @Test
    void geometricScheduleRetrainsAtTwiceTheLabelsOfTheLastRetraining() {
        LearnerConfig cfg = small(KernelKind.PNTK).toBuilder().warmupLabels(10).refreshGrowth(2).trainEpochs(1).build();
        SplitMix64 rng = new SplitMix64(9);
        List<Integer> retrainedAt = new ArrayList<>();
        try (OnlineModel m = OnlineModel.create(cfg)) {
            for (int i = 1; i <= 85; i++) {
                if (m.fold("e" + i, randomX(rng, 16), i % 3).refreshed()) {
                    retrainedAt.add(i);
                }
            }
        }
        assertEquals(List.of(10, 20, 40, 80), retrainedAt, "the seed set, then each doubling");
    }

    @Test
    void aBatchFoldedAsOneBlockThenSingleFoldsEqualsAFullRefit() {
        SplitMix64 rng = new SplitMix64(31);
        try (OnlineModel model = OnlineModel.create(small(KernelKind.PNTK))) {
            for (int round = 0; round < 2; round++) { // the second block lands on a non-empty T
                int n = 100; // at least the block threshold: one device block update
                String[] ids = new String[n];
                float[][] xs = new float[n][16];
                int[] ys = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = "b" + round + "-" + i;
                    double[] x = randomX(rng, 16);
                    for (int j = 0; j < 16; j++) {
                        xs[i][j] = (float) x[j];
                    }
                    ys[i] = rng.nextInt(3);
                }
                assertEquals(n, model.foldBatch(ids, xs, ys));
                for (int i = 0; i < 5; i++) {
                    model.fold("s" + round + "-" + i, randomX(rng, 16), i % 3);
                }
            }
            NDArray refit = model.kernelState().refitInverse();
            double err = normRel(model.kernelState().inverseToDoubles(), refit.toDoubleArray());
            refit.close();
            assertEquals(210, model.stats().kernelSize());
            assertTrue(err < 1e-9, "block + single updates drifted from the refit: " + err);
        }
    }
}
