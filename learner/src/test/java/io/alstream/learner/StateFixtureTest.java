package io.alstream.learner;

import io.alstream.learner.AsyncRetrainTest.HeldExecutor;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * State bytes of the current {@link OnlineModel} format, committed as a fixture (with a retrain in flight, so
 * every part of the format is in it): this and every later version must restore them, or a savepoint taken by
 * this version would not restore into the next. To write the fixture anew (only when adding a format, as a new
 * file): {@code -Dalstream.fixtures.write=learner/src/test/resources/state-fixtures}.
 */
class StateFixtureTest {
    static final String FORMAT_2 = "online-model-format2.bin";
    static final String FORMAT_3 = "online-model-format3.bin";
    static final String FORMAT_4 = "online-model-format4.bin";
    static final String CHUNK_1 = "kept-labels-chunk-format1.bin";

    /** Standardisation on (format 4 was written with it on; the older formats restore under it with raw inputs). */
    static LearnerConfig config() {
        return LearnerConfig.builder().standardizeInputs(true).inputDim(4).numClasses(3).hiddenWidths(8).warmupLabels(5).trainEpochs(2)
                .ridgeLambda(1).acquisitionFunctions(List.of("entropy")).selectBy("entropy").build();
    }

    static float[] row(SplitMix64 rng) {
        float[] x = new float[4];
        for (int j = 0; j < 4; j++) {
            x[j] = (float) rng.nextGaussian();
        }
        return x;
    }

    /** The same state as {@link #build()}, in the current format with its kept labels apart: [state, chunk]. */
    static byte[][] buildApart() {
        try (OnlineModel m = OnlineModel.fromBytes(config(), build(), new HeldExecutor())) {
            List<byte[]> chunks = m.keptLabelChunks();
            return new byte[][] {m.toBytesWithoutKeptLabels(), chunks.get(0)};
        }
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = StateFixtureTest.class.getResourceAsStream("/state-fixtures/" + name)) {
            assertNotNull(in, "fixture missing: " + name);
            return in.readAllBytes();
        }
    }

    /** What the fixture state must restore to, whatever the format. */
    static void check(OnlineModel m, HeldExecutor held) {
        ModelStats s = m.stats();
        assertEquals(6, s.labelsFolded());
        assertEquals(7, s.kernelSize());
        assertEquals(1, s.pendingCount());
        assertEquals(0, s.refreshCount());
        assertFalse(s.warm());
        assertTrue(m.isRetraining(), "the retrain running when the state was saved restarts");
        assertTrue(m.fold("e3", new float[4], 0).duplicate(), "folded ids restored");
        held.runAll();
        assertTrue(m.pollRetrain());
        assertTrue(m.isWarm());
        assertEquals(List.of("p0", "e5"), m.kernelState().entries().stream().map(e -> e.id()).toList(),
                "T after the retrain: what it was not trained on");
        assertTrue(m.kernelState().entries().get(0).pending());
    }

    @Test
    void restoresTheCommittedStateOfFormat4WithItsKeptLabelsApart() throws IOException {
        String dir = System.getProperty("alstream.fixtures.write");
        if (dir != null) {
            byte[][] apart = buildApart();
            Files.write(Path.of(dir, FORMAT_4), apart[0]);
            if (!Files.exists(Path.of(dir, CHUNK_1))) {
                Files.write(Path.of(dir, CHUNK_1), apart[1]);
            }
        }
        HeldExecutor held = new HeldExecutor();
        try (OnlineModel m = OnlineModel.fromBytes(config(), resource(FORMAT_4), List.of(resource(CHUNK_1)), held)) {
            assertNull(m.weights().input(), "raw inputs before the first retrain");
            assertEquals(7, m.featureMoments().count(), "the moments of the six labels and the pending request");
            check(m, held);
            // the warm-up retrain froze the moments of e0..e4, the inputs seen when it started
            SplitMix64 rng = new SplitMix64(99);
            FeatureMoments first5 = new FeatureMoments(4);
            for (int i = 0; i < 5; i++) {
                first5.add(row(rng));
            }
            assertEquals(first5.standardization(), m.weights().input(), "the restored retrain keeps its frozen transform");
        }
    }

    /** Formats before 4 had no standardisation: they restore with raw inputs, their running retrain too. */
    @Test
    void restoresTheCommittedStateOfFormat3WithRawInputs() throws IOException {
        HeldExecutor held = new HeldExecutor();
        try (OnlineModel m = OnlineModel.fromBytes(config(), resource(FORMAT_3), List.of(resource(CHUNK_1)), held)) {
            assertTrue(config().standardizeInputs(), "restored with standardisation on");
            check(m, held);
            assertNull(m.weights().input(), "an old state keeps computing on raw inputs");
            assertEquals(0, m.featureMoments().count(), "and starts its moments afresh");
        }
    }

    /** e0..e4 (the 5th starts the warm-up retrain), then a pending request p0 and a label e5 while it runs. */
    static byte[] build() {
        SplitMix64 rng = new SplitMix64(99);
        try (OnlineModel m = OnlineModel.create(config())) {
            m.setRetrainExecutor(new HeldExecutor());
            for (int i = 0; i < 5; i++) {
                m.fold("e" + i, row(rng), i % 3);
            }
            m.addPending("p0", row(rng));
            m.fold("e5", row(rng), 2);
            return m.toBytes();
        }
    }

    @Test
    void restoresTheCommittedStateOfFormat2() throws IOException {
        String dir = System.getProperty("alstream.fixtures.write");
        if (dir != null && !Files.exists(Path.of(dir, FORMAT_2))) {
            Files.write(Path.of(dir, FORMAT_2), build()); // format 2 is no longer written: keep the committed file
        }
        HeldExecutor held = new HeldExecutor();
        try (OnlineModel m = OnlineModel.fromBytes(config(), resource(FORMAT_2), held)) {
            check(m, held);
            assertNull(m.weights().input(), "an old state keeps computing on raw inputs");
        }
    }
}
