package io.alstream.learner;

import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.kernel.KernelRegressionState;
import io.alstream.learner.nn.MlpWeights;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model distribution by deltas (issue 9, item 2): a scorer built from one snapshot and then kept current by
 * deltas (appends, confirms, drops) holds the state a scorer built from the newest snapshot holds, to 1e-9 in
 * float64; a replica that misses a delta ignores the rest until the next snapshot.
 */
class ModelDeltaTest {
    private static final int DIM = 16;

    static LearnerConfig config(KernelKind kind) {
        return LearnerConfig.builder().inputDim(DIM).numClasses(3).hiddenWidths(32).kernelKind(kind)
                .ridgeLambda(1).kernelCap(100_000).warmupLabels(0).refreshGrowth(0).referencePoolSize(16)
                .acquisitionFunctions(List.of("lookahead_mlmoc", "lookahead_flip", "bald", "entropy")).selectBy("balent").build();
    }

    static OnlineModel warmModel(LearnerConfig cfg) {
        int[] widths = MlpWeights.widths(cfg.inputDim(), cfg.hiddenWidths(), cfg.numClasses());
        return OnlineModel.createWithWeights(cfg, MlpWeights.initialise(widths, cfg.activation(), 3), true);
    }

    static float[] row(SplitMix64 rng) {
        float[] x = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            x[j] = (float) rng.nextGaussian();
        }
        return x;
    }

    /** The trainer's side of a publish: the delta from the last published T to the current one, over the wire. */
    private static ModelDelta publish(OnlineModel m, long[] lastVersion, List<List<KernelEntry>> lastEntries) {
        List<KernelEntry> now = new ArrayList<>(m.kernelState().entries());
        ModelDelta d = ModelDelta.between(lastVersion[0], lastEntries.get(0), m.version(), m.isWarm(), now);
        lastVersion[0] = m.version();
        lastEntries.set(0, now);
        return ModelDelta.fromBytes(d.toBytes());
    }

    @Test
    void aScorerAfterDeltasHoldsTheStateOfOneBuiltFromTheNewestSnapshot() {
        for (KernelKind kind : new KernelKind[] {KernelKind.PNTK, KernelKind.FULL}) {
            LearnerConfig cfg = config(kind);
            SplitMix64 rng = new SplitMix64(11);
            try (OnlineModel model = warmModel(cfg);
                 ModelReplica replica = new ModelReplica(cfg)) {
                for (int i = 0; i < 12; i++) {
                    model.fold("l" + i, row(rng), i % 3);
                }
                float[] pendingX = row(rng);
                model.addPending("p0", pendingX);
                model.addPending("p1", row(rng));
                model.addPending("p2", row(rng));
                assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(ModelSnapshot.fromBytes(model.snapshot().toBytes())));
                long[] lastVersion = {model.version()};
                List<List<KernelEntry>> lastEntries = new ArrayList<>(List.of(new ArrayList<>(model.kernelState().entries())));

                int confirms = 0;
                int drops = 0;
                int appends = 0;
                for (int step = 0; step < 15; step++) {
                    switch (step % 5) {
                        case 0 -> model.fold("n" + step, row(rng), step % 3);                   // a new label: append
                        case 1 -> {                                                            // two requests: append pending
                            assertTrue(model.addPending("q" + step, row(rng)));
                            assertTrue(model.addPending("s" + step, row(rng)));
                        }
                        case 2 -> model.fold("q" + (step - 1), row(rng), (step + 1) % 3);      // a label for one: confirm
                        case 3 -> assertTrue(model.dropPending("s" + (step - 2)));             // the other times out: drop
                        default -> { // several changes between two publishes
                            assertTrue(model.addPending("r" + step, row(rng)));
                            model.fold("m" + step, row(rng), 1);
                            assertTrue(model.dropPending("r" + step));
                            if (step < 10) {
                                model.fold(step == 4 ? "p0" : "p2", pendingX, 2);
                            }
                        }
                    }
                    ModelDelta d = publish(model, lastVersion, lastEntries);
                    confirms += d.confirmed().size();
                    drops += d.dropped().size();
                    appends += d.appended().size();
                    assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(d), "step " + step);
                    assertEquals(model.version(), replica.version());
                }
                assertTrue(confirms >= 3 && drops >= 1 && appends >= 6, "the deltas exercised every kind of change: "
                        + confirms + " confirms, " + drops + " drops, " + appends + " appends");
                assertEquals(15, replica.deltasApplied());
                assertEquals(0, replica.deltasSkipped());

                try (Scorer fromSnapshot = Scorer.of(ModelSnapshot.fromBytes(model.snapshot().toBytes()), cfg)) {
                    assertSameState(fromSnapshot.state(), replica.scorer().state(), kind + "");
                    assertSameState(model.kernelState(), replica.scorer().state(), kind + " vs trainer");
                    float[][] cands = new float[9][];
                    float[][] pool = new float[13][];
                    for (int i = 0; i < cands.length; i++) {
                        cands[i] = row(rng);
                    }
                    for (int i = 0; i < pool.length; i++) {
                        pool[i] = row(rng);
                    }
                    ScoredBatch a = fromSnapshot.score(cands, pool);
                    ScoredBatch b = replica.scorer().score(cands, pool);
                    assertEquals(a.modelVersion(), b.modelVersion());
                    for (String f : a.functions()) {
                        // relative: balent reaches |score| ~ 1e3 here, where float64 rounding of the state
                        // (held to 1e-9 absolute above) already moves the score by a few 1e-9
                        assertCloseRelative(a.scores(f), b.scores(f), 1e-9, kind + " " + f);
                    }
                }
            }
        }
    }

    /**
     * Deltas that wait and enter the scorer as one (ModelReplica composes them) give the state the same deltas give
     * one at a time, and the state of a scorer built from the newest snapshot: entries in the same order, A^{-1},
     * alpha and every score to 1e-9. The chain has what composition must get right: a request appended and dropped
     * before it was applied, one appended and then confirmed, a base entry confirmed, a base entry dropped and the
     * same id appended again, labels after drops.
     */
    @Test
    void deltasComposedBetweenBatchesGiveTheStateOfDeltasAppliedOneByOne() {
        for (KernelKind kind : new KernelKind[] {KernelKind.PNTK, KernelKind.FULL}) {
            LearnerConfig cfg = config(kind);
            SplitMix64 rng = new SplitMix64(21);
            try (OnlineModel model = warmModel(cfg);
                 ModelReplica eager = new ModelReplica(cfg);
                 ModelReplica lazy = new ModelReplica(cfg)) {
                for (int i = 0; i < 10; i++) {
                    model.fold("l" + i, row(rng), i % 3);
                }
                float[] p0 = row(rng);
                model.addPending("p0", p0);
                model.addPending("p1", row(rng));
                model.addPending("p2", row(rng));
                ModelSnapshot base = ModelSnapshot.fromBytes(model.snapshot().toBytes());
                eager.offer(base);
                lazy.offer(ModelSnapshot.fromBytes(model.snapshot().toBytes()));
                long[] lastVersion = {model.version()};
                List<List<KernelEntry>> lastEntries = new ArrayList<>(List.of(new ArrayList<>(model.kernelState().entries())));
                List<ModelDelta> chain = new ArrayList<>();
                java.util.function.Consumer<String> publish = what -> {
                    ModelDelta d = publish(model, lastVersion, lastEntries);
                    chain.add(d);
                    assertEquals(ModelReplica.Outcome.APPLIED, eager.offer(d), what);
                    assertNotNull(eager.scorer(), what);
                    assertEquals(ModelReplica.Outcome.APPLIED, lazy.offer(d), what);
                };
                assertTrue(model.addPending("q0", row(rng)));
                publish.accept("a request");
                assertTrue(model.addPending("q1", row(rng)));
                publish.accept("another request");
                assertTrue(model.dropPending("q0"));
                publish.accept("the first request times out before the scorer applied it");
                model.fold("q1", row(rng), 2);
                publish.accept("the second is labelled");
                model.fold("p1", row(rng), 0);
                publish.accept("a base request is labelled");
                assertTrue(model.dropPending("p2"));
                publish.accept("a base request times out");
                model.fold("n0", row(rng), 1);
                publish.accept("a label no request asked for");
                assertTrue(model.dropPending("p0"));
                assertTrue(model.addPending("p0", p0));
                publish.accept("a base entry dropped and the same id requested again");
                model.fold("p0", p0, 1);
                publish.accept("and labelled");

                assertEquals(lazy.version(), model.version(), "the lazy replica holds the newest version");
                assertEquals(chain.size(), lazy.deltasWaiting(), "none applied yet");
                ModelDelta composed = ModelDelta.compose(chain);
                assertTrue(composed.dropped().contains("p2") && composed.dropped().contains("p0")
                        && !composed.dropped().contains("q0"), "drops of base entries only: " + composed.dropped());
                assertEquals(List.of("q1", "n0", "p0"), composed.appended().stream().map(KernelEntry::id).toList(),
                        "appended entries still there, in the order they came");
                assertFalse(composed.appended().get(0).pending(), "q1 was confirmed after it was appended");

                Scorer one = lazy.scorer();
                assertEquals(1, lazy.updatesInPlace());
                assertEquals(chain.size(), eager.updatesInPlace());
                assertEquals(model.kernelState().entries().stream().map(KernelEntry::id).toList(),
                        one.state().entries().stream().map(KernelEntry::id).toList(), kind + ": T in the trainer's order");
                assertSameState(eager.scorer().state(), one.state(), kind + " composed vs one by one");
                assertSameState(model.kernelState(), one.state(), kind + " composed vs trainer");
                try (Scorer fromSnapshot = Scorer.of(ModelSnapshot.fromBytes(model.snapshot().toBytes()), cfg)) {
                    float[][] cands = new float[7][];
                    for (int i = 0; i < cands.length; i++) {
                        cands[i] = row(rng);
                    }
                    float[][] pool = {row(rng), row(rng), row(rng), row(rng)};
                    ScoredBatch a = fromSnapshot.score(cands, pool);
                    ScoredBatch b = one.score(cands, pool);
                    assertEquals(a.modelVersion(), b.modelVersion());
                    for (String f : a.functions()) {
                        assertClose(a.scores(f), b.scores(f), 1e-9, kind + " " + f);
                    }
                }
            }
        }
    }

    /** A chain that does not chain is refused; a confirm of an entry dropped before it makes the replica wait for a snapshot. */
    @Test
    void aChainThatDoesNotFitIsRefusedOrWaitsForASnapshot() {
        LearnerConfig cfg = config(KernelKind.PNTK);
        SplitMix64 rng = new SplitMix64(22);
        try (OnlineModel model = warmModel(cfg);
             ModelReplica replica = new ModelReplica(cfg)) {
            for (int i = 0; i < 4; i++) {
                model.fold("l" + i, row(rng), i % 3);
            }
            model.addPending("p", row(rng));
            replica.offer(ModelSnapshot.fromBytes(model.snapshot().toBytes()));
            long v = model.version();
            double[] y = {0, 1, 0};
            ModelDelta drop = new ModelDelta(v, v + 1, true, List.of("p"), List.of(), List.of());
            ModelDelta confirmDropped = new ModelDelta(v + 1, v + 2, true, List.of(),
                    List.of(new ModelDelta.Confirmed("p", y, false)), List.of());
            assertThrows(IllegalArgumentException.class, () -> ModelDelta.compose(List.of(drop, drop)));
            assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(drop));
            assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(confirmDropped));
            assertNull(replica.scorer(), "a composed chain that names a missing entry is not half-applied");
            assertEquals(2, replica.deltasSkipped());
            assertEquals(0, replica.deltasApplied());
            assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(ModelSnapshot.fromBytes(model.snapshot().toBytes())));
            assertNotNull(replica.scorer());
        }
    }

    @Test
    void aReplicaThatMissesADeltaIgnoresDeltasUntilTheNextSnapshot() {
        LearnerConfig cfg = config(KernelKind.PNTK);
        SplitMix64 rng = new SplitMix64(12);
        try (OnlineModel model = warmModel(cfg);
             ModelReplica replica = new ModelReplica(cfg)) {
            for (int i = 0; i < 5; i++) {
                model.fold("l" + i, row(rng), i % 3);
            }
            replica.offer(ModelSnapshot.fromBytes(model.snapshot().toBytes()));
            long base = model.version();
            long[] lastVersion = {base};
            List<List<KernelEntry>> lastEntries = new ArrayList<>(List.of(new ArrayList<>(model.kernelState().entries())));
            model.fold("a", row(rng), 0);
            ModelDelta first = publish(model, lastVersion, lastEntries);
            model.fold("b", row(rng), 1);
            ModelDelta second = publish(model, lastVersion, lastEntries);
            model.addPending("c", row(rng));
            ModelDelta third = publish(model, lastVersion, lastEntries);

            // the first delta is lost: the second does not start at the version held
            assertEquals(ModelReplica.Outcome.SKIPPED_GAP, replica.offer(second));
            assertTrue(replica.awaitingSnapshot());
            assertEquals(base, replica.version(), "still the last complete version");
            assertEquals(5, replica.scorer().state().size(), "T untouched by the skipped delta");
            // a late copy of the missed one is ignored too: once behind, only a snapshot re-bases the replica
            assertEquals(ModelReplica.Outcome.SKIPPED_GAP, replica.offer(first));
            assertEquals(ModelReplica.Outcome.SKIPPED_GAP, replica.offer(third));
            assertEquals(3, replica.deltasSkipped());
            assertEquals(base, replica.version());

            assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(ModelSnapshot.fromBytes(model.snapshot().toBytes())));
            assertFalse(replica.awaitingSnapshot());
            assertEquals(model.version(), replica.version());
            model.fold("d", row(rng), 2);
            assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(publish(model, lastVersion, lastEntries)));
            assertEquals(ModelReplica.Outcome.STALE, replica.offer(third), "an old delta is no gap");

            // a scorer refuses a delta for another base outright
            assertFalse(replica.scorer().apply(second));
        }
    }

    /**
     * The periodic full snapshot of the linearisation a replica holds re-anchors its scorer instead of rebuilding it
     * (it was a rebuild of every entry's NTK features on the scoring thread every job.model-snapshot-interval-ms): the
     * scorer object stays, T is brought to the snapshot's by the changes since (an append, a drop), and A^{-1} becomes the snapshot's, so
     * after many deltas composed and applied in place the state equals a scorer built fresh from that snapshot (A^{-1}
     * to the bit, alpha and scores to 1e-9): the rounding drift of the deltas is reset as a rebuild resets it. Also
     * after a missed delta. A snapshot of other weights (a retrain) still builds a new scorer.
     */
    @Test
    void aSnapshotOfTheLinearisationHeldReanchorsTheScorerToTheStateOfAFreshBuild() {
        for (KernelKind kind : new KernelKind[] {KernelKind.PNTK, KernelKind.FULL}) {
            LearnerConfig cfg = config(kind);
            SplitMix64 rng = new SplitMix64(31);
            try (OnlineModel model = warmModel(cfg);
                 ModelReplica replica = new ModelReplica(cfg)) {
                for (int i = 0; i < 12; i++) {
                    model.fold("l" + i, row(rng), i % 3);
                }
                model.addPending("p0", row(rng));
                assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(ModelSnapshot.fromBytes(model.snapshot().toBytes())));
                Scorer held = replica.scorer();
                long[] lastVersion = {model.version()};
                List<List<KernelEntry>> lastEntries = new ArrayList<>(List.of(new ArrayList<>(model.kernelState().entries())));
                for (int step = 0; step < 40; step++) {
                    switch (step % 4) {
                        case 0 -> model.fold("n" + step, row(rng), step % 3);
                        case 1 -> assertTrue(model.addPending("q" + step, row(rng)));
                        case 2 -> model.fold("q" + (step - 1), row(rng), (step + 2) % 3);
                        default -> {
                            assertTrue(model.addPending("r" + step, row(rng)));
                            assertTrue(model.dropPending("r" + step));
                            model.fold("m" + step, row(rng), 1);
                        }
                    }
                    assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(publish(model, lastVersion, lastEntries)));
                    if (step % 3 == 2) {
                        assertSame(held, replica.scorer(), "deltas are applied in place");
                    }
                }
                // the publisher's periodic snapshot goes out instead of the next delta: the replica holds an older version
                // and drops a request the replica holds (an early row: the rows after it move up)
                model.fold("s0", row(rng), 0);
                assertTrue(model.addPending("s1", row(rng)));
                assertTrue(model.dropPending("p0"));
                assertTrue(replica.scorer().state().indexOf("p0") >= 0);
                ModelSnapshot snapshot = ModelSnapshot.fromBytes(model.snapshot().toBytes());
                assertTrue(snapshot.version() > replica.version());
                assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(snapshot));
                assertSame(held, replica.scorer(), kind + ": re-anchored, not rebuilt");
                assertEquals(1, replica.snapshotsReanchored());
                assertEquals(2, replica.snapshotsApplied());
                assertEquals(snapshot.version(), replica.version());
                assertFreshBuildState(snapshot, replica.scorer(), cfg, rng, kind + " after 40 deltas");

                // a delta lost, the next skipped: the snapshot after it re-anchors the replica all the same
                lastVersion[0] = model.version();
                lastEntries.set(0, new ArrayList<>(model.kernelState().entries()));
                model.fold("g0", row(rng), 1);
                publish(model, lastVersion, lastEntries); // lost
                assertTrue(model.addPending("g1", row(rng)));
                assertEquals(ModelReplica.Outcome.SKIPPED_GAP, replica.offer(publish(model, lastVersion, lastEntries)));
                assertTrue(replica.awaitingSnapshot());
                ModelSnapshot afterGap = ModelSnapshot.fromBytes(model.snapshot().toBytes());
                assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(afterGap));
                assertFalse(replica.awaitingSnapshot());
                assertSame(held, replica.scorer(), kind + ": re-anchored after the gap");
                assertEquals(2, replica.snapshotsReanchored());
                assertFreshBuildState(afterGap, replica.scorer(), cfg, rng, kind + " after a gap");

                // other weights (a retrain's): a new scorer, built from the snapshot
                int[] widths = MlpWeights.widths(cfg.inputDim(), cfg.hiddenWidths(), cfg.numClasses());
                ModelSnapshot retrained = new ModelSnapshot(model.version() + 1, true,
                        MlpWeights.initialise(widths, cfg.activation(), 99), model.kernelState().entries(), afterGap.inverse());
                assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(retrained));
                assertNotSame(held, replica.scorer(), kind + ": a new linearisation is built");
                assertEquals(2, replica.snapshotsReanchored());
                assertEquals(4, replica.snapshotsApplied());
                assertFreshBuildState(retrained, replica.scorer(), cfg, rng, kind + " retrained");
            }
        }
    }

    /** The scorer holds what Scorer.of(snapshot) holds: T, A^{-1} to the bit, alpha and every score to 1e-9. */
    private static void assertFreshBuildState(ModelSnapshot snapshot, Scorer actual, LearnerConfig cfg, SplitMix64 rng, String what) {
        try (Scorer fresh = Scorer.of(snapshot, cfg)) {
            assertSameState(fresh.state(), actual.state(), what);
            assertArrayEquals(fresh.state().inverseToDoubles(), actual.state().inverseToDoubles(), 0.0, what + ": A^-1 is the snapshot's");
            float[][] cands = new float[7][];
            float[][] pool = new float[11][];
            for (int i = 0; i < cands.length; i++) {
                cands[i] = row(rng);
            }
            for (int i = 0; i < pool.length; i++) {
                pool[i] = row(rng);
            }
            ScoredBatch a = fresh.score(cands, pool);
            ScoredBatch b = actual.score(cands, pool);
            assertEquals(a.modelVersion(), b.modelVersion());
            for (String f : a.functions()) {
                assertCloseRelative(a.scores(f), b.scores(f), 1e-9, what + " " + f);
            }
        }
    }

    @Test
    void theWireFormatsAreVersionedAndRejectGarbage() {
        assertThrows(IllegalArgumentException.class, () -> ModelDelta.fromBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertThrows(IllegalArgumentException.class, () -> ModelSnapshot.fromBytes(new byte[] {0x41, 0x4C, 0x53, 0x53, 0, 0, 0, 9}));
        assertThrows(IllegalArgumentException.class, () -> new ModelDelta(5, 5, true, List.of(), List.of(), List.of()));
    }

    /**
     * Bytes per version at the production shape of issue 9 (784 inputs, 256 hidden, 10 classes, |T| = 1,024,
     * float64 kernel maths): the full snapshot against the delta of one label and of one pending request.
     */
    @Test
    void bytesPerVersionAtProductionSize() {
        LearnerConfig cfg = LearnerConfig.builder().inputDim(784).numClasses(10).hiddenWidths(256)
                .kernelCap(100_000).warmupLabels(0).refreshGrowth(0).build();
        SplitMix64 rng = new SplitMix64(13);
        int n = 1024;
        float[][] xs = new float[n][784];
        String[] ids = new String[n];
        int[] ys = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 784; j++) {
                xs[i][j] = (float) rng.nextDouble();
            }
            ids[i] = "event-" + i;
            ys[i] = i % 10;
        }
        int[] widths = MlpWeights.widths(784, new int[] {256}, 10);
        try (OnlineModel model = OnlineModel.createWithWeights(cfg, MlpWeights.initialise(widths, cfg.activation(), 1), true)) {
            model.foldBatch(ids, xs, ys);
            List<KernelEntry> before = new ArrayList<>(model.kernelState().entries());
            long v0 = model.version();
            ModelSnapshot snap = model.snapshot();
            int snapshotBytes = snap.toBytes().length;
            byte[] float64Format = snap.toBytes(1);
            // the old format still decodes, to the same snapshot
            assertEquals(snap.version(), ModelSnapshot.fromBytes(float64Format).version());
            assertArrayEquals(snap.inverse(), ModelSnapshot.fromBytes(float64Format).inverse(), 0.0);
            assertArrayEquals(snap.inverse(), ModelSnapshot.fromBytes(snap.toBytes()).inverse(), 0.0);
            assertEquals(snap.weights(), ModelSnapshot.fromBytes(snap.toBytes()).weights(), "weights survive the float32 wire form");
            assertEquals(snap.entries().get(5).target()[5], ModelSnapshot.fromBytes(snap.toBytes()).entries().get(5).target()[5]);
            model.fold("event-new", xs[0].clone(), 3);
            byte[] label = ModelDelta.between(v0, before, model.version(), true, new ArrayList<>(model.kernelState().entries())).toBytes();
            List<KernelEntry> afterLabel = new ArrayList<>(model.kernelState().entries());
            long v1 = model.version();
            model.addPending("event-pending", xs[1].clone());
            byte[] pending = ModelDelta.between(v1, afterLabel, model.version(), true, new ArrayList<>(model.kernelState().entries())).toBytes();
            System.out.printf("model broadcast bytes at |T| = %d, 784 -> 256 -> 10, float64 kernel: full snapshot %,d "
                    + "(format 1, all float64: %,d), delta of one label %,d, delta of one pending request %,d%n",
                    n, snapshotBytes, float64Format.length, label.length, pending.length);
            assertTrue(snapshotBytes < float64Format.length, "compact form not smaller");
            // one label's delta carries its 784 float32 features and little else
            assertTrue(label.length < 784 * 4 + 200, "label delta " + label.length);
            assertTrue(pending.length < 784 * 4 + 200, "pending delta " + pending.length);
            assertTrue(snapshotBytes > 1000 * label.length, "snapshot " + snapshotBytes + " vs delta " + label.length);
        }
    }

    static void assertSameState(KernelRegressionState expected, KernelRegressionState actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": |T|");
        for (int i = 0; i < expected.size(); i++) {
            KernelEntry e = expected.entries().get(i);
            KernelEntry a = actual.entries().get(i);
            assertEquals(e.id(), a.id(), what + ": entry " + i);
            assertEquals(e.pending(), a.pending(), what + ": pending " + e.id());
            assertArrayEquals(e.target(), a.target(), 0.0, what + ": target " + e.id());
            assertArrayEquals(e.x(), a.x(), 0.0, what + ": x " + e.id());
        }
        assertClose(expected.inverseToDoubles(), actual.inverseToDoubles(), 1e-9, what + ": A^-1");
        assertNotNull(actual.alpha());
        double[] ea = expected.alpha().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        double[] aa = actual.alpha().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
        assertClose(ea, aa, 1e-9, what + ": alpha");
    }

    /** |e - a| <= tol * max(1, |e|) for each value: tol relative for large values, absolute below 1. */
    static void assertCloseRelative(double[] e, double[] a, double tol, String what) {
        assertEquals(e.length, a.length, what + ": length");
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tol * Math.max(1, Math.abs(e[i])), what + "[" + i + "]: " + e[i] + " vs " + a[i]);
        }
    }

    static void assertClose(double[] e, double[] a, double tol, String what) {
        assertEquals(e.length, a.length, what + ": length");
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tol, what + "[" + i + "]: " + e[i] + " vs " + a[i]);
        }
    }
}
