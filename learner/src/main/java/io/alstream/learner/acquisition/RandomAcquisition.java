package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.alstream.learner.util.SplitMix64;
import io.alstream.learner.util.Scopes;

/**
 * Uniform [0,1) scores from hash(seed, candidate key): seeded, and the same for a candidate whether its
 * batch is scored whole or in pieces. (The reference code's rand * 1e-5 scaling only mattered when mixed
 * with a heuristic; here random is a baseline on its own.)
 */
public final class RandomAcquisition implements SampleAcquisition {
    @Override
    public String name() { return "random"; }

    @Override
    public NDArray score(ProbabilitySamples samples) {
        long[] keys = samples.keys();
        double[] v = new double[keys.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (SplitMix64.derive(samples.seed(), keys[i]) >>> 11) * 0x1.0p-53;
        }
        NDArray probs = samples.probs();
        return Scopes.run(() -> probs.getManager().create(v).toType(probs.getDataType(), false));
    }
}
