package io.alstream.learner;

import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference pool's checkpoint format: a restored pool holds the same vectors and counts, and goes on replacing
 * the same slots as the pool it was written from (the generator's state travels); garbage and other versions are
 * refused.
 */
class ReferencePoolCodecTest {
    private static float[] row(SplitMix64 rng, int dim) {
        float[] x = new float[dim];
        for (int j = 0; j < dim; j++) {
            x[j] = (float) rng.nextGaussian();
        }
        return x;
    }

    @Test
    void aRestoredPoolHoldsTheSameVectorsAndContinuesAsTheOriginal() {
        SplitMix64 rng = new SplitMix64(5);
        for (int offers : new int[] {0, 7, 40}) {
            ReferencePool pool = new ReferencePool(16, 3);
            for (int i = 0; i < offers; i++) {
                pool.offer(row(rng, 9));
            }
            ReferencePool back = ReferencePool.fromBytes(pool.toBytes());
            assertEquals(pool.size(), back.size());
            assertEquals(pool.capacity(), back.capacity());
            assertEquals(pool.offered(), back.offered());
            assertArrayEquals(pool.snapshot(), back.snapshot());
            for (int i = 0; i < 30; i++) {
                float[] x = row(rng, 9);
                pool.offer(x);
                back.offer(x);
            }
            assertArrayEquals(pool.snapshot(), back.snapshot(), "the same slots replaced after " + offers + " offers");
        }
    }

    @Test
    void theFormatIsVersionedAndRejectsGarbage() {
        ReferencePool pool = new ReferencePool(4, 1);
        pool.offer(new float[] {1, 2, 3});
        byte[] b = pool.toBytes();
        assertTrue(b.length < 100, "a small pool is a few bytes, not a Java object stream: " + b.length);
        byte[] otherFormat = b.clone();
        otherFormat[7] = 9;
        assertThrows(IllegalArgumentException.class, () -> ReferencePool.fromBytes(otherFormat));
        assertThrows(IllegalArgumentException.class, () -> ReferencePool.fromBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        byte[] cut = java.util.Arrays.copyOf(b, b.length - 5);
        assertThrows(IllegalArgumentException.class, () -> ReferencePool.fromBytes(cut));
    }
}
