package io.alstream.connectors.broker.aggregation;

import java.util.List;

/**
 * Full Dawid–Skene (Dawid and Skene 1979): worker w answers l for true class j with probability
 * θ_w[j][l]. E-step for one item: log P(y=j | votes) = log π_j + Σ_w log θ_w[j][l_w] + const (their eq. 2.5).
 * The M-step is not a refit: {@link ConfusionLearner} adds each consolidated item's posterior to the
 * counts of the workers who answered it, the online EM of the sufficient statistics (Cappé and Moulines 2009
 * with step 1/n).
 */
public final class DawidSkene implements Aggregator {
    private final ModelPrior prior;

    public DawidSkene(ModelPrior prior) {
        this.prior = prior;
    }

    @Override
    public AggregationMethod method() {
        return AggregationMethod.DAWID_SKENE;
    }

    @Override
    public double[] posterior(int numClasses, List<Vote> votes, WorkerModelStore models) {
        double[] logp = ConfusionLearner.logClassPrior(numClasses, models);
        for (Vote v : votes) {
            WorkerModel m = ConfusionLearner.modelOf(numClasses, v.workerId(), models, prior);
            for (int j = 0; j < numClasses; j++) {
                logp[j] += Math.log(m.confusion(j, v.label()));
            }
        }
        return Aggregator.normaliseLog(logp);
    }

    @Override
    public double estimatedAccuracy(WorkerModel model, double[] classPrior) {
        return model.accuracy(classPrior);
    }
}
