package io.alstream.bench.efficiency;

import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.client.SimulatedCrowd;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.flink.AlstreamJob;
import io.alstream.flink.config.JobConfig;
import io.alstream.flink.config.JobOptions;
import io.alstream.flink.config.LearnerOptions;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.local.EmbeddedStack;
import io.alstream.local.demo.EventReplayer;
import io.alstream.local.demo.LoopMonitor;
import io.alstream.schemas.ModelUpdate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One learning curve through the whole system in this JVM ({@link EmbeddedStack}): the stream (in the run's
 * order) is produced to Kafka as events at a steady rate, the Flink job scores them and requests labels within
 * the budget, the label broker hands the requests to simulated workers who answer from the truth (wrong with
 * probability noise), and the trainer folds the answers. The rate must stay well below what the loop turns
 * around (labels come back after exactly-once commits, about a second), or most of the stream passes before
 * the model is warm and selection stays random. The trainer evaluates the held-out set each time it publishes a
 * model version; the accuracy at a label count is that of the first published version with at least that many
 * labels (versions are published at most every broadcast interval, so a point may include a few more labels).
 */
public final class PipelineRun {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PipelineRun.class);
    private final BenchData data;
    private final Strategy strategy;
    private final long seed;
    private final RunSettings settings;
    private final Progress progress;
    private final double eventsPerSecond;
    private final Duration timeout;

    /** Simulated workers answering through the broker (one answer per request: they all answer alike). */
    static final int WORKERS = 4;

    public PipelineRun(BenchData data, Strategy strategy, long seed, RunSettings settings, Progress progress,
                       double eventsPerSecond) {
        this(data, strategy, seed, settings, progress, eventsPerSecond, Duration.ofMinutes(30));
    }

    public PipelineRun(BenchData data, Strategy strategy, long seed, RunSettings settings, Progress progress,
                       double eventsPerSecond, Duration timeout) {
        this.data = data;
        this.strategy = strategy;
        this.seed = seed;
        this.settings = settings;
        this.progress = progress;
        this.eventsPerSecond = eventsPerSecond;
        this.timeout = timeout;
    }

    public String name() {
        return "pipeline " + strategy.label() + " seed " + seed;
    }

    /** The job's settings for this run: every learner option of the run's config, plus the data and job knobs. */
    Map<String, String> jobSettings(LearnerConfig cfg, Path heldOut) {
        Map<String, String> m = new TreeMap<>();
        for (LearnerOptions.Entry e : LearnerOptions.entries()) {
            m.put("learner." + e.key(), e.defaultOf().apply(cfg));
        }
        m.put("data.feature-dim", Integer.toString(data.featureDim()));
        m.put("data.num-classes", Integer.toString(data.numClasses()));
        m.put("data.held-out-path", heldOut.toString());
        m.put("job.parallelism", "1");
        m.put("job.scoring-shards", "1");
        m.put("job.batch-size", Integer.toString(settings.batch()));
        m.put("job.batch-max-delay-ms", "200");
        m.put("job.checkpoint-interval-ms", "1000");
        m.put("job.model-broadcast-interval-ms", "200");
        m.put("job.heldout-interval-ms", "0"); // a curve point needs the accuracy of each published version
        m.put("job.redundancy", "1");
        return m;
    }

    public RunResult run() {
        LearnerConfig cfg = settings.configFor(data, strategy, seed);
        int[] order = data.streamOrder(seed);
        float[][] f = new float[order.length][];
        int[] y = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            f[i] = data.stream().features()[order[i]];
            y[i] = data.stream().labels()[order[i]];
        }
        LabelledDataset stream = new LabelledDataset(data.name(), f, y, data.numClasses());
        int[] counts = settings.reachable(order.length);
        BrokerConfig broker = BrokerConfig.builder().minAnswers(1).maxAnswers(1).leaseDuration(Duration.ofSeconds(30)).build();
        long start = System.nanoTime();
        try (EmbeddedStack stack = startStack(broker)) {
            Path heldOut = stack.dataDir().resolve("held-out.csv");
            data.heldOut().writeCsv(heldOut);
            Map<String, String> all = new TreeMap<>(jobSettings(cfg, heldOut));
            all.put("kafka.bootstrap-servers", stack.kafka().bootstrapServers());
            all.put("registry.url", stack.registry().url());
            JobConfig config = JobConfig.of(all);
            AlstreamJob job = AlstreamJob.onKafka(config);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            job.configure(env);
            job.build(env);
            JobID jobId = stack.flink().submit(env, AlstreamJob.JOB_NAME);
            stack.flink().awaitRunning(jobId, Duration.ofSeconds(90));
            EventReplayer replayer = new EventReplayer(stack.kafka().bootstrapServers(), stack.registryClient(),
                    config.get(JobOptions.EVENTS_TOPIC), stream, "e", eventsPerSecond, 0);
            Map<String, Integer> truth = new HashMap<>();
            for (int i = 0; i < order.length; i++) {
                truth.put(replayer.id(i), y[i]);
            }
            SimulatedCrowd.Builder crowd = SimulatedCrowd.builder().baseUri(stack.broker().httpUri())
                    .truth(task -> truth.getOrDefault(task.eventId, 0)).seed(seed)
                    .thinkTime(Duration.ofMillis(5), Duration.ofMillis(20));
            for (int w = 1; w <= WORKERS; w++) {
                String id = "oracle-" + w;
                crowd.worker(id, WorkerTokens.derive(EmbeddedStack.DEMO_TOKEN_SECRET, id), 1 - settings.noise());
            }
            List<ModelUpdate> updates;
            try (LoopMonitor monitor = new LoopMonitor(stack.kafka().bootstrapServers(), stack.registryClient(), truth);
                 SimulatedCrowd running = crowd.build().start()) {
                Thread monitorThread = new Thread(monitor, "bench-monitor");
                monitorThread.setDaemon(true);
                monitorThread.start();
                Thread replay = new Thread(replayer, "bench-events");
                replay.setDaemon(true);
                replay.start();
                awaitSettled(replayer, monitor, order.length);
                updates = monitor.snapshot().updates();
            }
            stack.flink().cancel(jobId);
            List<CurvePoint> points = new ArrayList<>();
            long labels = 0;
            int next = 0;
            for (ModelUpdate u : updates) {
                labels = Math.max(labels, u.getLabelsFolded());
                Double acc = u.getMetrics().get("heldout_accuracy");
                while (next < counts.length && u.getLabelsFolded() >= counts[next] && acc != null) {
                    points.add(new CurvePoint(counts[next], -1, acc, (u.getCreatedAt().toEpochMilli() - 0) / 1e3));
                    next++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<CurvePoint> timed = new ArrayList<>();
            long first = updates.isEmpty() ? 0 : updates.get(0).getCreatedAt().toEpochMilli();
            for (CurvePoint p : points) {
                timed.add(new CurvePoint(p.labels(), p.events(), p.accuracy(), p.seconds() - first / 1e3));
            }
            RunResult r = new RunResult("alstream-pipeline", strategy.label(), seed, timed, labels, order.length, seconds);
            if (progress != null) {
                progress.finished(name(), r, order.length);
            }
            return r;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("pipeline run " + name() + " failed: " + e, e);
        }
    }

    /**
     * Starts the embedded stack, up to three times: on a loaded machine the label broker's topic creation has
     * failed once here with UnknownTopicOrPartitionException right after the broker came up.
     */
    private static EmbeddedStack startStack(BrokerConfig broker) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return EmbeddedStack.start(null, 1, 1, broker);
            } catch (Exception e) {
                if (attempt == 3) {
                    throw e;
                }
                LOG.warn("embedded stack did not start (attempt {}): {}; retrying", attempt, e.toString());
            }
        }
    }

    /** Waits until every event is produced and every request answered and folded (quiet for 3 s), or the timeout. */
    private void awaitSettled(EventReplayer replayer, LoopMonitor monitor, int events) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long settledSince = -1;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            LoopMonitor.Snapshot s = monitor.snapshot();
            if (replayer.failure() != null) {
                throw new IllegalStateException("event replay failed: " + replayer.failure());
            }
            if (progress != null) {
                progress.update(name(), s.foldedDistinct(), replayer.produced(), events,
                        s.heldOutAccuracy() == null ? Double.NaN : s.heldOutAccuracy());
            }
            boolean answered = s.requests() > 0 && s.labels() + s.closedUnlabelled() >= s.requests()
                    && s.foldedDistinct() >= s.labels();
            if (replayer.done() && answered) {
                if (settledSince < 0) {
                    settledSince = System.nanoTime();
                } else if (System.nanoTime() - settledSince > 3_000_000_000L) {
                    return;
                }
            } else {
                settledSince = -1;
            }
        }
        throw new IllegalStateException("pipeline run " + name() + " did not settle within " + timeout);
    }
}
