package io.alstream.learner;

import ai.djl.ndarray.NDArray;
import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.kernel.KernelEntry;
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
 * {@link OnlineModel#apply} (a batch: one features pass, one product pass over A^-1, one block update) against the
 * same inputs one call at a time (addPending / fold / dropPending): the same T, the same A^-1 and predictions to
 * 1e-9 in float64, the same answers input by input, and A^-1 equal to a brute-force refit.
 */
class BatchApplyTest {
    private static final int DIM = 16;
    private static final int CLASSES = 3;

    static LearnerConfig config(KernelKind kind, int cap) {
        return LearnerConfig.builder().inputDim(DIM).numClasses(CLASSES).hiddenWidths(64).kernelKind(kind)
                .ridgeLambda(1e-2).kernelCap(cap).warmupLabels(0).trainEpochs(3).referencePoolSize(32)
                .precision(LearnerConfig.Precision.FLOAT64)
                .acquisitionFunctions(List.of("entropy")).selectBy("entropy").build();
    }

    static float[] row(SplitMix64 rng) {
        float[] x = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    /**
     * A trainer's input stream: requests (pending), their labels (confirmations), labels of unrequested events,
     * closes without a label (drops), plus what must be ignored (a label twice, a request twice, a drop of a
     * folded id or an unknown one, a request for a folded id).
     */
    static List<ModelInput> stream(long seed, int n) {
        SplitMix64 rng = new SplitMix64(seed);
        List<ModelInput> out = new ArrayList<>();
        List<String> requested = new ArrayList<>();
        List<String> folded = new ArrayList<>();
        java.util.Map<String, float[]> rows = new java.util.HashMap<>();
        for (int u = 0; u < n; u++) {
            double r = rng.nextDouble();
            String id = "e" + u;
            if (r < 0.35) {
                float[] x = row(rng);
                rows.put(id, x);
                out.add(ModelInput.pending(id, x));
                requested.add(id);
            } else if (r < 0.6 && !requested.isEmpty()) {
                String p = requested.remove(rng.nextInt(requested.size()));
                out.add(ModelInput.label(p, rows.get(p), rng.nextInt(CLASSES))); // a label carries its event's features
                folded.add(p);
            } else if (r < 0.8) {
                out.add(ModelInput.label(id, row(rng), rng.nextInt(CLASSES)));
                folded.add(id);
            } else if (r < 0.88 && !requested.isEmpty()) {
                out.add(ModelInput.drop(requested.remove(rng.nextInt(requested.size()))));
            } else if (r < 0.92 && !folded.isEmpty()) {
                out.add(ModelInput.label(folded.get(rng.nextInt(folded.size())), row(rng), rng.nextInt(CLASSES)));
            } else if (r < 0.95 && !folded.isEmpty()) {
                out.add(ModelInput.pending(folded.get(rng.nextInt(folded.size())), row(rng)));
            } else if (r < 0.98) {
                out.add(ModelInput.drop(rng.nextDouble() < 0.5 || folded.isEmpty() ? "unknown" + u : folded.get(0)));
            } else if (!requested.isEmpty()) {
                out.add(ModelInput.pending(requested.get(0), row(rng))); // requested twice
            }
        }
        return out;
    }

    /** The single calls the trainer made before batching. */
    static List<ModelInput.Result> oneByOne(OnlineModel m, List<ModelInput> inputs) {
        List<ModelInput.Result> out = new ArrayList<>();
        for (ModelInput in : inputs) {
            switch (in.kind()) {
                case PENDING -> out.add(new ModelInput.Result(m.addPending(in.eventId(), in.x()), null, false));
                case DROP -> out.add(new ModelInput.Result(m.dropPending(in.eventId()), null, false));
                case LABEL -> {
                    boolean warm = m.isWarm();
                    FoldResult f = m.fold(in.eventId(), in.x(), in.label());
                    out.add(new ModelInput.Result(f.folded(), f, warm));
                }
                default -> throw new IllegalStateException();
            }
        }
        return out;
    }

    static List<ModelInput.Result> inBatches(OnlineModel m, List<ModelInput> inputs, int batch) {
        List<ModelInput.Result> out = new ArrayList<>();
        for (int from = 0; from < inputs.size(); from += batch) {
            out.addAll(m.apply(inputs.subList(from, Math.min(inputs.size(), from + batch))));
        }
        return out;
    }

    static double normRel(double[] a, double[] b) {
        assertEquals(b.length, a.length, "sizes differ");
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    /** Same T (ids, targets, pending flags, rows), same A^-1 and predictions to 1e-9, same counters. */
    static void assertSameModel(OnlineModel expected, OnlineModel actual, String what) {
        List<KernelEntry> a = actual.kernelState().entries();
        List<KernelEntry> e = expected.kernelState().entries();
        assertEquals(e.size(), a.size(), what + ": |T|");
        for (int i = 0; i < e.size(); i++) {
            assertEquals(e.get(i).id(), a.get(i).id(), what + ": entry " + i);
            assertEquals(e.get(i).pending(), a.get(i).pending(), what + ": pending flag of " + e.get(i).id());
            assertArrayEquals(e.get(i).target(), a.get(i).target(), what + ": target of " + e.get(i).id());
            assertArrayEquals(e.get(i).x(), a.get(i).x(), what + ": row of " + e.get(i).id());
        }
        assertEquals(expected.stats().toString(), actual.stats().toString(), what + ": stats");
        assertEquals(expected.version(), actual.version(), what + ": version");
        if (!e.isEmpty()) {
            double err = normRel(actual.kernelState().inverseToDoubles(), expected.kernelState().inverseToDoubles());
            assertTrue(err < 1e-9, what + ": batch A^-1 differs from the sequential one by " + err);
            try (NDArray refit = actual.kernelState().refitInverse()) {
                double refitErr = normRel(actual.kernelState().inverseToDoubles(), refit.toDoubleArray());
                assertTrue(refitErr < 1e-8, what + ": batch A^-1 differs from a refit by " + refitErr);
            }
        }
        SplitMix64 rng = new SplitMix64(5);
        for (int p = 0; p < 20; p++) {
            float[] x = row(rng);
            double err = normRel(actual.predict(x), expected.predict(x));
            assertTrue(err < 1e-9, what + ": prediction differs by " + err);
        }
    }

    static void assertSameAnswers(List<ModelInput.Result> expected, List<ModelInput.Result> actual, boolean predictions, String what) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            ModelInput.Result e = expected.get(i);
            ModelInput.Result a = actual.get(i);
            assertEquals(e.changed(), a.changed(), what + ": input " + i + " changed");
            if (e.fold() == null) {
                assertNull(a.fold(), what + ": input " + i);
                continue;
            }
            assertNotNull(a.fold(), what + ": input " + i);
            assertEquals(e.fold().status(), a.fold().status(), what + ": input " + i);
            assertEquals(e.fold().confirmedPending(), a.fold().confirmedPending(), what + ": input " + i + " confirmed");
            assertEquals(e.fold().refreshed(), a.fold().refreshed(), what + ": input " + i + " refreshed");
            assertEquals(e.fold().version(), a.fold().version(), what + ": input " + i + " version");
            assertEquals(e.warmBefore(), a.warmBefore(), what + ": input " + i + " warm");
            if (predictions) {
                assertEquals(e.fold().predictedBefore(), a.fold().predictedBefore(), what + ": input " + i + " prediction");
            }
        }
    }

    @Test
    void batchesEqualSingleUpdatesForMixedInputs() {
        for (KernelKind kind : new KernelKind[] {KernelKind.PNTK, KernelKind.FULL}) {
            List<ModelInput> inputs = stream(3, kind == KernelKind.FULL ? 150 : 400);
            LearnerConfig cfg = config(kind, 100_000);
            try (OnlineModel seq = OnlineModel.create(cfg)) {
                List<ModelInput.Result> expected = oneByOne(seq, inputs);
                assertTrue(seq.stats().kernelSize() > 40, "the stream builds a real T: " + seq.stats());
                assertTrue(seq.stats().pendingCount() > 0, "and leaves requests pending: " + seq.stats());
                for (int batch : new int[] {1, 8, 32, inputs.size()}) {
                    try (OnlineModel b = OnlineModel.create(cfg)) {
                        List<ModelInput.Result> actual = inBatches(b, inputs, batch);
                        String what = kind + ", batches of " + batch;
                        assertSameAnswers(expected, actual, batch == 1, what);
                        assertSameModel(seq, b, what);
                    }
                }
            }
        }
    }

    @Test
    void capAndRetrainsSplitBatchesAsSingleUpdatesWould() {
        // a cap of 24 labels: pending adds are refused when T is full, and retrains (on this thread) restart T
        LearnerConfig cfg = config(KernelKind.PNTK, 24);
        List<ModelInput> inputs = stream(7, 300);
        try (OnlineModel seq = OnlineModel.create(cfg)) {
            List<ModelInput.Result> expected = oneByOne(seq, inputs);
            assertTrue(seq.stats().refreshCount() >= 2, "the stream retrains: " + seq.stats());
            long refused = expected.stream().filter(r -> r.fold() == null && !r.changed()).count();
            assertTrue(refused > 10, "the cap and the ignored inputs refuse some: " + refused);
            for (int batch : new int[] {1, 8, 32, inputs.size()}) {
                try (OnlineModel b = OnlineModel.create(cfg)) {
                    List<ModelInput.Result> actual = inBatches(b, inputs, batch);
                    assertSameAnswers(expected, actual, batch == 1, "cap, batches of " + batch);
                    assertSameModel(seq, b, "cap, batches of " + batch);
                }
            }
        }
    }

    @Test
    void aConfirmationInTPredictsWithoutFeatures() {
        // f(x_i) for x_i in T is y_i - lambda alpha_i: the same number as the full prediction f0 + K(x,T) alpha
        LearnerConfig cfg = config(KernelKind.PNTK, 100_000);
        SplitMix64 rng = new SplitMix64(9);
        try (OnlineModel m = OnlineModel.create(cfg)) {
            List<float[]> xs = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                float[] x = row(rng);
                xs.add(x);
                if (i % 3 == 0) {
                    m.addPending("p" + i, x);
                } else {
                    m.fold("l" + i, x, rng.nextInt(CLASSES));
                }
            }
            for (int i = 0; i < 30; i += 3) {
                int index = m.kernelState().indexOf("p" + i);
                double[] viaEntry = m.kernelState().predictEntry(index);
                double[] full = m.predict(xs.get(i));
                assertTrue(normRel(viaEntry, full) < 1e-9, "entry " + i + ": " + java.util.Arrays.toString(viaEntry)
                        + " vs " + java.util.Arrays.toString(full));
            }
        }
    }

    @Test
    void badInputsFailClearly() {
        try (OnlineModel m = OnlineModel.create(config(KernelKind.PNTK, 100))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.apply(List.of(ModelInput.label("a", new float[DIM], CLASSES))));
            assertTrue(e.getMessage().contains("label 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.apply(List.of(ModelInput.pending("b", new float[DIM + 1]))));
            assertTrue(e.getMessage().contains("expected " + DIM), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ModelInput.label("c", null, 0));
        }
    }
}
