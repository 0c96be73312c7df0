package io.alstream.bench.efficiency;

import io.alstream.flink.config.LearnerOptions;
import io.alstream.learner.LearnerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code alstream bench}: the label-efficiency benchmark. Streams a data set through the learner and each
 * selection strategy with a simulated oracle, measures held-out accuracy at fixed label counts for every
 * seed, runs MOA's stream active learners on the same stream as the peer, and writes the report
 * ({@link CurveReport}) into the output folder.
 */
@Command(name = "alstream-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Label-efficiency benchmark: held-out accuracy against labels for every strategy and seed, "
                + "in process (the learner alone) or through the full pipeline (Kafka + Flink + label broker), "
                + "with MOA's stream active learners as the peer. Writes points.csv, runs.csv, summary.md and "
                + "learning-curve.png into --out; --merge adds the runs already there.", ""},
        footer = {"", "Examples:",
                "  alstream-bench --data digits --seeds 3 --moa all                # a few minutes",
                "  alstream-bench --data fashion-mnist --seeds 3 --moa all         # hours on 2 cores",
                "  alstream-bench --data csv --csv my.csv --label-column -1 --held-out-fraction 0.2"})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--data", description = "fashion-mnist, digits, csv, or a UCI set from Debian's r-cran-mlbench: letter "
            + "(26 classes), satellite (36 features, 6 classes), shuttle (9 features, 7 classes, imbalanced) (default: ${DEFAULT-VALUE}).",
            defaultValue = "digits")
    String data;
    @Option(names = "--data-dir", description = "Folder of the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE}).",
            defaultValue = "/usr/share/datasets/fashion-mnist")
    Path dataDir;
    @Option(names = "--csv", description = "The CSV file for --data csv (no header; .gz allowed).")
    Path csv;
    @Option(names = "--label-column", description = "Label column of the CSV, from 0; negative counts from the end (default: ${DEFAULT-VALUE}).",
            defaultValue = "-1")
    int labelColumn;
    @Option(names = "--scale", description = "CSV features are divided by this (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    float scale;
    @Option(names = "--standardize", description = "Standardise every feature by the stream's mean and standard deviation "
            + "(the unlabelled stream's statistics) before anything sees it: learner, yardsticks and MOA alike.")
    boolean standardize;
    @Option(names = "--held-out-fraction", description = "Held-out part of digits, an mlbench set or a CSV (default: ${DEFAULT-VALUE}).",
            defaultValue = "0.2")
    double heldOutFraction;
    @Option(names = "--split-seed", description = "Seed of the stream/held-out split of digits or a CSV (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    long splitSeed;
    @Option(names = "--max-events", description = "Stream at most this many events (0 = all; default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
    int maxEvents;
    @Option(names = "--max-held-out", description = "Evaluate on at most this many held-out rows (0 = all; default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
    int maxHeldOut;

    @Option(names = "--strategies", split = ",", description = "Strategies, comma-separated (default: all: ${DEFAULT-VALUE}).",
            defaultValue = "random,entropy,margin,bald,balent,lookahead-flip,lookahead-mlmoc")
    List<String> strategies;
    @Option(names = "--seeds", description = "Seeds 1..N per strategy (default: ${DEFAULT-VALUE}).", defaultValue = "3")
    int seeds;
    @Option(names = "--first-seed", description = "First seed (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    long firstSeed;
    @Option(names = "--budget", description = "Fraction of the stream's events that may be labelled (default: ${DEFAULT-VALUE}).",
            defaultValue = "0.1")
    double budget;
    @Option(names = "--labels", split = ",", description = "Label counts where accuracy is measured (default: ${DEFAULT-VALUE}).",
            defaultValue = "100,200,500,1000,2000,5000")
    int[] labels;
    @Option(names = "--reference", description = "Report the labels each strategy needs to reach random's accuracy at this count (default: ${DEFAULT-VALUE}).",
            defaultValue = "2000")
    int reference;
    @Option(names = "--batch", description = "Events scored together, one model version per batch (default: ${DEFAULT-VALUE}).",
            defaultValue = "100")
    int batch;
    @Option(names = "--noise", description = "Probability that the oracle gives a wrong label (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
    double noise;
    @Option(names = "--delay", description = "Events between a request and its answer; the request is pending meanwhile (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
    int delay;

    @Option(names = "--path", description = "in-process, pipeline or none (only MOA) (default: ${DEFAULT-VALUE}).",
            defaultValue = "in-process")
    String path;
    @Option(names = "--pipeline-rate", description = "Events per second the pipeline path produces (default: ${DEFAULT-VALUE}).",
            defaultValue = "20")
    double pipelineRate;
    @Option(names = "--moa", split = ",", description = "MOA base learners for the peer: none, all, or some of "
            + "naive-bayes, hoeffding-tree, sgd-logistic, knn, arf (default: ${DEFAULT-VALUE}).", defaultValue = "none")
    List<String> moa;
    @Option(names = "--moa-strategies", split = ",", description = "var-uncertainty and/or random (default: ${DEFAULT-VALUE}).",
            defaultValue = "var-uncertainty,random")
    List<String> moaStrategies;

    @Option(names = "--yardsticks", split = ",", description = "Offline yardsticks on random labels: network (the learner's network "
            + "retrained from scratch to convergence at each count), sklearn (scikit-learn's MLPClassifier, if python3-sklearn is "
            + "installed), both, or none (default: ${DEFAULT-VALUE}).", defaultValue = "network,sklearn")
    List<String> yardsticks;
    @Option(names = "--hidden", split = ",", description = "Hidden widths of the MLP (default: ${DEFAULT-VALUE}).", defaultValue = "256")
    int[] hidden;
    @Option(names = "--kernel-cap", description = "|T| at which the network is retrained (default: ${DEFAULT-VALUE}).",
            defaultValue = "1024")
    int kernelCap;
    @Option(names = "--warmup-labels", description = "Random labels before the first training (default: ${DEFAULT-VALUE}).",
            defaultValue = "50")
    int warmupLabels;
    @Option(names = "--epochs", description = "Epochs per (re)training (default: ${DEFAULT-VALUE}).", defaultValue = "30")
    int epochs;
    @Option(names = "--train-batch", description = "Training mini-batch (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int trainBatch;
    @Option(names = "--pool", description = "Look-ahead reference pool size (default: ${DEFAULT-VALUE}).", defaultValue = "512")
    int pool;
    @Option(names = "--learner", description = "Any learner setting as key=value (keys of `alstream options`, without 'learner.'); repeatable.")
    Map<String, String> learnerSettings = new LinkedHashMap<>();

    @Option(names = "--torch-threads", description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}; 1 is fastest for the small per-label ops on 2 cores).",
            defaultValue = "1")
    int torchThreads;
    @Option(names = "--out", description = "Report folder (default: bench/results/<data set>).")
    Path out;
    @Option(names = "--include", split = ",", description = "Report folders whose runs (points.csv, runs.csv, commands.txt) join this "
            + "report: to merge runs made by separate commands, e.g. in parallel.")
    List<Path> include = new ArrayList<>();
    @Option(names = "--note", description = "A sentence for the report's header (what was stopped, what the machine did); repeatable.")
    List<String> extraNotes = new ArrayList<>();
    @Option(names = "--progress-seconds", description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).",
            defaultValue = "15")
    double progressSeconds;

    private final PrintStream stdout;

    public BenchCommand() {
        this(System.out);
    }

    BenchCommand(PrintStream stdout) {
        this.stdout = stdout;
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("cluster")) {
            // `alstream bench cluster ...`: the production-rate benchmark on a real Flink cluster
            System.exit(io.alstream.bench.cluster.ClusterBenchCommand.execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("failures")) {
            // `alstream bench failures ...`: the failure matrix on a real multi-process deployment
            System.exit(io.alstream.bench.failures.FailuresCommand.execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(execute(args));
    }

    /** Runs the command line; returns the exit code. */
    public static int execute(String... args) {
        return execute(null, args);
    }

    /** As {@link #execute(String...)}, with the error messages written to err (null: standard error). */
    static int execute(java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new BenchCommand());
        if (err != null) {
            cl.setErr(err);
        }
        return cl
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    if (ex instanceof IllegalArgumentException) {
                        cmd.getErr().println("alstream bench: " + ex.getMessage());
                        return 2;
                    }
                    throw ex;
                })
                .execute(args);
    }

    @Override
    public Integer call() {
        // must precede the first use of the PyTorch engine
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        BenchData d = loadData().limit(maxEvents, maxHeldOut);
        if (standardize) {
            d = d.standardized();
        }
        RunSettings settings = new RunSettings(learnerConfig(), budget, labels, batch, noise, delay);
        if (data.equals("csv")) {
            requireReachable(d, settings);
        }
        List<Strategy> chosen = new ArrayList<>();
        if (!path.equals("none")) {
            for (String s : strategies) {
                chosen.add(Strategy.parse(s));
            }
        }
        List<String> moaBases = moaBases();
        boolean offlineNetwork = yardstick("network");
        boolean sklearn = yardstick("sklearn");
        int runCount = (chosen.size() + moaBases.size() * moaStrategies.size() + (offlineNetwork ? 1 : 0)) * seeds
                + (sklearn ? 1 : 0);
        Path dir = out != null ? out : Path.of("bench", "results", d.name());
        stdout.printf(Locale.ROOT, "alstream bench: %s, %d events streamed (%d features, %d classes), %d held out; budget %.3f of "
                        + "events; label counts %s; %d runs (%d strategies x %d seeds%s), path %s; report in %s%n",
                d.name(), d.stream().size(), d.featureDim(), d.numClasses(), d.heldOut().size(), budget,
                Arrays.toString(settings.reachable(d.stream().size())), runCount, chosen.size(), seeds,
                moaBases.isEmpty() ? "" : " + MOA " + moaBases + " x " + moaStrategies, path, dir);
        stdout.println("learner: " + settings.configFor(d, chosen.isEmpty() ? Strategy.RANDOM : chosen.get(0), firstSeed));
        Progress progress = new Progress(stdout, (long) runCount * d.stream().size(), progressSeconds);
        List<RunResult> results = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        for (Path p : include) {
            results.addAll(CurveReport.readCsv(p.resolve("points.csv")));
            commands.addAll(readCommands(p));
        }
        if (runCount > 0) {
            commands.add(commandLine());
        } else if (!include.isEmpty()) {
            commands.add(commandLine() + "   # merges the runs of the commands above into one report");
        }
        this.commands = commands;
        if (!include.isEmpty()) {
            writeReport(dir, d, settings, results);
        }
        if (sklearn) {
            results.addAll(SklearnRun.run(d, firstSeed, seeds, settings, hidden[0], yardstickNotes, stdout));
            writeReport(dir, d, settings, results);
        }
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
            if (offlineNetwork) {
                results.add(new OfflineRun(d, seed, settings, progress).run());
                writeReport(dir, d, settings, results);
            }
            for (Strategy s : chosen) {
                results.add(path.equals("pipeline")
                        ? new PipelineRun(d, s, seed, settings, progress, pipelineRate).run()
                        : new InProcessRun(d, s, seed, settings, progress).run());
                writeReport(dir, d, settings, results);
            }
            for (String base : moaBases) {
                for (String ms : moaStrategies) {
                    results.add(new MoaRun(d, base, ms, seed, settings, progress).run());
                    writeReport(dir, d, settings, results);
                }
            }
        }
        stdout.println();
        stdout.println(new CurveReport(results, settings.labelCounts()).markdown(title(d), reference, List.of()));
        stdout.println("report: " + dir.toAbsolutePath());
        return 0;
    }

    /**
     * A CSV must be large enough for every label count asked for: the built-in sets measure the counts their
     * stream reaches, a user's file that cannot reach one is more likely a wrong file or a wrong --labels.
     */
    private void requireReachable(BenchData d, RunSettings settings) {
        long most = (long) Math.floor(budget * d.stream().size());
        int largest = settings.labelCounts()[settings.labelCounts().length - 1];
        if (largest > most) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s has too few rows for %d labels: %d rows, %d of them streamed after holding out %.2f, and a budget of "
                            + "%.3f of the streamed events allows at most %d labels (lower --labels, raise --budget, or use more rows)",
                    csv, largest, d.stream().size() + d.heldOut().size(), d.stream().size(), heldOutFraction, budget, most));
        }
    }

    private void writeReport(Path dir, BenchData d, RunSettings settings, List<RunResult> results) {
        List<String> notes = new ArrayList<>();
        for (String c : commands) {
            notes.add("Command: `" + c + "`  ");
        }
        notes.add("");
        notes.add(String.format(Locale.ROOT, "Stream: %d events (%d features, %d classes), held out: %d; budget %.3f of events; "
                        + "batch %d; oracle noise %.2f, delay %d events; %s%s.", d.stream().size(), d.featureDim(),
                d.numClasses(), d.heldOut().size(), budget, batch, noise, delay,
                standardize ? "features standardised by the stream's mean and standard deviation; " : "",
                include.isEmpty() ? "path " + path : "merged from " + include + " (their settings: the commands above)"));
        String[] ml = BenchData.mlbenchEntry(d.name());
        if (ml != null) {
            notes.add("");
            notes.add("Data: " + ml[3] + "; from Debian's r-cran-mlbench (R data set " + ml[1] + ", class column " + ml[2]
                    + ", converted by bench/mlbench_csv.R); the data: UCI Machine Learning Repository, CC BY 4.0; the R "
                    + "package: GPL-2.");
        }
        notes.add("");
        notes.add("Learner: " + settings.configFor(d, Strategy.ENTROPY, firstSeed).toString().replace("|", "/"));
        notes.add("");
        notes.add("Wall time excludes the held-out evaluations; labels/s = labels obtained / that time. "
                + "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, torch threads " + torchThreads + ".");
        if (results.stream().anyMatch(r -> r.learner().equals(OfflineRun.LEARNER))) {
            notes.add("");
            notes.add(String.format(Locale.ROOT, "Offline yardstick (%s %s): the same network retrained from a fresh "
                    + "initialisation on the first N events of each seed's stream order (a uniform random sample, as random "
                    + "gets) for each count N, Adam until its epoch loss stops falling by 1%% for %d steps (at least %d, at most "
                    + "%d steps); its points.csv 'events' column holds the steps it took.", OfflineRun.LEARNER, OfflineRun.STRATEGY,
                    OfflineRun.PATIENCE_STEPS, OfflineRun.MIN_STEPS, OfflineRun.MAX_STEPS));
        }
        for (String n : yardstickNotes) {
            notes.add("");
            notes.add(n);
        }
        for (String n : extraNotes) {
            notes.add("");
            notes.add(n);
        }
        new CurveReport(results, settings.labelCounts()).writeAll(dir, title(d), reference, notes);
        try {
            Files.write(dir.resolve("commands.txt"), commands);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<String> commands = List.of();
    private final List<String> yardstickNotes = new ArrayList<>();

    private boolean yardstick(String name) {
        for (String y : yardsticks) {
            if (!List.of("none", "network", "sklearn").contains(y)) {
                throw new IllegalArgumentException("--yardsticks takes network, sklearn or none, got " + y);
            }
        }
        return yardsticks.contains(name);
    }

    private static List<String> readCommands(Path dir) {
        try {
            Path f = dir.resolve("commands.txt");
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String title(BenchData d) {
        return "alstream label efficiency: " + d.name();
    }

    private String commandLine() {
        List<String> args = new ArrayList<>();
        for (String a : spec.commandLine().getParseResult().originalArgs()) {
            args.add(a.matches("[\\w@%+=:,./-]+") ? a : "'" + a.replace("'", "'\\''") + "'"); // as a shell would need it
        }
        return "alstream bench " + String.join(" ", args);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private List<String> moaBases() {
        if (moa.size() == 1 && moa.get(0).equals("none")) {
            return List.of();
        }
        if (moa.size() == 1 && moa.get(0).equals("all")) {
            return MoaRun.BASE_LEARNERS.stream().map(b -> b[0]).toList();
        }
        for (String b : moa) {
            MoaRun.cliOf(b);
        }
        return List.copyOf(moa);
    }

    private BenchData loadData() {
        switch (data) {
            case "fashion-mnist":
                return BenchData.fashionMnist(dataDir);
            case "digits":
                return BenchData.digits(heldOutFraction, splitSeed);
            case "csv":
                if (csv == null) {
                    throw new IllegalArgumentException("--data csv needs --csv FILE");
                }
                if (!Files.isRegularFile(csv)) {
                    throw new IllegalArgumentException("--csv " + csv + " does not exist or is not a file");
                }
                return BenchData.csv(csv, labelColumn, heldOutFraction, scale, splitSeed);
            default:
                if (BenchData.mlbenchEntry(data) != null) {
                    return BenchData.mlbench(data, heldOutFraction, splitSeed);
                }
                throw new IllegalArgumentException("--data must be fashion-mnist, digits, csv, letter, satellite or shuttle, got " + data);
        }
    }

    private LearnerConfig learnerConfig() {
        LearnerConfig.Builder b = LearnerConfig.builder().hiddenWidths(hidden).kernelCap(kernelCap)
                .warmupLabels(warmupLabels).trainEpochs(epochs).batchSize(trainBatch).referencePoolSize(pool);
        for (Map.Entry<String, String> s : learnerSettings.entrySet()) {
            LearnerOptions.Entry e = LearnerOptions.entries().stream().filter(x -> x.key().equals(s.getKey())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown learner setting '" + s.getKey() + "'"));
            e.apply().accept(b, s.getValue());
        }
        return b.build();
    }
}
