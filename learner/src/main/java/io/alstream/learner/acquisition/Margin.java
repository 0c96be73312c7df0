package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import io.alstream.learner.util.Scopes;

/**
 * Margin sampling turned into "higher = more informative": 1 - (p-bar_(1) - p-bar_(2)), the gap between
 * the two most probable classes. With one class the gap is p-bar itself (score 0).
 */
public final class Margin implements SampleAcquisition {
    @Override
    public String name() { return "margin"; }

    @Override
    public NDArray score(ProbabilitySamples samples) {
        return Scopes.run(() -> {
            NDArray mean = PosteriorStatistics.mean(samples.probs());
            long k = mean.getShape().get(1);
            if (k < 2) {
                return mean.squeeze(1).neg().add(1);
            }
            NDArray sorted = mean.sort(1); // ascending
            NDArray top = sorted.get(":, -1");
            NDArray second = sorted.get(":, -2");
            return top.sub(second).neg().add(1);
        });
    }
}
