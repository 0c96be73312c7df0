package io.alstream.local.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.api.WorkerStatsView;
import io.alstream.connectors.broker.client.SimulatedCrowd;
import io.alstream.connectors.broker.client.WorkerClient;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.live.LivePageServer;
import io.alstream.flink.AlstreamJob;
import io.alstream.flink.config.JobConfig;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.local.EmbeddedStack;
import io.alstream.local.live.LiveSettings;
import io.alstream.local.live.LoopLiveView;
import io.alstream.local.metrics.MetricsEndpoint;
import io.alstream.local.report.LineChart;
import io.alstream.schemas.ModelUpdate;

/**
 * {@code alstream demo}: the whole loop in this process. The digits data set streams as events; the
 * Flink job scores them and asks for labels within the budget; the label broker serves the requests
 * to a simulated crowd (workers of different accuracy answering from the true labels); the answers,
 * aggregated, come back as labels and are folded into the model. Progress every two seconds, a
 * summary table at the end, and a learning curve (CSV and PNG) in the report folder.
 */
public final class DemoRun {
    private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);

    private final DemoSettings s;
    private final PrintStream out;
    private final LiveSettings live;

    public DemoRun(DemoSettings settings, PrintStream out) {
        this(settings, out, LiveSettings.OFF);
    }

    /** With a live page served where {@code live} says (printed at start). */
    public DemoRun(DemoSettings settings, PrintStream out, LiveSettings live) {
        this.s = settings;
        this.out = out;
        this.live = live;
    }

    /** Runs the demo; returns the process exit code (0 = the loop completed). */
    public int run() throws Exception {
        long t0 = System.nanoTime();
        LabelledDataset.Split split = LabelledDataset.digits().scaled(16f).split(s.heldOutFraction(), s.seed());
        LabelledDataset stream = split.stream();
        int events = s.events() <= 0 ? stream.size() : Math.min(s.events(), stream.size());
        out.printf(Locale.ROOT, "alstream demo: %d digit images stream at %.0f/s; budget %.0f%% of events, strategy %s;%n",
                events, s.eventsPerSecond(), s.budget() * 100, s.strategy());
        out.printf(Locale.ROOT, "  %d simulated workers (accuracy %.2f-%.2f), %d answers per item; %d held out for evaluation.%n",
                s.workers(), s.minWorkerAccuracy(), s.maxWorkerAccuracy(), s.answersPerItem(), split.heldOut().size());
        if (s.human()) {
            out.printf(Locale.ROOT, "  and you, worker '%s', on the worker page: label a few digits and watch the model move.%n",
                    s.humanWorker());
        }
        out.println("starting Kafka, the schema registry, the label broker and Flink in this JVM ...");

        // a person needs longer than a program to answer; the digits are 8x8 images
        BrokerConfig brokerConfig = BrokerConfig.builder().minAnswers(s.answersPerItem())
                .maxAnswers(Math.max(s.answersPerItem(), Math.min(2 * s.answersPerItem() + 1, s.workers() + (s.human() ? 1 : 0))))
                .leaseDuration(Duration.ofSeconds(s.human() ? 60 : 30))
                .pageImage(new BrokerConfig.ImageShape(8, 8)).build();
        MetricsEndpoint metrics = s.metricsPort() < 0 ? null : new MetricsEndpoint("127.0.0.1", s.metricsPort()).checkFree();
        try (EmbeddedStack stack = EmbeddedStack.start(s.dataDir(), s.parallelism(), 1, s.parallelism(), brokerConfig,
                metrics == null ? new org.apache.flink.configuration.Configuration() : metrics.flinkConfiguration())) {
            String page = workerPage(stack);
            out.printf(Locale.ROOT, "  up in %.1f s: Kafka %s, registry %s, worker API %s, worker page %s, Flink UI %s%n",
                    (System.nanoTime() - t0) / 1e9, stack.kafka().bootstrapServers(), stack.registry().url(),
                    stack.broker().httpUri(), page, stack.flink().restAddress());
            out.printf(Locale.ROOT, "  Prometheus metrics: job %s, label broker %smetrics, registry %s/metrics%n",
                    metrics == null ? "(off)" : metrics.url() == null ? "(did not start; see the log)" : metrics.url(),
                    stack.broker().httpUri(), stack.registry().url());
            if (s.human()) {
                // the person running the demo reads their own token here; it never goes to a log
                out.printf(Locale.ROOT, "%n  >>> open %s and sign in as worker %s with token %s%n"
                        + "  >>> keys: the digit you see answers it, S skips, N asks again; tasks come once the model asks for labels%n%n",
                        page, s.humanWorker(), WorkerTokens.derive(EmbeddedStack.DEMO_TOKEN_SECRET, s.humanWorker()));
            }

            Path heldOut = stack.dataDir().resolve("held-out.csv");
            split.heldOut().writeCsv(heldOut);
            Map<String, String> settings = new TreeMap<>(s.jobDefaults());
            settings.putAll(s.jobSettings());
            settings.put("kafka.bootstrap-servers", stack.kafka().bootstrapServers());
            settings.put("registry.url", stack.registry().url());
            settings.put("data.held-out-path", heldOut.toString());
            JobConfig config = JobConfig.of(settings);
            AlstreamJob job = AlstreamJob.onKafka(config);
            double before;
            try (OnlineModel untrained = OnlineModel.create(job.learnerConfig())) {
                before = untrained.accuracy(split.heldOut().features(), split.heldOut().labels());
            }

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            job.configure(env);
            job.build(env);
            JobID jobId = stack.flink().submit(env, AlstreamJob.JOB_NAME);
            stack.flink().awaitRunning(jobId, Duration.ofSeconds(90));
            out.printf(Locale.ROOT, "  job %s running (learner: %s)%n", jobId, job.learnerConfig());

            EventReplayer replayer = new EventReplayer(stack.kafka().bootstrapServers(), stack.registryClient(),
                    config.get(io.alstream.flink.config.JobOptions.EVENTS_TOPIC),
                    truncate(stream, events), "digit", s.eventsPerSecond(), s.badRecords());
            Map<String, Integer> truth = new HashMap<>();
            for (int i = 0; i < events; i++) {
                truth.put(replayer.id(i), stream.labels()[i]);
            }
            SimulatedCrowd.Builder crowdBuilder = SimulatedCrowd.builder().baseUri(stack.broker().httpUri())
                    .truth(task -> truth.getOrDefault(task.eventId, 0)).seed(s.seed())
                    .thinkTime(Duration.ofMillis(s.minThinkMs()), Duration.ofMillis(s.maxThinkMs()));
            for (int w = 0; w < s.workers(); w++) {
                double acc = s.workers() == 1 ? s.maxWorkerAccuracy()
                        : s.minWorkerAccuracy() + (s.maxWorkerAccuracy() - s.minWorkerAccuracy()) * w / (s.workers() - 1);
                String id = "worker-" + (w + 1);
                crowdBuilder.worker(id, WorkerTokens.derive(EmbeddedStack.DEMO_TOKEN_SECRET, id), acc);
            }

            int exit;
            try (LoopMonitor monitor = new LoopMonitor(stack.kafka().bootstrapServers(), stack.registryClient(), truth);
                 SimulatedCrowd crowd = crowdBuilder.build().start();
                 LoopLiveView view = new LoopLiveView("alstream demo", String.format(Locale.ROOT,
                         "%d digit images at %.0f/s, strategy %s, budget %.0f%%", events, s.eventsPerSecond(),
                         s.strategy(), s.budget() * 100), monitor, () -> replayer.produced(), s.budget());
                 LivePageServer livePage = live.enabled() ? LivePageServer.start(live.host(), live.port(), view) : null) {
                Thread monitorThread = new Thread(monitor, "demo-monitor");
                monitorThread.setDaemon(true);
                monitorThread.start();
                if (livePage != null) {
                    out.printf(Locale.ROOT, "  live page: %s%n", livePage.uri());
                }
                Thread replay = new Thread(replayer, "demo-events");
                replay.setDaemon(true);
                long loopStart = System.nanoTime();
                replay.start();
                exit = watch(replayer, monitor, stack, jobId, loopStart, events);
                LoopMonitor.Snapshot last = monitor.snapshot();
                double seconds = (System.nanoTime() - loopStart) / 1e9;
                summary(last, replayer, crowd, events, before, seconds, exit == 0, page, humanStats(stack));
                report(last, before);
            }
            stack.flink().cancel(jobId);
            out.printf(Locale.ROOT, "done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            return exit;
        }
    }

    private static String workerPage(EmbeddedStack stack) {
        return stack.broker().httpUri().resolve("worker").toString();
    }

    /** The person's stats with --human (null without, or when the broker cannot say). */
    private WorkerStatsView humanStats(EmbeddedStack stack) {
        if (!s.human()) {
            return null;
        }
        try {
            return new WorkerClient(stack.broker().httpUri(), s.humanWorker(),
                    WorkerTokens.derive(EmbeddedStack.DEMO_TOKEN_SECRET, s.humanWorker())).retryFor(Duration.ofSeconds(5)).stats();
        } catch (RuntimeException e) {
            LOG.warn("could not read {}'s stats: {}", s.humanWorker(), e.toString());
            return null;
        }
    }

    private static LabelledDataset truncate(LabelledDataset d, int n) {
        if (n >= d.size()) {
            return d;
        }
        float[][] f = java.util.Arrays.copyOf(d.features(), n);
        int[] y = java.util.Arrays.copyOf(d.labels(), n);
        return new LabelledDataset(d.name(), f, y, d.numClasses());
    }

    /** Prints progress until the loop is complete (every request answered and folded) or the timeout. */
    private int watch(EventReplayer replayer, LoopMonitor monitor, EmbeddedStack stack, JobID jobId, long start,
                      int events) throws Exception {
        long deadline = start + Duration.ofSeconds(s.timeoutSeconds()).toNanos();
        long settledSince = -1;
        while (System.nanoTime() < deadline) {
            Thread.sleep(2000);
            LoopMonitor.Snapshot snap = monitor.snapshot();
            progress(snap, replayer, (System.nanoTime() - start) / 1e9, events);
            if (replayer.failure() != null) {
                out.println("event replay failed: " + replayer.failure());
                return 1;
            }
            var status = stack.flink().status(jobId);
            if (status.isGloballyTerminalState()) {
                out.println("the job ended unexpectedly: " + status);
                return 1;
            }
            boolean allAnswered = snap.requests() > 0 && snap.labels() + snap.closedUnlabelled() >= snap.requests()
                    && snap.foldedDistinct() >= snap.labels()
                    && snap.lastUpdate() != null && snap.lastUpdate().getRefreshCount() > 0;
            if (replayer.done() && allAnswered) {
                if (settledSince < 0) {
                    settledSince = System.nanoTime();
                } else if (System.nanoTime() - settledSince > 3_000_000_000L) {
                    return 0; // quiet for a few seconds: nothing left in flight
                }
            } else {
                settledSince = -1;
            }
        }
        out.printf(Locale.ROOT, "timed out after %d s; the summary shows how far the loop got%n", s.timeoutSeconds());
        return 1;
    }

    private void progress(LoopMonitor.Snapshot snap, EventReplayer replayer, double t, int events) {
        ModelUpdate u = snap.lastUpdate();
        Double acc = snap.heldOutAccuracy();
        out.printf(Locale.ROOT, "[%5.1fs] events %4d/%d  requests %3d (%4.1f%%)  labels %3d  folded %3d  model %s  held-out %s  dead letters %d%n",
                t, replayer.produced(), events, snap.requests(),
                replayer.produced() == 0 ? 0.0 : 100.0 * snap.requests() / replayer.produced(),
                snap.labels(), snap.foldedDistinct(),
                u == null ? "-" : "v" + u.getVersion() + (u.getRefreshCount() > 0 ? " (" + u.getRefreshCount() + " refresh)" : " (warm-up)"),
                acc == null ? "  -  " : String.format(Locale.ROOT, "%.1f%%", acc * 100), snap.deadLetterCount());
    }

    private void summary(LoopMonitor.Snapshot snap, EventReplayer replayer, SimulatedCrowd crowd, int events,
                         double before, double seconds, boolean complete, String page, WorkerStatsView human) {
        ModelUpdate u = snap.lastUpdate();
        Map<String, Double> first = snap.firstHeldOut();
        long answers = crowd.acceptedAnswers();
        List<String[]> rows = new ArrayList<>();
        rows.add(row("loop", complete ? "complete: every request answered and folded" : "INCOMPLETE (timed out)"));
        rows.add(row("events streamed", String.format(Locale.ROOT, "%d (+%d malformed)", replayer.produced(), replayer.badProduced())));
        rows.add(row("label requests", String.format(Locale.ROOT, "%d = %.1f%% of events (budget %.0f%%) %s%s",
                snap.requests(), 100.0 * snap.requests() / Math.max(1, replayer.produced()), s.budget() * 100,
                snap.requestsByStrategy(), snap.duplicateRequests() > 0 ? ", " + snap.duplicateRequests() + " DUPLICATES" : "")));
        rows.add(row("crowd answers", String.format(Locale.ROOT, "%d from %d simulated workers (%.1f per label)", answers,
                s.workers(), snap.labels() == 0 ? 0.0 : (double) answers / snap.labels())));
        if (s.human()) {
            rows.add(row("your answers", human == null ? "-" : String.format(Locale.ROOT,
                    "%d counted, %d skipped, %d timed out, %d refused (worker %s)", human.answersAccepted, human.leasesReleased,
                    human.leasesExpired, human.answersRejected.values().stream().mapToLong(Long::longValue).sum(), s.humanWorker())));
        }
        rows.add(row("worker page", page + (s.human() ? "" : " (alstream demo --human to label beside the crowd)")));
        rows.add(row("consolidated labels", String.format(Locale.ROOT, "%d, %.1f%% correct; %d closed unlabelled",
                snap.labels(), snap.labels() == 0 ? 0.0 : 100.0 * snap.labelsCorrect() / snap.labels(), snap.closedUnlabelled())));
        rows.add(row("labels folded", String.format(Locale.ROOT, "%d (%d distinct: %s)", snap.foldedTotal(), snap.foldedDistinct(),
                snap.foldedTotal() == snap.foldedDistinct() ? "each exactly once" : "DUPLICATE FOLDS")));
        rows.add(row("label latency", snap.medianLatencyMs() < 0 ? "-"
                : String.format(Locale.ROOT, "median %.1f s from request to consolidated label (the crowd's queue)",
                snap.medianLatencyMs() / 1000.0)));
        rows.add(row("fold latency", snap.foldLatencyMs(0.5) < 0 ? "-"
                : String.format(Locale.ROOT, "median %d ms, p95 %d ms from consolidated label to the model version holding it",
                snap.foldLatencyMs(0.5), snap.foldLatencyMs(0.95))));
        rows.add(row("model", u == null ? "no update" : String.format(Locale.ROOT, "version %d, %d refresh(es), |T| = %d, %d pending",
                u.getVersion(), u.getRefreshCount(), u.getKernelSize(), u.getPending())));
        rows.add(row("held-out accuracy", String.format(Locale.ROOT, "%.1f%% untrained -> %s at warm-up -> %s after %d labels",
                before * 100, first.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f%% (%d labels)", first.get("accuracy") * 100,
                        first.get("labels").longValue()),
                snap.heldOutAccuracy() == null ? "-" : String.format(Locale.ROOT, "%.1f%%", snap.heldOutAccuracy() * 100),
                u == null ? 0 : u.getLabelsFolded())));
        rows.add(row("prequential accuracy", u == null || u.getPrequentialAccuracy() == null ? "-"
                : String.format(Locale.ROOT, "%.1f%% (the model's prediction before each label was folded; low by design: the strategy picks events it gets wrong)", u.getPrequentialAccuracy() * 100)));
        rows.add(row("dead letters", snap.deadLetterCount() + " " + snap.deadLetters()));
        rows.add(row("wall time", String.format(Locale.ROOT, "%.1f s: events streamed in %.1f s (%.1f/s), then the last answers came back",
                seconds, replayer.seconds(), replayer.produced() / Math.max(1e-9, replayer.seconds()))));
        out.println();
        out.println("alstream demo - summary");
        int w = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        String line = "+" + "-".repeat(w + 2) + "+" + "-".repeat(100) + "+";
        out.println(line);
        for (String[] r : rows) {
            out.printf(Locale.ROOT, "| %-" + w + "s | %-98s |%n", r[0], r[1]);
        }
        out.println(line);
    }

    private static String[] row(String k, String v) {
        return new String[] {k, v};
    }

    /** Learning curve of the run: CSV of every model update and a PNG of held-out accuracy against labels. */
    private void report(LoopMonitor.Snapshot snap, double before) {
        try {
            Path dir = s.reportDir();
            Files.createDirectories(dir);
            StringBuilder csv = new StringBuilder("version,labels_folded,kernel_size,pending,refreshes,prequential_accuracy,heldout_accuracy,trigger,created_at\n");
            LineChart chart = new LineChart("alstream demo: held-out accuracy as labels arrive", "labels folded",
                    "held-out accuracy", false);
            chart.point("alstream (" + s.strategy() + ")", 0, before);
            for (ModelUpdate u : snap.updates()) {
                Double acc = u.getMetrics().get("heldout_accuracy");
                csv.append(u.getVersion()).append(',').append(u.getLabelsFolded()).append(',').append(u.getKernelSize())
                        .append(',').append(u.getPending()).append(',').append(u.getRefreshCount()).append(',')
                        .append(u.getPrequentialAccuracy() == null ? "" : u.getPrequentialAccuracy()).append(',')
                        .append(acc == null ? "" : acc).append(',').append(u.getTrigger()).append(',')
                        .append(u.getCreatedAt()).append('\n');
                if (acc != null) {
                    chart.point("alstream (" + s.strategy() + ")", u.getLabelsFolded(), acc);
                }
            }
            Files.writeString(dir.resolve("demo-model-updates.csv"), csv);
            chart.writePng(dir.resolve("demo-learning-curve.png"), 900, 520);
            out.println("report: " + dir.resolve("demo-model-updates.csv") + ", " + dir.resolve("demo-learning-curve.png"));
        } catch (Exception e) {
            LOG.warn("could not write the demo report: {}", e.toString());
        }
    }
}
