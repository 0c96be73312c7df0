package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.alstream.learner.util.Scopes;

/**
 * BalEntAcq (Woo 2023), ported exactly from the authors' fixed code (2025), quirks included (DESIGN 4.3):
 * per class, p = max(p-bar, 1e-9), sigma^2 = max(unbiased var, 1e-9), alpha = p^2(1-p)/sigma^2 - p,
 * beta = (1/p - 1) alpha, and the entropy of Beta(alpha+1, beta)
 * <pre> h = log B(alpha+1, beta) - alpha psi(alpha+1) - (beta-1) psi(beta) + (alpha+beta-1) psi(alpha+beta+1) </pre>
 * with B = exp(lgamma + lgamma - lgamma) + 1e-32 (so log B saturates at log 1e-32) and lgamma = log|Gamma|
 * for negative arguments (torch). t_c = p_c h_c clipped to <= 0 (NaN kept); S = sum_c t_c with NaN ->
 * -99999999999; H = entropy of p-bar (unfloored); val = (H + 0.69314718056) / (S + H), replaced by 1/val
 * when negative. The 2023 public snapshot ({@link #SNAPSHOT_2023}) had H already inside S, i.e. a
 * denominator S + 2H.
 */
public final class BalancedEntropy implements SampleAcquisition {
    /** The authors' current code, matching the paper. */
    public static final BalancedEntropy FIXED_2025 = new BalancedEntropy(false);
    /** The earlier public code, for comparison with published runs. */
    public static final BalancedEntropy SNAPSHOT_2023 = new BalancedEntropy(true);

    private static final double MEAN_FLOOR = 1e-9;
    private static final double VAR_FLOOR = 1e-9;
    private static final double BETA_FN_ADDITIVE = 1e-32;
    private static final double LN2_LITERAL = 0.69314718056;
    private static final double NAN_REPLACEMENT = -99999999999.0;

    private final boolean snapshot2023;

    private BalancedEntropy(boolean snapshot2023) {
        this.snapshot2023 = snapshot2023;
    }

    @Override
    public String name() { return snapshot2023 ? "balent_2023" : "balent"; }

    @Override
    public NDArray score(ProbabilitySamples samples) {
        return Scopes.run(() -> {
            NDArray probs = samples.probs();
            NDArray mean = PosteriorStatistics.mean(probs);
            NDArray h = PosteriorStatistics.entropy(mean);
            NDArray s = marginalizedPosteriorEntropy(mean, PosteriorStatistics.variance(probs));
            NDArray denominator = snapshot2023 ? s.add(h).add(h) : s.add(h);
            NDArray val = h.add(LN2_LITERAL).div(denominator);
            return NDArrays.where(val.lt(0), val.pow(-1), val);
        });
    }

    /** S = sum_c clip(p_c h_c, max 0), NaN -> -99999999999 ([B]); intermediates of the reference code. */
    static NDArray marginalizedPosteriorEntropy(NDArray rawMean, NDArray rawVar) {
        return Scopes.run(() -> {
            NDArray p = NDArrays.where(rawMean.lt(MEAN_FLOOR), rawMean.zerosLike().add(MEAN_FLOOR), rawMean);
            NDArray var = NDArrays.where(rawVar.lt(VAR_FLOOR), rawVar.zerosLike().add(VAR_FLOOR), rawVar);
            NDArray alpha = p.mul(p).mul(p.neg().add(1)).div(var).sub(p);
            NDArray beta = p.pow(-1).sub(1).mul(alpha);
            NDArray a1 = alpha.add(1);
            NDArray ab1 = alpha.add(beta).add(1);
            // B(x, y) with x = alpha+1, y = beta: lgamma(x+y) of (alpha+1)+beta, as the reference evaluates it
            NDArray logB = a1.gammaln().add(beta.gammaln()).sub(a1.add(beta).gammaln()).exp().add(BETA_FN_ADDITIVE).log();
            NDArray h = logB.sub(alpha.mul(Digamma.psi(a1)))
                    .sub(beta.sub(1).mul(Digamma.psi(beta)))
                    .add(alpha.add(beta).sub(1).mul(Digamma.psi(ab1)));
            NDArray t = p.mul(h);
            t = NDArrays.where(t.gt(0), t.zerosLike(), t);
            NDArray sum = t.sum(new int[] {1});
            return NDArrays.where(sum.isNaN(), sum.zerosLike().add(NAN_REPLACEMENT), sum);
        });
    }
}
