package io.alstream.connectors.broker.aggregation;

import java.util.List;

/**
 * One-coin Dawid–Skene: worker w is right with probability p_w and otherwise picks one of the other
 * K−1 classes uniformly. log P(y=j | votes) = log π_j + Σ_w [l_w = j] log p_w + [l_w ≠ j] log((1−p_w)/(K−1)) + const.
 */
public final class OneCoinDawidSkene implements Aggregator {
    private final ModelPrior prior;

    public OneCoinDawidSkene(ModelPrior prior) {
        this.prior = prior;
    }

    @Override
    public AggregationMethod method() {
        return AggregationMethod.ONE_COIN_DS;
    }

    @Override
    public double[] posterior(int numClasses, List<Vote> votes, WorkerModelStore models) {
        double[] logp = ConfusionLearner.logClassPrior(numClasses, models);
        for (Vote v : votes) {
            double p = ConfusionLearner.modelOf(numClasses, v.workerId(), models, prior).pooledAccuracy();
            double right = Math.log(p);
            double wrong = Math.log((1 - p) / (numClasses - 1));
            for (int j = 0; j < numClasses; j++) {
                logp[j] += j == v.label() ? right : wrong;
            }
        }
        return Aggregator.normaliseLog(logp);
    }

    @Override
    public double estimatedAccuracy(WorkerModel model, double[] classPrior) {
        return model.pooledAccuracy();
    }
}
