package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.alstream.learner.util.Scopes;

/** BALD = H(p-bar) - mean_s H(p_s), floored at 1e-9 as in the reference code (natural logs). */
public final class Bald implements SampleAcquisition {
    private static final double FLOOR = 1e-9;

    @Override
    public String name() { return "bald"; }

    @Override
    public NDArray score(ProbabilitySamples samples) {
        return Scopes.run(() -> {
            NDArray probs = samples.probs();
            NDArray meanEntropy = PosteriorStatistics.entropy(PosteriorStatistics.mean(probs));
            NDArray expectedEntropy = PosteriorStatistics.entropy(probs).mean(new int[] {1});
            NDArray mi = meanEntropy.sub(expectedEntropy);
            return NDArrays.where(mi.lt(FLOOR), mi.zerosLike().add(FLOOR), mi);
        });
    }
}
