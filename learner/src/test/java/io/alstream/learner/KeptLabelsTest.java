package io.alstream.learner;

import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Kept labels stored apart from the model state, in chunks whose bytes are encoded once. */
class KeptLabelsTest {

    @Test
    void modelRestoredFromStateAndChunksEqualsTheOneRestoredInline() {
        LearnerConfig cfg = OnlineModelTest.small(LearnerConfig.KernelKind.PNTK).toBuilder()
                .warmupLabels(0).maxTrainingLabels(2_500).build();
        SplitMix64 rng = new SplitMix64(8);
        try (OnlineModel m = OnlineModel.create(cfg)) {
            for (int round = 0; round < 3; round++) {
                int n = 1_200;
                String[] ids = new String[n];
                float[][] xs = new float[n][16];
                int[] ys = new int[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = "r" + round + "-" + i;
                    for (int j = 0; j < 16; j++) {
                        xs[i][j] = (float) rng.nextGaussian();
                    }
                    ys[i] = rng.nextInt(3);
                }
                m.foldBatch(ids, xs, ys);
                m.refresh(); // keeps T small; the labels stay kept
            }
            // 3,600 folded, the newest 2,500 kept: sequence 1,100..3,599, the oldest chunk partly evicted
            List<byte[]> chunks = m.keptLabelChunks();
            assertEquals(3, chunks.size(), "chunks [1100,2048) partial, [2048,3072) full, [3072,3600) partial");
            List<byte[]> again = m.keptLabelChunks();
            assertSame(chunks.get(1), again.get(1), "a full chunk is encoded once");
            assertNotSame(chunks.get(2), again.get(2), "the newest, partial chunk is encoded at each call");
            byte[] apart = m.toBytesWithoutKeptLabels();
            byte[] inline = m.toBytes();
            List<byte[]> shuffled = new ArrayList<>(chunks);
            Collections.reverse(shuffled);
            try (OnlineModel a = OnlineModel.fromBytes(cfg, apart, shuffled, null);
                 OnlineModel b = OnlineModel.fromBytes(cfg, inline)) {
                assertArrayEquals(inline, a.toBytes());
                assertArrayEquals(b.toBytes(), a.toBytes());
                assertEquals(chunks.size(), a.keptLabelChunks().size());
            }
            assertThrows(IllegalArgumentException.class, () -> OnlineModel.fromBytes(cfg, apart, chunks.subList(0, 2), null),
                    "missing chunks are an error, not fewer labels");
            assertThrows(IllegalArgumentException.class, () -> OnlineModel.fromBytes(cfg, apart, null, null));
        }
    }
}
