package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import io.alstream.learner.util.Scopes;

/** Least confidence: 1 - max_c p-bar_c. */
public final class LeastConfident implements SampleAcquisition {
    @Override
    public String name() { return "least_confident"; }

    @Override
    public NDArray score(ProbabilitySamples samples) {
        return Scopes.run(() -> PosteriorStatistics.mean(samples.probs()).max(new int[] {1}).neg().add(1));
    }
}
