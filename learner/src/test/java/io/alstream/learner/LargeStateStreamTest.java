package io.alstream.learner;

import io.alstream.learner.util.SplitMix64;
import io.alstream.learner.util.StateChunks;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large trainer state (20,480 kept labels of 784 values, T and A^-1 of a few hundred entries) written as the trainer
 * checkpoints it: the model streamed into pieces of bounded size, the kept labels as chunks of a fixed number of
 * labels. No piece grows with the state, and the model restored from them is the same, byte for byte.
 */
class LargeStateStreamTest {
    static final int DIM = 784;
    static final int PIECE = 64 * 1024;
    static final int LABELS_PER_CHUNK = 256;

    @Test
    void aLargeStateIsWrittenInBoundedPiecesAndRestoresIdentically() throws IOException {
        int kept = 20_480;
        LearnerConfig cfg = LearnerConfig.builder().inputDim(DIM).numClasses(10).hiddenWidths(16).warmupLabels(64)
                .trainEpochs(1).trainSteps(1).kernelCap(384).refreshGrowth(0).maxTrainingLabels(kept)
                .acquisitionFunctions(List.of("entropy")).selectBy("entropy").build();
        SplitMix64 rng = new SplitMix64(5);
        try (OnlineModel m = OnlineModel.create(cfg)) {
            foldRandom(m, rng, 0, kept);
            // the kept labels by chunk index, as the trainer's keyed state holds them: written once, when filled
            java.util.TreeMap<Long, byte[]> store = new java.util.TreeMap<>();
            long written = sync(m, store, 0);
            foldRandom(m, rng, kept, 1_000); // the oldest 1,000 are evicted: the oldest stored chunk holds some of them
            sync(m, store, written);
            assertEquals(kept, m.keptLabelsEnd() - m.keptLabelsHead());
            assertTrue(m.kernelState().size() >= 20, "T holds entries, so A^-1 is in the state: " + m.kernelState().size());

            List<byte[]> pieces = StateChunks.write(PIECE, m::writeWithoutKeptLabels);
            long modelBytes = 0;
            for (byte[] p : pieces) {
                assertTrue(p.length <= PIECE + 6, "model piece of " + p.length + " bytes");
                modelBytes += p.length;
            }
            assertTrue(pieces.size() > 4, "the model state spans several pieces: " + pieces.size());
            byte[] whole = m.toBytesWithoutKeptLabels();
            assertArrayEquals(whole, StateChunks.read(pieces).readAllBytes(), "the same bytes as the one-array encoding");

            long chunkBound = 13 + 4 + 4L * LABELS_PER_CHUNK + 4 + 4 + 4L * LABELS_PER_CHUNK * DIM;
            for (byte[] chunk : store.values()) {
                assertTrue(chunk.length <= chunkBound, "kept-labels chunk of " + chunk.length + " bytes");
            }
            assertTrue(store.firstKey() * LABELS_PER_CHUNK < m.keptLabelsHead(), "the oldest stored chunk starts before the head");
            assertNull(m.encodeKeptLabels(0, LABELS_PER_CHUNK), "a chunk wholly evicted encodes to nothing");
            List<byte[]> chunks = new ArrayList<>(store.values());
            Collections.reverse(chunks);
            try (OnlineModel r = OnlineModel.restore(cfg, StateChunks.read(pieces), chunks, null)) {
                assertArrayEquals(m.toBytes(), r.toBytes(), "the restored model is the same, kept labels included");
                assertEquals(m.predict(new float[DIM])[3], r.predict(new float[DIM])[3]);
            }
            System.out.printf("model state %.1f MB in %d pieces, %d kept labels in %d chunks%n",
                    modelBytes / 1e6, pieces.size(), kept, chunks.size());
        }
    }

    private static void foldRandom(OnlineModel m, SplitMix64 rng, int from, int count) {
        for (int folded = 0; folded < count; ) {
            int b = Math.min(192, count - folded);
            String[] ids = new String[b];
            float[][] xs = new float[b][DIM];
            int[] ys = new int[b];
            for (int i = 0; i < b; i++) {
                ids[i] = "e" + (from + folded + i);
                for (int j = 0; j < DIM; j++) {
                    xs[i][j] = (float) rng.nextGaussian();
                }
                ys[i] = rng.nextInt(10);
            }
            m.foldBatch(ids, xs, ys);
            folded += b;
        }
    }

    /** Writes the chunks holding labels from {@code written} on, drops those wholly evicted; returns the new end. */
    private static long sync(OnlineModel m, java.util.Map<Long, byte[]> store, long written) {
        for (long c = written / LABELS_PER_CHUNK; c * LABELS_PER_CHUNK < m.keptLabelsEnd(); c++) {
            store.put(c, m.encodeKeptLabels(c * LABELS_PER_CHUNK, (c + 1) * LABELS_PER_CHUNK));
        }
        store.keySet().removeIf(c -> (c + 1) * LABELS_PER_CHUNK <= m.keptLabelsHead());
        return m.keptLabelsEnd();
    }
}
