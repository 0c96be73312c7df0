package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import io.alstream.learner.util.Scopes;

/** Max entropy: H(p-bar) = -sum_c p-bar_c log p-bar_c (natural log). */
public final class PredictiveEntropy implements SampleAcquisition {
    @Override
    public String name() { return "entropy"; }

    @Override
    public NDArray score(ProbabilitySamples samples) {
        return Scopes.run(() -> PosteriorStatistics.entropy(PosteriorStatistics.mean(samples.probs())));
    }
}
