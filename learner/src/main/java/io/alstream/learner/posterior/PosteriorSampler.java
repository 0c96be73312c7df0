package io.alstream.learner.posterior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.LearnerConfig.PosteriorKind;
import io.alstream.learner.kernel.KernelRegressionState;
import io.alstream.learner.kernel.NtkFeatures;
import io.alstream.learner.nn.DeviceMlp;
import io.alstream.learner.util.Scopes;
import io.alstream.learner.util.SplitMix64;

import java.util.ArrayList;
import java.util.List;

/**
 * Posterior samples of class probabilities for the Bayesian acquisition functions (DESIGN 4.3, last
 * bullet), both of which follow the online model, not just the last refresh:
 * <ul>
 *   <li>GAUSSIAN: f_s(x) = f(x) + sqrt(v(x)) eps_s with v(x) = priorVariance * Sigma(x,x) / K(x,x), the
 *       fraction of the NTK prior variance left after conditioning on T (per class for the full kernel).</li>
 *   <li>MC_DROPOUT: f_s(x) = f0_s(x) + K(x,T) alpha: dropout masks on the network plus the kernel-regression
 *       correction.</li>
 * </ul>
 * Probabilities are softmax(f_s / temperature) (the outputs are regression values on one-hot targets).
 * The noise (eps_s, or the dropout masks) is drawn once per sampler from the seed and shared by every
 * candidate, so a candidate's samples do not depend on its batch.
 *
 * <p>The samples are always float64. In float32 kernel maths the large products (features, K(B,T), its
 * product with A^{-1}, the dropout forward pass) stay float32 and their per-event results - f(x), the
 * variance, the dropout outputs, [B, C] or [S, B, C] - are widened before the noise, the softmax and every
 * acquisition computed from the samples: BalEntAcq's Beta entropies subtract lgamma and digamma terms of
 * order alpha log alpha, which float32 cannot difference once sharp posteriors make alpha large (a NaN
 * sum, scored -1.4e11, and 10 of 103 selections changed on standardised digits:
 * bench/results/digits-standardize/diagnosis/float32-balent). In float64 nothing is converted.
 */
public final class PosteriorSampler {
    private final LearnerConfig config;
    private final double[] eps;               // GAUSSIAN: [S * C]
    private final List<double[]> masks;       // MC_DROPOUT: per hidden layer [S * width]

    public PosteriorSampler(LearnerConfig config, DeviceMlp net) {
        this.config = config;
        int s = config.posteriorSamples();
        int c = config.numClasses();
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(config.seed(), 0x9057L));
        eps = new double[s * c];
        for (int i = 0; i < eps.length; i++) {
            eps[i] = rng.nextGaussian();
        }
        masks = new ArrayList<>();
        if (config.posteriorKind() == PosteriorKind.MC_DROPOUT) {
            int[] widths = net.weights().widths();
            double keep = 1 - config.dropout();
            for (int l = 1; l < widths.length - 1; l++) {
                double[] m = new double[s * widths[l]];
                for (int i = 0; i < m.length; i++) {
                    m[i] = rng.nextDouble() < keep ? 1 / keep : 0;
                }
                masks.add(m);
            }
        }
    }

    /**
     * Probability samples [B, S, C] for candidates with features cand, K(B,T) kbt (null if T is empty),
     * online predictions fB [B, C]; the array lands in the caller's scope.
     */
    public NDArray sample(KernelRegressionState state, NtkFeatures cand, NDArray kbt, NDArray fB) {
        return sample(state, cand, kbt, null, fB);
    }

    /** As {@link #sample(KernelRegressionState, NtkFeatures, NDArray, NDArray)} with K(B,T) A^{-1} given (null: computed here). */
    public NDArray sample(KernelRegressionState state, NtkFeatures cand, NDArray kbt, NDArray kbtInv, NDArray fB) {
        return Scopes.run(() -> {
            NDManager m = fB.getManager();
            DataType type = DataType.FLOAT64;
            int s = config.posteriorSamples();
            int c = config.numClasses();
            int b = cand.size();
            NDArray outputs; // [S, B, C]
            if (config.posteriorKind() == PosteriorKind.GAUSSIAN) {
                NDArray kxx = state.ntk().diagonal(cand);
                NDArray prior;
                NDArray post;
                if (state.ntk().kind() == KernelKind.FULL) {
                    prior = diagOfBlocks(kxx, b, c);                               // [B, C]
                    post = prior;
                    if (kbt != null) {
                        NDArray v = kbtInv != null ? kbtInv : kbt.matMul(state.inverse());
                        long nt = kbt.getShape().get(1);
                        NDArray explained = kbt.reshape(b, c, nt).mul(v.reshape(b, c, nt)).sum(new int[] {2});
                        post = prior.sub(explained);
                    }
                } else {
                    prior = kxx;
                    post = kbt == null ? kxx : kxx.sub(kbt.mul(kbtInv != null ? kbtInv : kbt.matMul(state.inverse())).sum(new int[] {1}));
                    prior = prior.expandDims(1);
                    post = post.expandDims(1);                                     // [B, 1]
                }
                NDArray variance = widen(post.maximum(0).div(prior.maximum(1e-300)).mul(config.gaussianPriorVariance()));
                NDArray noise = m.create(eps, new Shape(s, 1, c)).toType(type, false);
                outputs = widen(fB).expandDims(0).add(variance.sqrt().expandDims(0).mul(noise));
            } else {
                DeviceMlp net = state.ntk().network();
                List<NDArray> maskArrays = new ArrayList<>();
                int[] widths = net.weights().widths();
                for (int l = 0; l < masks.size(); l++) {
                    maskArrays.add(m.create(masks.get(l), new Shape(s, 1, widths[l + 1])).toType(net.dataType(), false));
                }
                NDArray dropped = net.forwardWithMasks(cand.input(0), maskArrays);      // [S, B, C]
                NDArray kernelMean = fB.sub(cand.outputs());                             // K(x,T) alpha
                outputs = widen(dropped).add(widen(kernelMean).expandDims(0));
            }
            return outputs.div(config.softmaxTemperature()).softmax(2).transpose(1, 0, 2);
        });
    }

    /** The array itself when float64 (the float64 path is unchanged), else a float64 copy. */
    private static NDArray widen(NDArray a) {
        return a.getDataType() == DataType.FLOAT64 ? a : a.toType(DataType.FLOAT64, true);
    }

    private static NDArray diagOfBlocks(NDArray blocks, int b, int c) {
        return blocks.reshape(b, c * c).get(new ai.djl.ndarray.index.NDIndex(":, ::{}", c + 1));
    }
}
