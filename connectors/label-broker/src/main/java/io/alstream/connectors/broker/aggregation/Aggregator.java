package io.alstream.connectors.broker.aggregation;

import java.util.List;

/**
 * Turns the answers an item has so far into a posterior over its classes. The broker labels the
 * item with the posterior's argmax once it is confident enough, then lets {@link ConfusionLearner}
 * fold the item into the worker models.
 */
public interface Aggregator {
    AggregationMethod method();

    /** P(true class = j | votes), j in [0, K); sums to 1. */
    double[] posterior(int numClasses, List<Vote> votes, WorkerModelStore models);

    /** The worker's chance of answering correctly under this method's model of it. */
    double estimatedAccuracy(WorkerModel model, double[] classPrior);

    static Aggregator of(AggregationMethod method, ModelPrior prior) {
        return switch (method) {
            case MAJORITY -> new MajorityVote();
            case ONE_COIN_DS -> new OneCoinDawidSkene(prior);
            case DAWID_SKENE -> new DawidSkene(prior);
        };
    }

    /** Index of the largest entry; the lowest index among ties. */
    static int argmax(double[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return best;
    }

    /** exp-normalises log-probabilities in place (log-sum-exp, so long answer lists do not underflow). */
    static double[] normaliseLog(double[] logp) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logp) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int j = 0; j < logp.length; j++) {
            logp[j] = Math.exp(logp[j] - max);
            sum += logp[j];
        }
        for (int j = 0; j < logp.length; j++) {
            logp[j] /= sum;
        }
        return logp;
    }
}
