package io.alstream.learner.util;

import java.io.Serializable;

/**
 * A tiny seeded generator whose whole state is one long, so it checkpoints as part of Flink state
 * ({@link java.util.SplittableRandom} is not Serializable). SplitMix64 (Steele, Lea, Flood 2014).
 */
public final class SplitMix64 implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    public SplitMix64(long seed) { this.state = seed; }

    public long state() { return state; }

    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in [0,1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive");
        }
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    /** Standard normal by Box-Muller (one value per call; deterministic sequence). */
    public double nextGaussian() {
        double u1 = nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** The SplitMix64 finaliser: a good 64-bit hash of any long. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Combine a seed with further keys into a new seed (order matters). */
    public static long derive(long seed, long... keys) {
        long h = mix(seed ^ GOLDEN);
        for (long k : keys) {
            h = mix(h + GOLDEN + k);
        }
        return h;
    }

    /** Hash of a float vector's exact bits, for content-keyed randomness that ignores batch position. */
    public static long hash(float[] v) {
        long h = mix(v.length);
        for (float f : v) {
            h = mix(h + GOLDEN + Float.floatToIntBits(f));
        }
        return h;
    }
}
