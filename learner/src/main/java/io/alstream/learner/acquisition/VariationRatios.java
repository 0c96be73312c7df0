package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import io.alstream.learner.util.Scopes;

/**
 * Variation ratios as the BalEntAcq authors' code computes them (and as the reference vectors hold):
 * 1 - max_c p-bar_c on the sample-averaged probabilities - numerically the same as least-confident; the
 * textbook "1 - mode frequency of the sampled argmaxes" is not what the reference uses.
 */
public final class VariationRatios implements SampleAcquisition {
    @Override
    public String name() { return "variation_ratios"; }

    @Override
    public NDArray score(ProbabilitySamples samples) {
        return Scopes.run(() -> PosteriorStatistics.mean(samples.probs()).max(new int[] {1}).neg().add(1));
    }
}
