package io.alstream.local.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.alstream.connectors.live.LivePageServer;
import io.alstream.flink.AlstreamJob;
import io.alstream.flink.EmbeddedFlink;
import io.alstream.flink.RetainedCheckpoints;
import io.alstream.flink.config.JobConfig;
import io.alstream.flink.config.JobOptions;
import io.alstream.flink.io.RegistryCodecs;
import io.alstream.local.demo.LoopMonitor;
import io.alstream.local.live.LiveSettings;
import io.alstream.local.live.LoopLiveView;
import io.alstream.local.live.TopicSize;
import io.alstream.local.metrics.MetricsEndpoint;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the alstream job in this process (a Flink MiniCluster) against an external Kafka cluster and schema registry, given by --config/--set (kafka.bootstrap-servers, registry.url, data.feature-dim, data.num-classes, ...). Runs until interrupted. "
                + "A restarted run resumes from the newest checkpoint in --checkpoint-dir (the model, the pending requests, the budget and the Kafka offsets), unless --fresh. "
                + "On a Flink cluster submit the job jar with `flink run` or `alstream cluster submit` instead (see README).")
final class RunCommand implements Callable<Integer> {
    @Mixin
    JobSettingsOptions job;

    @Option(names = "--slots", defaultValue = "2", description = "Task slots of the local TaskManager (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Where checkpoints go and a restart resumes from: a folder or a file:// URI "
                    + "(default: ~/.alstream/run/<kafka.group-id>/checkpoints).")
    String checkpointDir;

    @Mixin
    LivePageOptions live;

    /**
     * Model updates and latencies the live page of a run remembers (and ten times as many ids): a run lasts for
     * days, so its monitor keeps a window, not everything it read.
     */
    static final int LIVE_MEMORY = 5_000;

    /** The live page's port when --live-port is not given. */
    static final int DEFAULT_LIVE_PORT = 8090;
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of the Prometheus endpoint (/metrics, the job's metrics); 0 = a free one, -1 = none "
                    + "(default: metrics.port, 9249).")
    Integer metricsPort;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "Address the Flink REST API/web UI and the metrics endpoint listen on; 0.0.0.0 = every interface "
                    + "(default: local.bind-address, 127.0.0.1).")
    String bind;

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "Where Flink's, Kafka's and alstream's log lines go (default: ~/.alstream/run/<kafka.group-id>/alstream-run.log).")
    Path logFile;

    @Option(names = "--verbose", description = "The log lines on the terminal too.")
    boolean verbose;

    @Option(names = "--fresh", description = "Start a new model and read the topics from kafka.starting-offsets, ignoring the checkpoints in --checkpoint-dir.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        JobConfig config = JobConfig.of(job.settings());
        Path log = (logFile != null ? logFile
                : Path.of(System.getProperty("user.home"), ".alstream", "run", config.get(JobOptions.GROUP_ID), "alstream-run.log"))
                .toAbsolutePath();
        LogFile.redirect(log, verbose);
        System.out.println("logs in " + log + (verbose ? ", and here" : "; --verbose shows them here"));
        AlstreamJob alstream = AlstreamJob.onKafka(config);
        Path checkpoints = checkpointFolder(checkpointDir, config);
        Files.createDirectories(checkpoints);
        Optional<Path> resume = fresh ? Optional.empty() : RetainedCheckpoints.latest(checkpoints);
        String host = bind != null ? bind : config.get(JobOptions.BIND_ADDRESS);
        int port = metricsPort != null ? metricsPort : config.get(JobOptions.METRICS_PORT);
        Configuration flinkSettings = new Configuration();
        flinkSettings.set(RestOptions.BIND_ADDRESS, host);
        MetricsEndpoint metrics = port < 0 ? null : new MetricsEndpoint(host, port).checkFree();
        if (metrics != null) {
            flinkSettings.addAll(metrics.flinkConfiguration());
        }
        // the job is built before Flink starts, so a bad setting it finds (a held-out file that is not there, ...) is
        // one sentence with nothing started
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        alstream.configure(env);
        // keep the newest checkpoint when the job is cancelled (Ctrl-C) as well as after a crash: it is where the
        // next run resumes
        Configuration retain = new Configuration();
        retain.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        env.configure(retain);
        alstream.build(env);
        try (EmbeddedFlink flink = EmbeddedFlink.start(1, slots, checkpoints, flinkSettings)) {
            JobID id = flink.submit(env, AlstreamJob.JOB_NAME, resume.orElse(null));
            flink.awaitRunning(id, Duration.ofSeconds(90));
            System.out.println(resume.map(p -> "resumed from checkpoint " + p).orElse(fresh
                    ? "started afresh (--fresh); checkpoints in " + checkpoints
                    : "started afresh (no checkpoint in " + checkpoints + ")"));
            System.out.println("alstream job " + id + " running; Flink UI at " + flink.restAddress() + "; metrics at "
                    + (metrics == null ? "(none: --metrics-port -1)" : metrics.url() != null ? metrics.url()
                    : "(the endpoint did not start: see the log)") + "; Ctrl-C stops it");
            try (LivePage page = LivePage.start(live.settings(DEFAULT_LIVE_PORT), config, alstream.learnerConfig().budget())) {
                page.uri().ifPresent(uri -> System.out.println("live page: " + uri));
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                while (!stop.await(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    var status = flink.status(id);
                    if (status.isGloballyTerminalState()) {
                        System.err.println("the job ended: " + status);
                        return 1;
                    }
                }
            }
            flink.cancel(id);
        }
        return 0;
    }

    /**
     * The live page of a running job: a monitor on its output topics (read_committed), the events topic's
     * size, the page server. Every part is closed with it.
     */
    private record LivePage(LoopMonitor monitor, TopicSize events, LoopLiveView view, LivePageServer server)
            implements AutoCloseable {
        static LivePage start(LiveSettings settings, JobConfig config, double budget) throws java.io.IOException {
            if (!settings.enabled()) {
                return new LivePage(null, null, null, null);
            }
            String bootstrap = config.get(JobOptions.BOOTSTRAP_SERVERS);
            LoopMonitor monitor = new LoopMonitor(bootstrap, config.kafkaClientSettings(),
                    RegistryCodecs.from(config).newClient(), Map.of(), config.get(JobOptions.REQUESTS_TOPIC),
                    config.get(JobOptions.LABELS_TOPIC), config.get(JobOptions.MODEL_UPDATES_TOPIC),
                    config.get(JobOptions.DEAD_LETTER_TOPIC)).bounded(LIVE_MEMORY);
            Thread t = new Thread(monitor, "live-monitor");
            t.setDaemon(true);
            t.start();
            TopicSize events = new TopicSize(bootstrap, config.kafkaClientSettings(), config.get(JobOptions.EVENTS_TOPIC));
            LoopLiveView view = new LoopLiveView("alstream run", "events from " + config.get(JobOptions.EVENTS_TOPIC)
                    + " on " + bootstrap, monitor, events, budget);
            try {
                return new LivePage(monitor, events, view, LivePageServer.start(settings.host(), settings.port(), view));
            } catch (java.io.IOException | RuntimeException e) {
                view.close();
                events.close();
                monitor.close();
                throw new java.io.IOException("the live page cannot listen on " + settings.host() + ":" + settings.port()
                        + " (" + e.getMessage() + "); choose another with --live-port, or --no-live", e);
            }
        }

        Optional<URI> uri() {
            return Optional.ofNullable(server).map(LivePageServer::uri);
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
                view.close();
                events.close();
                monitor.close();
            }
        }
    }

    /** The checkpoint folder: a path or a file:// URI as given, else one per consumer group under ~/.alstream/run. */
    static Path checkpointFolder(String given, JobConfig config) {
        if (given == null || given.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".alstream", "run", config.get(JobOptions.GROUP_ID), "checkpoints");
        }
        if (given.startsWith("file:")) {
            try {
                return Path.of(URI.create(given));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--checkpoint-dir " + given + " is not a usable file URI: " + e.getMessage());
            }
        }
        if (given.contains("://")) {
            throw new IllegalArgumentException("--checkpoint-dir " + given + ": `alstream run` keeps checkpoints in a local folder "
                    + "(a path or file:// URI); on a cluster set execution.checkpointing.dir instead");
        }
        return Path.of(given).toAbsolutePath();
    }
}
