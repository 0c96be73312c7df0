package io.alstream.bench.failures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.alstream.bench.efficiency.BenchData;
import io.alstream.local.cluster.chaos.FailureReport;
import io.alstream.local.cluster.chaos.FailureRun;

/**
 * {@code alstream bench failures}: the failure matrix on a real multi-process deployment ({@link FailureRun}):
 * events streaming at a steady rate while ten failures are injected one after another; each timed until recovered;
 * the invariants judged from the read_committed outputs. Writes summary.md, failures.csv, commands.txt,
 * timeline.txt and the notable log lines into {@code --out}; exit code 0 only when every failure was recovered
 * from and every invariant held.
 */
@Command(name = "alstream bench failures", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Failure matrix on a real deployment on this machine: Kafka (restartable in place), the registry and the "
                + "label broker as processes of their own, a simulated crowd over HTTP, the job on a JobManager and TaskManagers "
                + "(each its own JVM). Events stream at --rate while the --failures are injected one by one, each after --gap "
                + "seconds of health; each is timed until recovered. Afterwards, from read_committed outputs: every event read and "
                + "committed, poisoned records dead-lettered, no label request twice, every consolidated label folded exactly once, "
                + "no request pending past its deadline, budget within 10%, the job RUNNING.", ""},
        footer = {"", "Failures (in the default order): " + FailuresCommand.DEFAULT_FAILURES,
                "", "Example (about 20 minutes on 2 cores):",
                "  alstream bench failures --data fashion-mnist --out bench/results/failures"})
public final class FailuresCommand implements Callable<Integer> {
    static final String DEFAULT_FAILURES = "poison-undecodable,task-manager-kill,label-broker-kill,registry-kill,kafka-restart,"
            + "task-manager-kill-in-retrain,registry-outage,job-manager-kill,kafka-outage,poison-bad-features";

    @Option(names = "--data", defaultValue = "fashion-mnist", description = "fashion-mnist or digits (default: ${DEFAULT-VALUE}; digits when the Fashion-MNIST files are absent).")
    String data;
    @Option(names = "--data-dir", defaultValue = "/usr/share/datasets/fashion-mnist", description = "Folder of the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE}).")
    Path dataDir;
    @Option(names = "--failures", defaultValue = DEFAULT_FAILURES, split = ",", description = "Failures to inject, in order (default: all ten).")
    List<String> failures;
    @Option(names = "--rate", defaultValue = "40", description = "Events per second, steady (default: ${DEFAULT-VALUE}).")
    double rate;
    @Option(names = "--gap", defaultValue = "20", description = "Seconds of health before each failure (default: ${DEFAULT-VALUE}).")
    int gap;
    @Option(names = "--outage", defaultValue = "60", description = "Seconds a Kafka or registry outage lasts (default: ${DEFAULT-VALUE}).")
    int outage;
    @Option(names = "--recovery-timeout", defaultValue = "300", description = "Longest wait for recovery from one failure, s (default: ${DEFAULT-VALUE}).")
    int recoveryTimeout;
    @Option(names = "--warm-up", defaultValue = "300", description = "Longest wait for a warm model before the first failure, s (default: ${DEFAULT-VALUE}).")
    int warmUp;
    @Option(names = "--drain-timeout", defaultValue = "300", description = "Longest wait for the outputs to drain after the stream stops, s (default: ${DEFAULT-VALUE}).")
    int drainTimeout;
    @Option(names = "--budget", defaultValue = "0.1", description = "learner.budget (default: ${DEFAULT-VALUE}).")
    double budget;
    @Option(names = "--deadline", defaultValue = "180", description = "job.request-deadline-ms in seconds (default: ${DEFAULT-VALUE}).")
    int deadline;
    @Option(names = "--workers", defaultValue = "4", description = "Simulated crowd workers (default: ${DEFAULT-VALUE}).")
    int workers;
    @Option(names = "--accuracy", defaultValue = "0.9", description = "Each worker's accuracy (default: ${DEFAULT-VALUE}).")
    double accuracy;
    @Option(names = "--task-managers", defaultValue = "2", description = "TaskManager JVMs, one slot each; the job's parallelism (default: ${DEFAULT-VALUE}).")
    int taskManagers;
    @Option(names = "--tm-memory", defaultValue = "2048m", description = "taskmanager.memory.process.size (default: ${DEFAULT-VALUE}).")
    String tmMemory;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any further job setting (repeatable).")
    Map<String, String> jobSettings = new LinkedHashMap<>();
    @Option(names = "--work", description = "Folder for Kafka's data, the cluster and the services' logs (default: a new temporary folder, removed afterwards).")
    Path work;
    @Option(names = "--out", defaultValue = "bench/results/failures", description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path out;

    public static int execute(String... args) {
        return new CommandLine(new FailuresCommand())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    if (ex instanceof IllegalArgumentException || ex instanceof io.alstream.cluster.ClusterException) {
                        cmd.getErr().println("alstream bench failures: " + ex.getMessage());
                        return ex instanceof IllegalArgumentException ? 2 : 1;
                    }
                    throw ex;
                })
                .execute(args);
    }

    @Override
    public Integer call() throws Exception {
        BenchData d = switch (data) {
            case "fashion-mnist" -> Files.isDirectory(dataDir) ? BenchData.fashionMnist(dataDir) : BenchData.digits(0.2, 1);
            case "digits" -> BenchData.digits(0.2, 1);
            default -> throw new IllegalArgumentException("--data must be fashion-mnist or digits, not '" + data + "'");
        };
        List<FailureRun.Kind> kinds = new ArrayList<>();
        for (String f : failures) {
            try {
                kinds.add(FailureRun.Kind.valueOf(f.trim().toUpperCase().replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown failure '" + f + "'; known: " + DEFAULT_FAILURES);
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        // a retrain every 150 labels, so that one runs when the TaskManager is killed during a retrain
        settings.put("learner.refresh-every", "150");
        settings.putAll(jobSettings);
        boolean temporary = work == null;
        Path dir = temporary ? Files.createTempDirectory("alstream-failures-") : work;
        long t0 = System.nanoTime();
        String loadBefore = io.alstream.bench.LoadAverage.now();
        FailureRun.Settings s = new FailureRun.Settings(dir, d.stream().features(), d.stream().labels(), d.numClasses(), rate, kinds,
                Duration.ofSeconds(warmUp), Duration.ofSeconds(gap), Duration.ofSeconds(outage), Duration.ofSeconds(recoveryTimeout),
                Duration.ofSeconds(drainTimeout), budget, Duration.ofSeconds(deadline), workers, accuracy, taskManagers,
                "1024m", tmMemory, "512m", settings, System.getProperty("java.class.path"), System.out::println);
        FailureRun.Result r;
        try {
            r = new FailureRun(s).run();
        } finally {
            if (temporary) {
                Files.createDirectories(out);
                copyLogs(dir, out);
            }
        }
        StringBuilder cmd = new StringBuilder("./alstream bench failures --data " + data + " --rate " + rate + " --gap " + gap
                + " --outage " + outage + " --budget " + budget + " --deadline " + deadline + " --workers " + workers
                + " --accuracy " + accuracy + " --task-managers " + taskManagers + " --tm-memory " + tmMemory
                + " --failures " + String.join(",", failures));
        jobSettings.forEach((k, v) -> cmd.append(" --set ").append(k).append('=').append(v));
        cmd.append(" --out ").append(out);
        String machine = String.format("Run %s on %d cores (shared with other builds), %s; data %s (%d events x %d features, "
                        + "cycled with new ids as needed) at %.0f events/s; JobManager + %d TaskManager JVM(s) x 1 slot, parallelism %d; "
                        + "registry and label broker as processes; Kafka in the harness's JVM; %d simulated workers (accuracy %.2f) "
                        + "over HTTP; load average before %s, after %s; %.0f s in all. Job settings of the run: learner.refresh-every=150, "
                        + "job.checkpoint-interval-ms=2000, job.restart-max-backoff-ms=10000, job.request-deadline-ms=%d%s.",
                Instant.now(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), d.name(), d.stream().size(),
                d.featureDim(), rate, taskManagers, taskManagers, workers, accuracy, loadBefore, io.alstream.bench.LoadAverage.now(),
                (System.nanoTime() - t0) / 1e9, deadline * 1000L, jobSettings.isEmpty() ? "" : ", " + jobSettings);
        FailureReport.write(out, r, cmd.toString(), machine);
        System.out.println("report: " + out.resolve("summary.md"));
        boolean ok = r.verdict().passed() && r.failures().stream().allMatch(FailureRun.Injected::recovered);
        System.out.println(ok ? "every failure recovered from, every invariant held"
                : "FAILED: " + r.verdict().failed() + r.failures().stream().filter(f -> !f.recovered()).toList());
        if (temporary) {
            deleteRecursively(dir);
        }
        return ok ? 0 : 1;
    }

    private static void copyLogs(Path dir, Path out) {
        Path notable = dir.resolve("notable-logs");
        try {
            if (Files.isDirectory(notable)) {
                Path into = out.resolve("logs");
                Files.createDirectories(into);
                try (var files = Files.list(notable)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.copy(f, into.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (java.io.IOException e) {
            System.err.println("could not copy the notable log lines: " + e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }
}
