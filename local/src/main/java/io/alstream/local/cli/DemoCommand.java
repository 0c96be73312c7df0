package io.alstream.local.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.alstream.local.demo.DemoRun;
import io.alstream.local.demo.DemoSettings;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole active-learning loop in this process: Kafka, the schema registry, the label broker, Flink and a simulated crowd; the shipped digits data set streams through it. Prints progress and a summary, and writes a learning curve (CSV, PNG) to the report folder. No external services.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "0", description = "Events to stream; 0 = every row not held out (default ${DEFAULT-VALUE}).")
    int events;
    @Option(names = "--rate", defaultValue = "25", description = "Events per second (default ${DEFAULT-VALUE}).")
    double rate;
    @Option(names = "--budget", defaultValue = "0.1", description = "Label budget, a fraction of events (default ${DEFAULT-VALUE}).")
    double budget;
    @Option(names = "--strategy", defaultValue = "balent",
            description = "Acquisition function that selects: balent, lookahead_mlmoc, lookahead_flip, bald, entropy, margin (default ${DEFAULT-VALUE}).")
    String strategy;
    @Option(names = "--workers", defaultValue = "8", description = "Simulated crowd workers (default ${DEFAULT-VALUE}).")
    int workers;
    @Option(names = "--worker-accuracy", defaultValue = "0.75,0.95", split = ",", paramLabel = "MIN,MAX",
            description = "Worker accuracies spread over this range (default ${DEFAULT-VALUE}).")
    double[] accuracy;
    @Option(names = "--answers", defaultValue = "3", description = "Answers wanted per item before aggregation (default ${DEFAULT-VALUE}).")
    int answers;
    @Option(names = "--think-ms", defaultValue = "50,300", split = ",", paramLabel = "MIN,MAX",
            description = "A worker's time per answer, in milliseconds (default ${DEFAULT-VALUE}).")
    long[] think;
    @Option(names = "--bad-records", defaultValue = "5", description = "Malformed records mixed into the stream, to show the dead-letter path (default ${DEFAULT-VALUE}).")
    int badRecords;
    @Option(names = "--held-out", defaultValue = "0.2", description = "Fraction of the data kept out of the stream for evaluation (default ${DEFAULT-VALUE}).")
    double heldOut;
    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism and topic partitions (default ${DEFAULT-VALUE}).")
    int parallelism;
    @Option(names = "--timeout", defaultValue = "280", description = "Give up after this many seconds of streaming (default ${DEFAULT-VALUE}).")
    long timeout;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split, the model and the crowd (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--data-dir", description = "Keep Kafka, broker state and checkpoints here (default: a temporary folder, deleted at exit).")
    Path dataDir;
    @Option(names = "--report-dir", defaultValue = "${sys:user.home}/.alstream/demo-report",
            description = "Where the learning curve (CSV, PNG) and the log file go (default ${DEFAULT-VALUE}).")
    Path reportDir;
    @Option(names = "--metrics-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the job's Prometheus endpoint (/metrics, on 127.0.0.1); 0 = a free one, printed at start; -1 = none (default ${DEFAULT-VALUE}).")
    int metricsPort;
    @Option(names = "--verbose", description = "Kafka's, Flink's and alstream's log lines on the terminal too (they always go to alstream-demo.log in the report folder).")
    boolean verbose;
    @Option(names = "--human", description = "Be one of the workers yourself: the demo prints the worker page's URL and your token, "
            + "and, unless you set them, streams at 5 events/s, gives the simulated workers 1.5-5 s per answer, leases tasks for 60 s "
            + "and runs for up to 30 minutes.")
    boolean human;
    @Option(names = "--human-id", defaultValue = "you", description = "Your worker id with --human (default ${DEFAULT-VALUE}).")
    String humanId;
    @Mixin
    JobSettingsOptions job;
    @Mixin
    LivePageOptions live;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (accuracy.length != 2 || think.length != 2) {
            throw new IllegalArgumentException("--worker-accuracy and --think-ms take MIN,MAX");
        }
        if (budget <= 0 || budget > 1) {
            throw new IllegalArgumentException("--budget must be a fraction in (0, 1], was " + budget);
        }
        if (rate <= 0 || workers < 1 || answers < 1 || parallelism < 1) {
            throw new IllegalArgumentException("--rate, --workers, --answers and --parallelism must be positive");
        }
        if (human && (humanId == null || !humanId.matches("[A-Za-z0-9_.@:\\-]{1,128}") || humanId.startsWith("worker-"))) {
            throw new IllegalArgumentException("--human-id must be letters, digits and _ . @ : - (at most 128), "
                    + "and not worker-N (the simulated workers' names); was " + humanId);
        }
        if (metricsPort < -1 || metricsPort > 65535) {
            throw new IllegalArgumentException("--metrics-port must be a port, 0 (a free one) or -1 (none), was " + metricsPort);
        }
        Path log = reportDir.resolve("alstream-demo.log").toAbsolutePath();
        LogFile.redirect(log, verbose);
        System.out.println("logs (Kafka, Flink, the label broker) in " + log + (verbose ? ", and here" : "; --verbose shows them here"));
        return new DemoRun(settings(), System.out, live.settings(0)).run();
    }

    /** The settings these flags give; with --human, a person's pace where the user did not choose one. */
    DemoSettings settings() {
        double r = rate;
        long[] t = think;
        long seconds = timeout;
        if (human) {
            if (!given("--rate")) {
                r = 5;
            }
            if (!given("--think-ms")) {
                t = new long[] {1500, 5000};
            }
            if (!given("--timeout")) {
                seconds = 1800;
            }
        }
        return new DemoSettings(dataDir, reportDir, events, r, budget, strategy, workers,
                accuracy[0], accuracy[1], answers, t[0], t[1], badRecords, heldOut, parallelism, seconds, seed,
                job.settings(), human ? humanId : null, metricsPort);
    }

    private boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
