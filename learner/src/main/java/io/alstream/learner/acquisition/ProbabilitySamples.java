package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;

/**
 * Posterior samples of class probabilities for a batch: probs [B, S, K] on the device (borrowed, not
 * closed here), plus one content key per candidate and a seed, so that seeded scores (random) depend on
 * the candidate itself and never on its position in a batch.
 */
public final class ProbabilitySamples {
    private final NDArray probs;
    private final long[] keys;
    private final long seed;

    public ProbabilitySamples(NDArray probs, long[] keys, long seed) {
        if (probs.getShape().dimension() != 3) {
            throw new IllegalArgumentException("probs must be [B, S, K], got " + probs.getShape());
        }
        if (keys.length != probs.getShape().get(0)) {
            throw new IllegalArgumentException(keys.length + " keys for " + probs.getShape().get(0) + " candidates");
        }
        this.probs = probs;
        this.keys = keys.clone();
        this.seed = seed;
    }

    public NDArray probs() { return probs; }
    public long[] keys() { return keys.clone(); }
    public long seed() { return seed; }
    public int batch() { return (int) probs.getShape().get(0); }
    public int samples() { return (int) probs.getShape().get(1); }
    public int classes() { return (int) probs.getShape().get(2); }
}
