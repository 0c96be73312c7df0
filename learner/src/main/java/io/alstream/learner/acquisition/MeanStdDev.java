package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import io.alstream.learner.util.Scopes;

/** MeanSD: mean over classes of the (unbiased) standard deviation of p_c over samples. */
public final class MeanStdDev implements SampleAcquisition {
    @Override
    public String name() { return "mean_std"; }

    @Override
    public NDArray score(ProbabilitySamples samples) {
        return Scopes.run(() -> PosteriorStatistics.variance(samples.probs()).sqrt().mean(new int[] {1}));
    }
}
