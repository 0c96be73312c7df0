package io.alstream.bench.efficiency;

import io.alstream.learner.LearnerConfig;

import java.util.Arrays;
import java.util.List;

/**
 * What every run of one benchmark shares.
 *
 * @param learner     the learner's settings (input size, classes, seed, budget and strategy are set per run)
 * @param budget      fraction of the stream's events whose label may be requested
 * @param labelCounts label counts at which held-out accuracy is measured, ascending
 * @param batch       events scored together (one model version per batch, as the job's micro-batches)
 * @param noise       probability that the oracle answers a wrong class
 * @param delay       events between a request and its answer (0 = answered before the next batch)
 */
public record RunSettings(LearnerConfig learner, double budget, int[] labelCounts, int batch, double noise, int delay) {
    public static final int[] DEFAULT_LABEL_COUNTS = {100, 200, 500, 1000, 2000, 5000};

    public RunSettings {
        if (!(budget > 0 && budget <= 1)) {
            throw new IllegalArgumentException("budget must be a fraction in (0, 1], got " + budget);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1");
        }
        labelCounts = Arrays.stream(labelCounts).sorted().distinct().toArray();
    }

    /** The learner config of one run: this data's shape, the run's seed, the strategy's acquisition function. */
    public LearnerConfig configFor(BenchData data, Strategy strategy, long seed) {
        String fn = strategy.acquisition();
        return learner.toBuilder().inputDim(data.featureDim()).numClasses(data.numClasses()).seed(seed)
                .budget(budget).acquisitionFunctions(List.of(fn)).selectBy(fn).build();
    }

    /** The label counts a stream of events can reach under the budget. */
    public int[] reachable(long events) {
        long most = (long) Math.floor(budget * events);
        return Arrays.stream(labelCounts).filter(c -> c <= most).toArray();
    }
}
