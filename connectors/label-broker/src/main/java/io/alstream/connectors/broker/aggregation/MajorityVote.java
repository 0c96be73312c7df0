package io.alstream.connectors.broker.aggregation;

import java.util.List;

/** The share of votes per class; knows nothing about workers. */
public final class MajorityVote implements Aggregator {
    @Override
    public AggregationMethod method() {
        return AggregationMethod.MAJORITY;
    }

    @Override
    public double[] posterior(int numClasses, List<Vote> votes, WorkerModelStore models) {
        double[] p = new double[numClasses];
        if (votes.isEmpty()) {
            java.util.Arrays.fill(p, 1.0 / numClasses);
            return p;
        }
        for (Vote v : votes) {
            p[v.label()] += 1;
        }
        for (int j = 0; j < numClasses; j++) {
            p[j] /= votes.size();
        }
        return p;
    }

    @Override
    public double estimatedAccuracy(WorkerModel model, double[] classPrior) {
        // Majority vote has no worker model of its own; the shared confusion counts (learnt from the
        // vote shares) still give an estimate, reported for the dashboards.
        return model.accuracy(classPrior);
    }
}
