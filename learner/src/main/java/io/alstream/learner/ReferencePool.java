package io.alstream.learner;

import io.alstream.learner.util.SplitMix64;

import java.io.Serializable;

/**
 * The look-ahead reference pool U: recent unlabeled feature vectors (DESIGN 4.3). Fills up to its capacity,
 * then each new vector replaces a uniformly chosen slot - a seeded "recency-biased reservoir" whose
 * contents age exponentially (mean residence = capacity events), so U follows drift. Serializable (Flink
 * state). {@link #snapshot()} copies; snapshot it once per batch or per model version - the scorer caches
 * its pool precomputation on the pool's contents.
 */
public final class ReferencePool implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int capacity;
    private final float[][] slots;
    private int size;
    private long offered;
    private final SplitMix64 rng;

    public ReferencePool(int capacity, long seed) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0");
        }
        this.capacity = capacity;
        this.slots = new float[capacity][];
        this.rng = new SplitMix64(SplitMix64.derive(seed, 0x9001L));
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
