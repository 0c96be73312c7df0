package io.alstream.bench.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.alstream.bench.efficiency.BenchData;

/**
 * {@code alstream bench cluster}: the production-rate benchmark on a real multi-process Flink cluster
 * ({@link ClusterBench}); writes its report into {@code --out}.
 */
@Command(name = "alstream bench cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Production-rate benchmark on a real Flink cluster on this machine (a JobManager and TaskManagers, "
                + "each its own JVM; Kafka and the registry in this JVM): sustained events/s of a passthrough job and of "
                + "alstream in the same run, event -> label request and label -> scorers latency at half load, events/s "
                + "during a retrain, checkpoint sizes and durations, model bytes per scorer, busy time per operator. "
                + "Writes runs.csv, checkpoints.csv, operators.csv, timeline.csv, summary.md and throughput.png into --out.", ""},
        footer = {"", "Example (about 10 minutes on 2 cores):",
                "  alstream bench cluster --data fashion-mnist --out bench/results/cluster"})
public final class ClusterBenchCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "fashion-mnist", description = "fashion-mnist or digits (default: ${DEFAULT-VALUE}).")
    String data;
    @Option(names = "--data-dir", defaultValue = "/usr/share/datasets/fashion-mnist",
            description = "Folder of the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE}).")
    Path dataDir;
    @Option(names = "--task-managers", defaultValue = "2", description = "TaskManager JVMs (default: ${DEFAULT-VALUE}).")
    int taskManagers;
    @Option(names = "--slots", defaultValue = "1", description = "Slots per TaskManager (default: ${DEFAULT-VALUE}).")
    int slots;
    @Option(names = "--parallelism", defaultValue = "2", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;
    @Option(names = "--passthrough-backlog", defaultValue = "150000", description = "Events the passthrough job drains (default: ${DEFAULT-VALUE}).")
    int passthroughBacklog;
    @Option(names = "--backlog", defaultValue = "60000", description = "Events written for alstream's throughput phase (default: ${DEFAULT-VALUE}).")
    int backlog;
    @Option(names = "--window", defaultValue = "60", description = "Seconds each steady-state measurement lasts (default: ${DEFAULT-VALUE}).")
    int windowSeconds;
    @Option(names = "--strategy", defaultValue = "balent", description = "learner.select-by of the alstream phases (default: ${DEFAULT-VALUE}).")
    String strategy;
    @Option(names = "--budget", defaultValue = "0.1", description = "learner.budget (default: ${DEFAULT-VALUE}).")
    double budget;
    @Option(names = "--retrain-labels", defaultValue = "3000",
            description = "Labels preloaded for the retraining phase; it ends once a retrain with this many kept has run (default: ${DEFAULT-VALUE}).")
    int retrainLabels;
    @Option(names = "--retrain-epochs", defaultValue = "0",
            description = "learner.train-epochs in the retraining phase; 0 = the job's default (default: ${DEFAULT-VALUE}).")
    int retrainEpochs;
    @Option(names = "--retrain-timeout", defaultValue = "1200", description = "Seconds the retraining phase may take (default: ${DEFAULT-VALUE}).")
    int retrainTimeout;
    @Option(names = "--skip-retraining", description = "Leave out the retraining phase (passthrough, saturated and half-load phases only).")
    boolean skipRetraining;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any further job setting for every alstream phase (repeatable).")
    Map<String, String> jobSettings = new LinkedHashMap<>();
    @Option(names = "--task-manager-memory", defaultValue = "3072m",
            description = "taskmanager.memory.process.size of each TaskManager JVM (default: ${DEFAULT-VALUE}; at 2048m the "
                    + "heap-backend job ran out of heap with 20,000 kept labels).")
    String taskManagerMemory;
    @Option(names = "--out", defaultValue = "bench/results/cluster", description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path out;

    public static int execute(String... args) {
        return new CommandLine(new ClusterBenchCommand())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    if (ex instanceof IllegalArgumentException || ex instanceof io.alstream.cluster.ClusterException) {
                        cmd.getErr().println("alstream bench cluster: " + ex.getMessage());
                        return ex instanceof IllegalArgumentException ? 2 : 1;
                    }
                    throw ex;
                })
                .execute(args);
    }

    @Override
    public Integer call() throws Exception {
        BenchData d = switch (data) {
            case "fashion-mnist" -> BenchData.fashionMnist(dataDir);
            case "digits" -> BenchData.digits(0.2, 1);
            default -> throw new IllegalArgumentException("--data must be fashion-mnist or digits, not '" + data + "'");
        };
        long t0 = System.nanoTime();
        String loadBefore = io.alstream.bench.LoadAverage.now();
        ClusterBench.Settings settings = new ClusterBench.Settings(d, taskManagers, slots, parallelism, passthroughBacklog, backlog,
                Duration.ofSeconds(windowSeconds), strategy, budget, retrainLabels, retrainEpochs,
                Duration.ofSeconds(retrainTimeout), taskManagerMemory, jobSettings, !skipRetraining, out,
                line -> System.out.printf("[%6.1fs] %s%n", (System.nanoTime() - t0) / 1e9, line));
        List<ClusterBench.Phase> phases = new ClusterBench(settings).run();
        StringBuilder cmd = new StringBuilder("./alstream bench cluster --data " + data + " --task-managers " + taskManagers
                + " --slots " + slots + " --parallelism " + parallelism + " --passthrough-backlog " + passthroughBacklog
                + " --backlog " + backlog + " --window " + windowSeconds
                + " --strategy " + strategy + " --budget " + budget + " --retrain-labels " + retrainLabels
                + " --retrain-epochs " + retrainEpochs + " --retrain-timeout " + retrainTimeout
                + " --task-manager-memory " + taskManagerMemory + (skipRetraining ? " --skip-retraining" : ""));
        jobSettings.forEach((k, v) -> cmd.append(" --set ").append(k).append('=').append(v));
        cmd.append(" --out ").append(out);
        String machine = String.format("Run %s on %d cores, %s; data %s (%d x %d features); JobManager + %d TaskManager JVM(s) "
                        + "x %d slot(s) of %s, parallelism %d; Kafka broker and registry in the benchmark's JVM; load average "
                        + "before %s, after %s; %.0f s in all.", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                d.name(), d.stream().size(), d.featureDim(), taskManagers, slots, taskManagerMemory, parallelism, loadBefore, io.alstream.bench.LoadAverage.now(),
                (System.nanoTime() - t0) / 1e9);
        ClusterBenchReport.write(out, phases, cmd.toString(), machine);
        System.out.println("report: " + out.resolve("summary.md"));
        return 0;
    }
}
