package io.alstream.learner;

import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.nn.MlpNetwork;
import io.alstream.learner.nn.MlpWeights;
import io.alstream.learner.util.ComputeDevice;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.alstream.learner.OnlineModelTest.normRel;
import static io.alstream.learner.OnlineModelTest.randomX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retraining off the folding thread (DESIGN 12): the asynchronous path must give the model the synchronous
 * path gives for the same inputs, survive a checkpoint taken while it runs, and fold each label once.
 * A held executor keeps the retrain "running" for as long as the test wants, so no test depends on timing.
 */
class AsyncRetrainTest {

    /** Runs what it is given only when told: a retrain stays in flight until {@link #runAll()}. */
    static final class HeldExecutor implements Executor {
        final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.remove(0).run();
            }
        }
    }

    static LearnerConfig config() {
        return OnlineModelTest.small(KernelKind.PNTK).toBuilder().warmupLabels(10).refreshGrowth(2).trainEpochs(3).build();
    }

    /** One step of the scripted stream: a label, a pending request, or a request closed without a label. */
    record Op(char kind, String id, int x, int label) { }

    /** Labels e0..e9 (the warm-up retrain starts at e9), then what arrives while it runs. */
    static List<Op> warmupThenTraffic() {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ops.add(new Op('L', "e" + i, i, i % 3));
        }
        ops.add(new Op('P', "p1", 40, -1));
        ops.add(new Op('P', "p2", 41, -1));
        for (int i = 10; i < 15; i++) {
            ops.add(new Op('L', "e" + i, i, i % 3));
        }
        ops.add(new Op('L', "p1", 40, 2));   // confirms a pending request made during the retrain
        ops.add(new Op('D', "p2", 41, -1));  // drops one
        ops.add(new Op('P', "p3", 42, -1));
        ops.add(new Op('L', "e3", 3, 0));    // a duplicate of a label in the training set
        return ops;
    }

    /**
     * Float-representable points: the job's path ({@link ModelInput}) carries float32 features, and the running
     * feature moments the retrains standardise by are summed from the inputs as given, so the paths compared
     * here must be given the same numbers.
     */
    static List<double[]> points() {
        SplitMix64 rng = new SplitMix64(21);
        List<double[]> xs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            double[] x = randomX(rng, 16);
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) x[j];
            }
            xs.add(x);
        }
        return xs;
    }

    static void apply(OnlineModel m, Op op, List<double[]> xs) {
        switch (op.kind()) {
            case 'L' -> m.fold(op.id(), xs.get(op.x()), op.label());
            case 'P' -> m.addPending(op.id(), xs.get(op.x()));
            case 'D' -> m.dropPending(op.id());
            default -> throw new IllegalArgumentException(op.toString());
        }
    }

    static void assertSameModel(OnlineModel expected, OnlineModel actual, List<double[]> probes) {
        // the same figures; the version differs (swapping a retrain in is a version of its own)
        ModelStats se = expected.stats();
        ModelStats sa = actual.stats();
        assertEquals(List.of(se.labelsFolded(), se.kernelSize(), se.pendingCount(), se.refreshCount(), se.warm()),
                List.of(sa.labelsFolded(), sa.kernelSize(), sa.pendingCount(), sa.refreshCount(), sa.warm()));
        assertEquals(expected.kernelState().entries().stream().map(e -> e.id() + (e.pending() ? "?" : "")).toList(),
                actual.kernelState().entries().stream().map(e -> e.id() + (e.pending() ? "?" : "")).toList(), "T, in order");
        // training is seeded and runs the same steps on the same labels: the weights are bit-identical
        assertArrayEquals(expected.weights().weight(0), actual.weights().weight(0), 0.0);
        assertArrayEquals(expected.weights().bias(1), actual.weights().bias(1), 0.0);
        double err = normRel(actual.kernelState().inverseToDoubles(), expected.kernelState().inverseToDoubles());
        assertTrue(err < 1e-9, "A^-1 differs by " + err);
        for (double[] u : probes) {
            double[] a = expected.predict(u);
            double[] b = actual.predict(u);
            for (int c = 0; c < a.length; c++) {
                assertEquals(a[c], b[c], 1e-9 * Math.max(1, Math.abs(a[c])), "f(u) class " + c);
            }
        }
    }

    @Test
    void asyncRetrainGivesTheSyncModelWithWhatArrivedMeanwhileReapplied() {
        LearnerConfig cfg = config();
        List<double[]> xs = points();
        HeldExecutor held = new HeldExecutor();
        try (OnlineModel sync = OnlineModel.create(cfg); OnlineModel async = OnlineModel.create(cfg)) {
            async.setRetrainExecutor(held);
            for (Op op : warmupThenTraffic()) {
                apply(sync, op, xs);
                apply(async, op, xs);
            }
            assertTrue(sync.isWarm());
            assertFalse(sync.isRetraining());
            assertTrue(async.isRetraining(), "the warm-up retrain is still running");
            assertFalse(async.isWarm());
            assertEquals(1, held.tasks.size());
            assertEquals(sync.stats().labelsFolded(), async.stats().labelsFolded(), "labels fold during the retrain");
            assertFalse(async.pollRetrain(), "nothing to swap in before the retrain finishes");

            held.runAll();
            long before = async.version();
            assertTrue(async.pollRetrain());
            assertTrue(async.version() > before);
            assertFalse(async.isRetraining());
            assertSameModel(sync, async, xs.subList(50, 60));

            // on to the next retrain (at 2x the labels of the first): it too matches once swapped in
            for (int i = 15; i < 26; i++) {
                sync.fold("e" + i, xs.get(i), i % 3);
                async.fold("e" + i, xs.get(i), i % 3);
            }
            assertEquals(2, sync.stats().refreshCount());
            assertTrue(async.isRetraining());
            held.runAll();
            async.pollRetrain();
            assertSameModel(sync, async, xs.subList(50, 60));
        }
    }

    /**
     * While a retrain runs, T grows to learner.kernel-cap-while-retraining and no further: later labels are folded
     * (counted, remembered, kept) but wait in the training set for the next retrain. A^{-1} stays the exact
     * inverse of the bounded T; batched (the job's path) and one by one agree; and the next retrain, trained on
     * the deferred labels too, gives bit for bit the weights a model that never deferred gets.
     */
    @Test
    void labelsBeyondTheBoundWhileRetrainingWaitForTheNextRetrain() {
        LearnerConfig cfg = config().toBuilder().kernelCap(12).kernelCapWhileRetraining(14).build();
        List<double[]> xs = points();
        HeldExecutor heldOne = new HeldExecutor();
        HeldExecutor heldBatch = new HeldExecutor();
        try (OnlineModel sync = OnlineModel.create(cfg);
             OnlineModel one = OnlineModel.create(cfg);
             OnlineModel batch = OnlineModel.create(cfg)) {
            one.setRetrainExecutor(heldOne);
            batch.setRetrainExecutor(heldBatch);
            List<ModelInput> inputs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sync.fold("e" + i, xs.get(i), i % 3);
                one.fold("e" + i, xs.get(i), i % 3);
                inputs.add(ModelInput.label("e" + i, toFloats(xs.get(i)), i % 3));
            }
            // the job folds in batches: one before the warm-up retrain starts (at e9) and one batch after
            batch.apply(inputs.subList(0, 10));
            batch.apply(inputs.subList(10, 20));
            for (OnlineModel m : List.of(one, batch)) {
                assertTrue(m.isRetraining(), "the warm-up retrain still runs");
                assertEquals(14, m.kernelState().size(), "T stops at the bound");
                assertEquals(6, m.labelsDeferred(), "e14..e19 wait for the next retrain");
                assertEquals(20, m.stats().labelsFolded(), "deferred labels are folded: counted and remembered");
                assertTrue(m.fold("e17", xs.get(17), 17 % 3).duplicate(), "a deferred label is not folded twice");
                double err = normRel(m.kernelState().refitInverse().toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                        .toDoubleArray(), m.kernelState().inverseToDoubles());
                assertTrue(err < 1e-9, "A^-1 is the inverse of the bounded T: " + err);
            }
            assertEquals(one.kernelState().entries().stream().map(e -> e.id()).toList(),
                    batch.kernelState().entries().stream().map(e -> e.id()).toList(), "batched = one by one");
            assertEquals(2, sync.stats().refreshCount(), "the model that never deferred retrained at e9 and at e19");
            heldOne.runAll();
            heldBatch.runAll();
            for (OnlineModel m : List.of(one, batch)) {
                assertTrue(m.pollRetrain());
                assertTrue(m.isRetraining(), "the second retrain, due at 2x the labels, starts as the first is swapped in");
            }
            heldOne.runAll();
            heldBatch.runAll();
            for (OnlineModel m : List.of(one, batch)) {
                assertTrue(m.pollRetrain());
                assertEquals(0, m.kernelState().size(), "every label is in the network now");
            }
            for (int i = 20; i < 23; i++) { // a fresh T on the new linearisation, the same in all three
                for (OnlineModel m : List.of(sync, one, batch)) {
                    m.fold("e" + i, xs.get(i), i % 3);
                }
            }
            assertSameModel(sync, one, xs.subList(50, 60));
            assertSameModel(sync, batch, xs.subList(50, 60));
        }
    }

    private static float[] toFloats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    @Test
    void checkpointDuringRetrainRestoresAndRedoesItFoldingEachLabelOnce() {
        LearnerConfig cfg = config();
        List<double[]> xs = points();
        List<Op> ops = warmupThenTraffic();
        int cut = 14; // inside the retrain: after e9 starts it, before the rest of the traffic
        HeldExecutor heldA = new HeldExecutor();
        HeldExecutor heldB = new HeldExecutor();
        try (OnlineModel sync = OnlineModel.create(cfg); OnlineModel a = OnlineModel.create(cfg)) {
            a.setRetrainExecutor(heldA);
            for (Op op : ops.subList(0, cut)) {
                apply(sync, op, xs);
                apply(a, op, xs);
            }
            assertTrue(a.isRetraining());
            byte[] checkpoint = a.toBytes();
            try (OnlineModel b = OnlineModel.fromBytes(cfg, checkpoint, heldB)) {
                assertTrue(b.isRetraining(), "the restored model redoes the interrupted retrain");
                assertEquals(1, heldB.tasks.size());
                assertArrayEquals(checkpoint, b.toBytes(), "restored state saves to the same bytes");
                // the source replays everything since the checkpoint; b also sees two labels it already has
                long foldedAtCheckpoint = b.stats().labelsFolded();
                assertTrue(b.fold("e11", xs.get(11), 11 % 3).duplicate());
                assertTrue(b.fold("e2", xs.get(2), 2 % 3).duplicate());
                assertEquals(foldedAtCheckpoint, b.stats().labelsFolded());
                for (Op op : ops.subList(cut, ops.size())) {
                    apply(sync, op, xs);
                    apply(a, op, xs);
                    apply(b, op, xs);
                }
                heldA.runAll();
                heldB.runAll();
                assertTrue(a.pollRetrain());
                assertTrue(b.pollRetrain());
                assertArrayEquals(a.toBytes(), b.toBytes(), "the redone retrain gives the same model, bit for bit");
                assertSameModel(sync, b, xs.subList(50, 60));
                assertEquals(16, b.stats().labelsFolded(), "e0..e14 and p1, each once");
            }
        }
    }

    @Test
    void retrainOnARealThreadIsSwappedInByPolling() throws Exception {
        LearnerConfig cfg = config();
        List<double[]> xs = points();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (OnlineModel sync = OnlineModel.create(cfg); OnlineModel async = OnlineModel.create(cfg)) {
            async.setRetrainExecutor(pool);
            for (Op op : warmupThenTraffic()) {
                apply(sync, op, xs);
                apply(async, op, xs);
            }
            async.awaitRetrain();
            assertSameModel(sync, async, xs.subList(50, 60));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pendingEntriesNeverTriggerARetrain() {
        LearnerConfig cfg = config().toBuilder().kernelCap(12).refreshGrowth(0).build();
        List<double[]> xs = points();
        try (OnlineModel m = OnlineModel.create(cfg)) {
            for (int i = 0; i < 10; i++) {
                m.fold("e" + i, xs.get(i), i % 3);
            }
            assertEquals(1, m.stats().refreshCount(), "the warm-up training");
            int added = 0;
            for (int i = 0; i < 20; i++) {
                added += m.addPending("p" + i, xs.get(20 + i)) ? 1 : 0;
            }
            assertEquals(12, added, "pending entries stop at the cap");
            for (int i = 10; i < 21; i++) {
                assertFalse(m.fold("e" + i, xs.get(i), i % 3).refreshed(), "label " + (i - 9) + " of 12");
            }
            assertEquals(1, m.stats().refreshCount());
            assertTrue(m.fold("e21", xs.get(21), 0).refreshed(), "the 12th label since the retrain reaches the cap");
            assertEquals(2, m.stats().refreshCount());
        }
    }

    @Test
    void trainingStopsAtTheStepBudget() {
        LearnerConfig cfg = config();
        SplitMix64 rng = new SplitMix64(3);
        List<float[]> xs = new ArrayList<>();
        int[] ys = new int[40];
        for (int i = 0; i < 40; i++) {
            double[] x = randomX(rng, 16);
            float[] f = new float[16];
            for (int j = 0; j < 16; j++) {
                f[j] = (float) x[j];
            }
            xs.add(f);
            ys[i] = i % 3;
        }
        MlpWeights start = MlpWeights.initialise(MlpWeights.widths(16, new int[] {64}, 3), cfg.activation(), 5);
        try (MlpNetwork budget = new MlpNetwork(cfg, start, ComputeDevice.get());
             MlpNetwork epochs = new MlpNetwork(cfg, start, ComputeDevice.get());
             MlpNetwork more = new MlpNetwork(cfg, start, ComputeDevice.get())) {
            // 40 labels in batches of 8: 5 steps an epoch; a budget of 15 steps stops 100 epochs after the 3rd
            budget.train(xs, ys, 100, 15, 1e-2, 8, 9, () -> false);
            epochs.train(xs, ys, 3, 1e-2, 8, 9);
            more.train(xs, ys, 4, 1e-2, 8, 9);
            assertArrayEquals(epochs.weights().weight(0), budget.weights().weight(0), 0.0);
            assertFalse(java.util.Arrays.equals(more.weights().weight(0), budget.weights().weight(0)));
        }
    }

    @Test
    void foldedIdsAreRememberedInABoundedWindow() {
        LearnerConfig cfg = config().toBuilder().warmupLabels(0).dedupWindow(5).build();
        List<double[]> xs = points();
        try (OnlineModel m = OnlineModel.create(cfg)) {
            for (int i = 0; i < 8; i++) {
                m.fold("e" + i, xs.get(i), i % 3);
            }
            assertTrue(m.fold("e7", xs.get(7), 1).duplicate());
            assertTrue(m.fold("e3", xs.get(3), 0).duplicate(), "the 5 newest ids are remembered");
            assertFalse(m.fold("e2", xs.get(2), 2).duplicate(), "older ones have left the window");
            try (OnlineModel back = OnlineModel.fromBytes(cfg, m.toBytes())) {
                assertTrue(back.fold("e2", xs.get(2), 2).duplicate());
                assertFalse(back.fold("e3", xs.get(3), 0).duplicate(), "the window is restored with the state");
            }
        }
    }
}
