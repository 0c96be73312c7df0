package io.alstream.local.demo;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** What {@code alstream demo} was asked to do (its command-line flags). */
public record DemoSettings(
        Path dataDir,
        Path reportDir,
        int events,
        double eventsPerSecond,
        double budget,
        String strategy,
        int workers,
        double minWorkerAccuracy,
        double maxWorkerAccuracy,
        int answersPerItem,
        long minThinkMs,
        long maxThinkMs,
        int badRecords,
        double heldOutFraction,
        int parallelism,
        long timeoutSeconds,
        long seed,
        Map<String, String> jobSettings,
        String humanWorker,
        int metricsPort) {

    /** As before the metrics endpoint had a setting: it listens on a free port. */
    public DemoSettings(Path dataDir, Path reportDir, int events, double eventsPerSecond, double budget, String strategy,
                        int workers, double minWorkerAccuracy, double maxWorkerAccuracy, int answersPerItem, long minThinkMs,
                        long maxThinkMs, int badRecords, double heldOutFraction, int parallelism, long timeoutSeconds,
                        long seed, Map<String, String> jobSettings, String humanWorker) {
        this(dataDir, reportDir, events, eventsPerSecond, budget, strategy, workers, minWorkerAccuracy, maxWorkerAccuracy,
                answersPerItem, minThinkMs, maxThinkMs, badRecords, heldOutFraction, parallelism, timeoutSeconds, seed,
                jobSettings, humanWorker, 0);
    }

    /** Whether a person labels beside the simulated crowd, on the worker page, as {@link #humanWorker()}. */
    public boolean human() {
        return humanWorker != null;
    }

    /** The job settings the demo starts from; the user's --config / --set override them. */
    public Map<String, String> jobDefaults() {
        Map<String, String> m = new TreeMap<>();
        m.put("data.feature-dim", "64");
        m.put("data.num-classes", "10");
        m.put("data.class-names", "0,1,2,3,4,5,6,7,8,9");
        m.put("job.parallelism", Integer.toString(parallelism));
        m.put("job.checkpoint-interval-ms", "1000");
        m.put("job.batch-size", "16");
        m.put("job.batch-max-delay-ms", "200");
        m.put("job.model-broadcast-interval-ms", "250");
        m.put("job.redundancy", Integer.toString(answersPerItem));
        m.put("learner.budget", Double.toString(budget));
        m.put("learner.select-by", strategy);
        m.put("learner.seed", Long.toString(seed));
        m.put("learner.warmup-labels", "30");
        m.put("learner.hidden-widths", "128");
        m.put("learner.train-epochs", "60");
        m.put("learner.reference-pool", "256");
        m.put("learner.posterior-samples", "10");
        return m;
    }
}
