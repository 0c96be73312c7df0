package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.alstream.learner.util.Scopes;

/**
 * The per-class statistics the Bayesian scores share, with the reference code's conventions: mean over
 * samples, unbiased variance (divide by S-1; S = 1 gives 0 rather than torch's NaN so scores stay finite),
 * and natural-log entropies with 0 log 0 = 0.
 */
final class PosteriorStatistics {
    private PosteriorStatistics() { }

    /** p-bar [B, K]. */
    static NDArray mean(NDArray probs) {
        return probs.mean(new int[] {1});
    }

    /**
     * Unbiased variance over samples [B, K]. Two-pass, shifted by the first sample so identical samples
     * give exactly 0 (as torch.var's Welford pass does; a plain mean can be off by an ulp).
     */
    static NDArray variance(NDArray probs) {
        return Scopes.run(() -> {
            long s = probs.getShape().get(1);
            NDArray shifted = probs.sub(probs.get(":, 0:1, :"));
            NDArray centred = shifted.sub(shifted.mean(new int[] {1}, true));
            NDArray ss = centred.square().sum(new int[] {1});
            return s > 1 ? ss.div(s - 1) : ss.zerosLike();
        });
    }

    /** -sum p log p over the last axis, with 0 log 0 = 0. */
    static NDArray entropy(NDArray p) {
        return Scopes.run(() -> {
            NDArray terms = p.mul(p.log());
            terms = NDArrays.where(p.eq(0), p.zerosLike(), terms);
            return terms.sum(new int[] {-1}).neg();
        });
    }
}
