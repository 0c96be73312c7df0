package io.alstream.flink.train;

import io.alstream.learner.ReferencePool;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scoring operator's reference-pool state: written in the pool's own format, and a pool Java-serialized by the
 * versions before (what their checkpoints and savepoints hold) is still read, with the same vectors.
 */
class PoolStateFormatTest {
    @Test
    void writesThePoolsOwnFormatAndStillReadsJavaSerializedPools() {
        ReferencePool pool = new ReferencePool(8, 2);
        for (int i = 0; i < 11; i++) {
            pool.offer(new float[] {i, -i, 0.5f * i});
        }
        byte[] now = LearnerBridge.poolToBytes(pool);
        assertTrue(!((now[0] & 0xFF) == 0xAC && (now[1] & 0xFF) == 0xED), "not a Java object stream");
        byte[] before = LearnerBridge.javaBytes(pool);
        for (byte[] b : new byte[][] {now, before}) {
            ReferencePool back = LearnerBridge.poolFromBytes(b);
            assertEquals(pool.size(), back.size());
            assertEquals(pool.offered(), back.offered());
            assertArrayEquals(pool.snapshot(), back.snapshot());
        }
    }
}
