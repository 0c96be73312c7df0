package io.alstream.learner;

import io.alstream.learner.util.SplitMix64;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The look-ahead reference pool U: recent unlabeled feature vectors (DESIGN 4.3). Fills up to its capacity,
 * then each new vector replaces a uniformly chosen slot - a seeded "recency-biased reservoir" whose
 * contents age exponentially (mean residence = capacity events), so U follows drift. Checkpointed as
 * {@link #toBytes()} (versioned, the vectors in bulk; Java serialization, which it still implements for state written
 * before, wrote it a float at a time on the scoring thread at every checkpoint). {@link #snapshot()} copies; snapshot it once per batch or per model version - the scorer caches
 * its pool precomputation on the pool's contents.
 */
public final class ReferencePool implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int capacity;
    private final float[][] slots;
    private int size;
    private long offered;
    private final SplitMix64 rng;
    private static final int MAGIC = 0x414C5250; // "ALRP"
    private static final int FORMAT = 1;

    public ReferencePool(int capacity, long seed) {
        this(capacity, new SplitMix64(SplitMix64.derive(seed, 0x9001L)));
    }

    private ReferencePool(int capacity, SplitMix64 rng) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0");
        }
        this.capacity = capacity;
        this.slots = new float[capacity][];
        this.rng = rng;
    }

    /**
     * Format 1: magic, format, capacity, size, offered, the generator's state, then each vector as its length and its
     * floats (big-endian), written in bulk.
     */
    public byte[] toBytes() {
        long floats = 0;
        for (int i = 0; i < size; i++) {
            floats += slots[i].length;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, 40 + 4L * size + 4 * floats));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(capacity);
            out.writeInt(size);
            out.writeLong(offered);
            out.writeLong(rng.state());
            ByteBuffer row = ByteBuffer.allocate(0);
            for (int i = 0; i < size; i++) {
                float[] x = slots[i];
                if (row.capacity() < 4 * x.length) {
                    row = ByteBuffer.allocate(4 * x.length);
                }
                row.clear();
                row.asFloatBuffer().put(x);
                out.writeInt(x.length);
                out.write(row.array(), 0, 4 * x.length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads {@link #toBytes()}: the same vectors, counts and generator state (the next offers replace the same slots). */
    public static ReferencePool fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a reference pool");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unsupported reference pool format " + format);
            }
            int capacity = in.readInt();
            int size = in.readInt();
            if (capacity < 0 || size < 0 || size > capacity) {
                throw new IllegalArgumentException("corrupt reference pool: " + size + " of " + capacity);
            }
            long offered = in.readLong();
            ReferencePool p = new ReferencePool(capacity, new SplitMix64(in.readLong()));
            byte[] row = new byte[0];
            for (int i = 0; i < size; i++) {
                int n = in.readInt();
                if (n < 0 || 4L * n > in.available()) {
                    throw new IllegalArgumentException("corrupt reference pool: a vector of " + n + " floats");
                }
                if (row.length < 4 * n) {
                    row = new byte[4 * n];
                }
                in.readFully(row, 0, 4 * n);
                float[] x = new float[n];
                ByteBuffer.wrap(row, 0, 4 * n).asFloatBuffer().get(x);
                p.slots[i] = x;
            }
            p.size = size;
            p.offered = offered;
            return p;
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt reference pool: " + e.getMessage(), e);
        }
    }

    public static ReferencePool fromConfig(LearnerConfig config) {
        return new ReferencePool(config.referencePoolSize(), config.seed());
    }

    public void offer(float[] x) {
        offered++;
        if (capacity == 0) {
            return;
        }
        if (size < capacity) {
            slots[size++] = x.clone();
        } else {
            slots[rng.nextInt(capacity)] = x.clone();
        }
    }

    public float[][] snapshot() {
        float[][] out = new float[size][];
        for (int i = 0; i < size; i++) {
            out[i] = slots[i].clone();
        }
        return out;
    }

    public int size() { return size; }
    public int capacity() { return capacity; }
    public long offered() { return offered; }
}
