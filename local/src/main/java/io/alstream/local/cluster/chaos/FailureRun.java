package io.alstream.local.cluster.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.cluster.ClusterLayout;
import io.alstream.cluster.ClusterSpec;
import io.alstream.cluster.FlinkRest;
import io.alstream.cluster.LocalFlinkCluster;
import io.alstream.connectors.Topics;
import io.alstream.connectors.broker.client.SimulatedCrowd;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.local.cluster.TruthOracle;
import io.alstream.schemas.UnlabeledEvent;

/**
 * One scripted failure run on a real multi-process deployment: Kafka (the embedded broker on a persistent data
 * folder and fixed ports, so it restarts in place), the schema registry ({@code alstream registry}) and the label
 * broker ({@code alstream broker}) each a process of their own, a simulated crowd answering over the broker's HTTP
 * API, and the job on a Flink session cluster of a JobManager and TaskManagers, each its own JVM. Events stream at a
 * steady rate the whole time; the failures are injected one after another, each after a healthy spell, and each
 * is timed until the system has recovered from it. After the last one the stream stops, the outputs drain, and
 * {@link FailureChecks} judges them from what a read_committed consumer sees.
 */
public final class FailureRun {
    private static final Logger LOG = LoggerFactory.getLogger(FailureRun.class);

    /** A failure the run can inject. */
    public enum Kind {
        TASK_MANAGER_KILL("TaskManager kill -9 (a fresh one started)"),
        TASK_MANAGER_KILL_IN_RETRAIN("TaskManager kill -9 while the trainer retrains (the trainer's TaskManager)"),
        JOB_MANAGER_KILL("JobManager kill -9, a new JobManager, the job resubmitted from its last retained checkpoint"),
        KAFKA_RESTART("Kafka broker restart (same data folder and ports)"),
        KAFKA_OUTAGE("Kafka broker down for the outage length"),
        LABEL_BROKER_KILL("label broker kill -9, restarted"),
        REGISTRY_KILL("registry kill -9, restarted"),
        REGISTRY_OUTAGE("registry down (SIGTERM) for the outage length"),
        POISON_UNDECODABLE("poisoned record: bytes that are not the wire format"),
        POISON_BAD_FEATURES("poisoned record: a well-formed event with the wrong number of features");

        public final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /**
     * What to run.
     *
     * @param features        the events' features (cycled when the run needs more events than there are rows)
     * @param labels          their true classes (the crowd's truth)
     * @param eventsPerSecond the steady rate of the stream
     * @param warmUp          longest wait for a warm model (the first request selected by the strategy) before the first failure
     * @param gap             healthy time before each failure
     * @param outage          how long an outage lasts (Kafka, registry)
     * @param recoveryTimeout longest wait for the system to recover from one failure
     * @param drainTimeout    longest wait, after the stream stops, for every event, request and label to be through
     * @param classPath       the class path the registry and broker processes run from (holds the alstream command line)
     */
    public record Settings(Path work, float[][] features, int[] labels, int numClasses, double eventsPerSecond,
                           List<Kind> failures, Duration warmUp, Duration gap, Duration outage, Duration recoveryTimeout,
                           Duration drainTimeout, double budget, Duration requestDeadline, int workers, double workerAccuracy,
                           int taskManagers, String jobManagerMemory, String taskManagerMemory, String taskOffHeap,
                           Map<String, String> jobSettings, String classPath, Consumer<String> progress) {
    }

    /** One injected failure and its recovery; times in epoch ms, -1 where it did not happen. */
    public record Injected(int n, Kind kind, long injectedAt, long restoredAt, long recoveredAt, String detail) {
        public boolean recovered() {
            return recoveredAt > 0;
        }

        /** From injection to recovered, in seconds (NaN if it never recovered). */
        public double recoverySeconds() {
            return recovered() ? (recoveredAt - injectedAt) / 1000.0 : Double.NaN;
        }

        /** From the component being back (outage over, process restarted) to recovered, in seconds. */
        public double afterRestoreSeconds() {
            return recovered() && restoredAt > 0 ? (recoveredAt - restoredAt) / 1000.0 : Double.NaN;
        }
    }

    /** Everything the run produced. */
    public record Result(List<Injected> failures, FailureChecks.Verdict verdict, List<String> commandLines,
                         List<String> timeline, Path clusterLogs, Map<String, Path> serviceLogs, String finalJobState,
                         int jobRestarts) {
    }

    private final Settings s;
    private final long t0 = System.currentTimeMillis();
    private final List<String> timeline = new ArrayList<>();
    private final List<String> commandLines = new ArrayList<>();
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final List<long[]> poisonOffsets = new ArrayList<>();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicReference<Exception> producerFailure = new AtomicReference<>();
    private EmbeddedKafka kafka;
    private ServiceProcess registry;
    private ServiceProcess broker;
    private LocalFlinkCluster cluster;
    private FlinkRest rest;
    private String jarId;
    private String jobId;
    private final List<String> jobIds = new ArrayList<>();
    private Map<String, String> job;
    private KafkaProducer<byte[], byte[]> producer;
    private AvroWireCodec<UnlabeledEvent> eventCodec;
    private volatile boolean streaming;
    private volatile java.util.concurrent.CompletableFuture<LocalFlinkCluster> starting;
    private final AtomicLong written = new AtomicLong();

    public FailureRun(Settings settings) {
        this.s = settings;
    }

    private void say(String line) {
        String l = String.format("[%6.1fs] %s", (System.currentTimeMillis() - t0) / 1000.0, line);
        synchronized (timeline) {
            timeline.add(l);
        }
        s.progress().accept(l);
    }

    public Result run() throws Exception {
        Path work = s.work().toAbsolutePath();
        Files.createDirectories(work);
        int kafkaPort = freePort();
        int controllerPort = freePort();
        int registryPort = freePort();
        int brokerPort = freePort();
        List<Injected> injected = new ArrayList<>();
        Thread stream = null;
        SimulatedCrowd crowd = null;
        CommittedLog log = null;
        String finalState = "unknown";
        int restarts = 0;
        FailureChecks.Verdict verdict = null;
        Thread hook = new Thread(this::shutdownQuietly, "failure-run-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            kafka = EmbeddedKafka.builder().dataDir(work.resolve("kafka")).brokerPort(kafkaPort).controllerPort(controllerPort).start();
            String bootstrap = kafka.bootstrapServers();
            say("Kafka broker at " + bootstrap + ", data in " + kafka.dataDir());
            createTopics();
            ClusterSpec spec = ClusterSpec.defaults(work.resolve("cluster"), ClusterLayout.flinkLib())
                    .withTaskManagers(s.taskManagers(), 1).withPorts(freePort(), freePort())
                    .withMemory(s.jobManagerMemory(), s.taskManagerMemory(), s.taskOffHeap())
                    .withPrometheusPorts("9450-9490")
                    .withFlinkConf(Map.of("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION",
                            "execution.checkpointing.num-retained", "2"));
            // the cluster's JVMs start while the services do
            starting = java.util.concurrent.CompletableFuture.supplyAsync(() -> LocalFlinkCluster.start(spec, Duration.ofMinutes(4)));
            registry = new ServiceProcess("registry", s.classPath(), "384m",
                    List.of("registry", "--bootstrap-servers", bootstrap, "--port", Integer.toString(registryPort)),
                    work.resolve("logs/registry.out"), URI.create("http://127.0.0.1:" + registryPort + "/subjects"));
            commandLines.add(registry.commandLine());
            registry.start(Duration.ofMinutes(3));
            String registryUrl = "http://127.0.0.1:" + registryPort;
            say("registry process pid " + registry.pid() + " at " + registryUrl);
            SchemaRegistryClient client = SchemaRegistryClient.builder(registryUrl).build();
            eventCodec = AvroWireCodec.specific(UnlabeledEvent.class, client);

            Map<String, String> tokens = new LinkedHashMap<>();
            StringBuilder tokenFile = new StringBuilder();
            for (int i = 1; i <= s.workers(); i++) {
                String w = "w" + i;
                String t = "token-" + w + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
                tokens.put(w, t);
                tokenFile.append(w).append(' ').append(t).append('\n');
            }
            Path tokensPath = work.resolve("workers.txt");
            Files.writeString(tokensPath, tokenFile);
            broker = new ServiceProcess("label-broker", s.classPath(), "512m",
                    List.of("broker", "--bootstrap-servers", bootstrap, "--registry-url", registryUrl, "--port",
                            Integer.toString(brokerPort), "--tokens", tokensPath.toString(), "--state-dir",
                            work.resolve("broker-state").toString(), "--min-answers", "2", "--max-answers", "3"),
                    work.resolve("logs/label-broker.out"), URI.create("http://127.0.0.1:" + brokerPort + "/health"));
            commandLines.add(broker.commandLine());
            broker.start(Duration.ofMinutes(3));
            say("label broker process pid " + broker.pid() + " on port " + brokerPort);

            try {
                cluster = starting.get(5, java.util.concurrent.TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
            rest = cluster.rest();
            say("Flink cluster: JobManager pid " + cluster.jobManagerPid() + ", " + s.taskManagers() + " TaskManager JVM(s), REST "
                    + cluster.restUrl());
            job = jobSettings(bootstrap, registryUrl);
            jarId = rest.uploadJar(ClusterLayout.jobJar());
            jobId = submit(null);
            say("job " + jobId + " RUNNING");

            log = new CommittedLog(bootstrap, List.of(Topics.LABEL_REQUESTS, Topics.LABELS, Topics.MODEL_UPDATES, Topics.DEAD_LETTER));
            producer = new KafkaProducer<>(producerProperties(bootstrap));
            streaming = true;
            stream = new Thread(this::stream, "event-stream");
            stream.setDaemon(true);
            stream.start();
            Map<String, Integer> truthById = new ConcurrentHashMap<>();
            crowd = crowd(brokerPort, tokens, truthById);
            say(String.format("streaming events at %.0f/s; %d simulated workers answering over HTTP", s.eventsPerSecond(), s.workers()));

            awaitWarm(log);
            int n = 0;
            for (Kind k : s.failures()) {
                n++;
                sleepMs(s.gap().toMillis());
                checkProducer();
                say("failure " + n + "/" + s.failures().size() + ": " + k.description);
                Injected inj;
                long injectAt = System.currentTimeMillis();
                try {
                    inj = inject(n, k, log);
                } catch (RuntimeException e) {
                    // the injection or the repair itself failed: a finding for the report, and the run goes on
                    LOG.error("failure {} ({}) could not be injected or repaired", n, k, e);
                    inj = new Injected(n, k, injectAt, -1, -1, "the injection or the repair failed: " + e);
                }
                injected.add(inj);
                say(inj.recovered() ? String.format("  recovered in %.1f s (%.1f s after the component was back): %s",
                        inj.recoverySeconds(), inj.afterRestoreSeconds(), inj.detail())
                        : "  NOT recovered within " + s.recoveryTimeout().toSeconds() + " s: " + inj.detail());
            }
            streaming = false;
            stream.join(30_000);
            producer.flush();
            say("stream stopped after " + written.get() + " events (" + sendFailures.get() + " sends failed); draining");
            verdict = drainAndCheck(log, truthById);
            finalState = rest.jobState(jobId);
            restarts = rest.get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
            say("job " + jobId + " is " + finalState + " at the end");
            crowd.close();
            crowd = null;
            Path clusterLogs = keepLogs(work);
            return new Result(injected, verdict.withJobState(finalState), List.copyOf(commandLines), List.copyOf(timeline),
                    clusterLogs, Map.of("registry", registry.log(), "label-broker", broker.log()), finalState, restarts);
        } finally {
            streaming = false;
            if (crowd != null) {
                crowd.close();
            }
            if (log != null) {
                log.close();
            }
            shutdownQuietly();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    private void shutdownQuietly() {
        try {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        } catch (RuntimeException e) {
            LOG.warn("closing the producer: {}", e.toString());
        }
        if (cluster == null && starting != null) {
            try {
                cluster = starting.get(5, java.util.concurrent.TimeUnit.MINUTES); // stopped below
            } catch (Exception e) {
                LOG.warn("the cluster did not start: {}", e.toString());
            }
        }
        if (cluster != null) {
            try {
                cluster.stop(Duration.ofSeconds(20));
            } catch (RuntimeException e) {
                LOG.warn("stopping the cluster: {}", e.toString());
            }
            cluster = null;
        }
        for (ServiceProcess p : new ServiceProcess[] {broker, registry}) {
            if (p != null) {
                p.close();
            }
        }
        if (kafka != null) {
            try {
                kafka.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping Kafka: {}", e.toString());
            }
        }
    }

    // --- the pieces ------------------------------------------------------------------------------------------

    private void createTopics() {
        kafka.createTopic(Topics.EVENTS, 2, Map.of());
        kafka.createTopic(Topics.LABEL_REQUESTS, 2, Map.of());
        for (String t : List.of(Topics.LABELS, Topics.MODEL_UPDATES, Topics.DEAD_LETTER, Topics.LABEL_ANSWERS)) {
            kafka.createTopic(t, 1, Map.of());
        }
    }

    private Map<String, String> jobSettings(String bootstrap, String registryUrl) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kafka.bootstrap-servers", bootstrap);
        m.put("registry.url", registryUrl);
        m.put("kafka.group-id", "failure-run");
        m.put("kafka.transactional-id-prefix", "failure-run");
        m.put("data.feature-dim", Integer.toString(s.features()[0].length));
        m.put("data.num-classes", Integer.toString(s.numClasses()));
        m.put("job.parallelism", Integer.toString(s.taskManagers()));
        m.put("learner.budget", Double.toString(s.budget()));
        m.put("job.request-deadline-ms", Long.toString(s.requestDeadline().toMillis()));
        m.put("job.checkpoint-interval-ms", "2000");
        m.put("job.restart-max-backoff-ms", "10000");
        m.putAll(s.jobSettings());
        return m;
    }

    private String submit(String fromCheckpoint) {
        List<String> args = new ArrayList<>();
        job.forEach((k, v) -> {
            args.add("--set");
            args.add(k + "=" + v);
        });
        if (commandLines.stream().noneMatch(c -> c.startsWith("POST /jars"))) {
            commandLines.add("POST /jars/<job jar>/run (programArgsList) " + String.join(" ", args));
        }
        String id = rest.runJar(jarId, null, args, s.taskManagers(), fromCheckpoint);
        jobIds.add(id);
        if (fromCheckpoint == null) {
            cluster.awaitJobRunning(id, Duration.ofMinutes(5));
        } // a resubmission is waited for as the failure's recovery, with its timeout
        return id;
    }

    private static Properties producerProperties(String bootstrap) {
        Properties p = TruthOracle.producerProperties(bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // an outage is waited out by the producer, not turned into lost or repeated events
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "900000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "900000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        return p;
    }

    /** The steady stream: event {@code ev-i} carries row {@code i mod rows}; one send every 1/rate s. */
    private void stream() {
        double period = 1e9 / s.eventsPerSecond();
        long start = System.nanoTime();
        long i = 0;
        while (streaming) {
            long due = start + (long) (i * period);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (!streaming) {
                return;
            }
            String id = "ev-" + i;
            int row = (int) (i % s.features().length);
            try {
                byte[] v = eventCodec.encode(Topics.EVENTS, event(id, s.features()[row]));
                sentAt.put(id, System.currentTimeMillis());
                producer.send(new ProducerRecord<>(Topics.EVENTS, id.getBytes(StandardCharsets.UTF_8), v), (md, ex) -> {
                    if (ex != null) {
                        sendFailures.incrementAndGet();
                        producerFailure.compareAndSet(null, ex);
                    } else {
                        written.incrementAndGet();
                    }
                });
            } catch (RuntimeException e) {
                producerFailure.compareAndSet(null, e);
                sendFailures.incrementAndGet();
            }
            i++;
        }
    }

    private void checkProducer() {
        if (producerFailure.get() != null) {
            LOG.warn("a send failed: {}", producerFailure.get().toString());
        }
    }

    /** The true class of event id {@code ev-i}. */
    int truthOf(String eventId) {
        long i = Long.parseLong(eventId.substring(3));
        return s.labels()[(int) (i % s.labels().length)];
    }

    private SimulatedCrowd crowd(int brokerPort, Map<String, String> tokens, Map<String, Integer> truthById) {
        SimulatedCrowd.Builder b = SimulatedCrowd.builder().baseUri(URI.create("http://127.0.0.1:" + brokerPort))
                .truth(t -> {
                    int y = truthOf(t.eventId);
                    truthById.put(t.eventId, y);
                    return y;
                })
                .seed(7).thinkTime(Duration.ofMillis(20), Duration.ofMillis(300)).idleWait(Duration.ofMillis(300))
                .retryFor(Duration.ofMinutes(10));
        tokens.forEach((w, t) -> b.worker(w, t, s.workerAccuracy()));
        return b.build().start();
    }

    private void awaitWarm(CommittedLog log) throws InterruptedException {
        long deadline = System.currentTimeMillis() + s.warmUp().toMillis();
        while (System.currentTimeMillis() < deadline) {
            long updates = log.of(Topics.MODEL_UPDATES).size();
            long labels = log.of(Topics.LABELS).size();
            if (labels > 0 && updates > 1 && FailureChecks.anySelectedRequest(log.of(Topics.LABEL_REQUESTS), eventCodecRegistry())) {
                say("model warm: " + log.of(Topics.LABEL_REQUESTS).size() + " requests, " + labels + " labels, " + updates
                        + " model updates");
                return;
            }
            Thread.sleep(2000);
        }
        say("the model was not warm within " + s.warmUp().toSeconds() + " s (" + log.of(Topics.LABEL_REQUESTS).size()
                + " requests, " + log.of(Topics.LABELS).size() + " labels); injecting anyway");
    }

    private SchemaRegistryClient eventCodecRegistry() {
        return SchemaRegistryClient.builder(job.get("registry.url")).build();
    }

    // --- failures --------------------------------------------------------------------------------------------

    private Injected inject(int n, Kind k, CommittedLog log) throws Exception {
        long at = System.currentTimeMillis();
        long restored = -1;
        StringBuilder detail = new StringBuilder();
        switch (k) {
            case TASK_MANAGER_KILL -> {
                int tm = cluster.taskManagerIndices().get(n % cluster.taskManagerIndices().size());
                at = System.currentTimeMillis();
                cluster.killTaskManager(tm);
                cluster.startTaskManager(tm);
                restored = System.currentTimeMillis();
                detail.append("TaskManager ").append(tm).append(" killed, a fresh one started; ");
            }
            case TASK_MANAGER_KILL_IN_RETRAIN -> {
                // a retrain shows in the trainer's retrain_in_progress_ms gauge (Flink's REST metrics lag about a second)
                long deadline = System.currentTimeMillis() + Math.max(60_000, s.recoveryTimeout().toMillis());
                double retrain = Double.NaN;
                double refreshesBefore = trainerMetric("alstream.model_refreshes");
                while (System.currentTimeMillis() < deadline && !(retrain > 0)) {
                    retrain = trainerMetric("alstream.retrain_in_progress_ms");
                    if (!(retrain > 0)) {
                        Thread.sleep(100);
                    }
                }
                double refreshesAfter = trainerMetric("alstream.model_refreshes");
                int tm = trainerTaskManager();
                if (tm < 0) {
                    tm = cluster.taskManagerIndices().get(0);
                }
                at = System.currentTimeMillis();
                cluster.killTaskManager(tm);
                cluster.startTaskManager(tm);
                restored = System.currentTimeMillis();
                detail.append(retrain > 0 ? String.format("a retrain had run %.1f s when last read; ", retrain / 1000)
                        : String.format("no retrain was seen running within the wait (%.0f retrains finished meanwhile; killed anyway, "
                                + "NOT during a retrain); ", refreshesAfter - refreshesBefore));
                detail.append("the trainer's TaskManager ").append(tm).append(" killed, a fresh one started; ");
            }
            case JOB_MANAGER_KILL -> {
                String old = jobId;
                at = System.currentTimeMillis();
                cluster.killJobManager();
                cluster.restartJobManager(Duration.ofMinutes(2));
                try {
                    cluster.awaitTaskManagers(s.taskManagers(), Duration.ofSeconds(90));
                    detail.append("the TaskManagers registered with the new JobManager; ");
                } catch (RuntimeException e) {
                    for (int tm : cluster.taskManagerIndices()) {
                        if (cluster.taskManagerAlive(tm)) {
                            cluster.killTaskManager(tm);
                        }
                        cluster.startTaskManager(tm);
                    }
                    cluster.awaitTaskManagers(s.taskManagers(), Duration.ofMinutes(2));
                    detail.append("the TaskManagers did not register again within 90 s and were restarted; ");
                }
                Path chk = cluster.latestRetainedCheckpoint(old).orElseThrow(() -> new IllegalStateException(
                        "the lost job " + old + " left no complete checkpoint in " + cluster.dir().resolve("checkpoints")));
                jarId = rest.uploadJar(ClusterLayout.jobJar());
                jobId = submit(chk.toUri().toString());
                restored = System.currentTimeMillis();
                detail.append("job ").append(old).append(" resubmitted from ").append(chk.getFileName()).append(" as ").append(jobId).append("; ");
            }
            case KAFKA_RESTART -> {
                at = System.currentTimeMillis();
                kafka.stop();
                kafka.start();
                restored = System.currentTimeMillis();
                detail.append(String.format("Kafka down %.1f s; ", (restored - at) / 1000.0));
            }
            case KAFKA_OUTAGE -> {
                at = System.currentTimeMillis();
                kafka.stop();
                sleepMs(s.outage().toMillis() - (System.currentTimeMillis() - at));
                kafka.start();
                restored = System.currentTimeMillis();
                detail.append(String.format("Kafka down %.1f s; ", (restored - at) / 1000.0));
            }
            case LABEL_BROKER_KILL -> {
                at = System.currentTimeMillis();
                broker.kill9();
                broker.start(Duration.ofMinutes(3));
                restored = System.currentTimeMillis();
                detail.append(String.format("label broker back (pid %d) after %.1f s; ", broker.pid(), (restored - at) / 1000.0));
            }
            case REGISTRY_KILL -> {
                at = System.currentTimeMillis();
                registry.kill9();
                registry.start(Duration.ofMinutes(3));
                restored = System.currentTimeMillis();
                detail.append(String.format("registry back (pid %d) after %.1f s; ", registry.pid(), (restored - at) / 1000.0));
            }
            case REGISTRY_OUTAGE -> {
                at = System.currentTimeMillis();
                registry.stop();
                sleepMs(s.outage().toMillis() - (System.currentTimeMillis() - at));
                registry.start(Duration.ofMinutes(3));
                restored = System.currentTimeMillis();
                detail.append(String.format("registry down %.1f s; ", (restored - at) / 1000.0));
            }
            case POISON_UNDECODABLE, POISON_BAD_FEATURES -> {
                byte[] value = k == Kind.POISON_UNDECODABLE
                        ? "{\"not\": \"avro\", \"id\": \"poison\"}".getBytes(StandardCharsets.UTF_8)
                        : eventCodec.encode(Topics.EVENTS, event("poison-" + n, new float[Math.max(1, s.features()[0].length - 3)]));
                at = System.currentTimeMillis();
                RecordMetadata md = producer.send(new ProducerRecord<>(Topics.EVENTS, ("poison-" + n).getBytes(StandardCharsets.UTF_8),
                        value)).get();
                synchronized (poisonOffsets) {
                    poisonOffsets.add(new long[] {md.partition(), md.offset()});
                }
                restored = at;
                detail.append("written to ").append(md.topic()).append('-').append(md.partition()).append('@').append(md.offset()).append("; ");
            }
            default -> throw new IllegalStateException("unknown failure " + k);
        }
        long recovered = awaitRecovered(k, at, restored, log, detail);
        return new Injected(n, k, at, restored, recovered, detail.toString().trim());
    }

    /**
     * Recovered: the component is back, the job RUNNING with every task running, a checkpoint completed that was
     * triggered after the component came back (the job's outputs move again), and, for the label path, a new label
     * committed; for a poisoned record, its dead letter committed.
     */
    private long awaitRecovered(Kind k, long at, long restored, CommittedLog log, StringBuilder detail) throws InterruptedException {
        long deadline = System.currentTimeMillis() + s.recoveryTimeout().toMillis();
        long from = Math.max(at, restored);
        long dlBefore = k.name().startsWith("POISON") ? log.of(Topics.DEAD_LETTER).stream().filter(e -> e.visibleAt() <= at).count() : 0;
        while (System.currentTimeMillis() < deadline) {
            boolean ok;
            if (k.name().startsWith("POISON")) {
                ok = log.of(Topics.DEAD_LETTER).size() > dlBefore;
            } else {
                ok = jobHealthySince(from);
                if (ok && (k == Kind.LABEL_BROKER_KILL || k == Kind.KAFKA_RESTART || k == Kind.KAFKA_OUTAGE)) {
                    ok = broker.healthy() && log.countAfter(Topics.LABELS, from) > 0;
                }
                if (ok && (k == Kind.REGISTRY_KILL || k == Kind.REGISTRY_OUTAGE)) {
                    ok = registry.healthy();
                }
            }
            if (ok) {
                return System.currentTimeMillis();
            }
            Thread.sleep(500);
        }
        detail.append("state at the timeout: job ").append(safeJobState()).append(", broker ")
                .append(broker.healthy() ? "up" : "down").append(", registry ").append(registry.healthy() ? "up" : "down");
        return -1;
    }

    private boolean jobHealthySince(long t) {
        try {
            JsonNode j = rest.job(jobId);
            if (!"RUNNING".equals(j.path("state").asText())) {
                return false;
            }
            for (JsonNode v : j.path("vertices")) {
                if (!"RUNNING".equals(v.path("status").asText())) {
                    return false;
                }
            }
            JsonNode latest = rest.checkpoints(jobId).path("latest").path("completed");
            return !latest.isMissingNode() && !latest.isNull() && latest.path("trigger_timestamp").asLong() > t;
        } catch (RuntimeException e) {
            return false; // the JobManager is restarting, a REST call refused
        }
    }

    private String safeJobState() {
        try {
            return rest.jobState(jobId);
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private String trainerVertex() {
        for (Map.Entry<String, String> e : rest.vertices(jobId).entrySet()) {
            // the trainer's own vertex ("trainer -> kafka-model-updates ..."), not the labels source's "... -> to-trainer"
            if (e.getKey().startsWith("trainer")) {
                return e.getValue();
            }
        }
        return null;
    }

    private double trainerMetric(String suffix) {
        try {
            String v = trainerVertex();
            return v == null ? Double.NaN : rest.subtaskMetric(jobId, v, id -> id.endsWith(suffix), "max");
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The TaskManager index running the trainer, or -1. */
    private int trainerTaskManager() {
        try {
            String v = trainerVertex();
            if (v == null) {
                return -1;
            }
            for (JsonNode st : rest.get("/jobs/" + jobId + "/vertices/" + v).path("subtasks")) {
                int i = LocalFlinkCluster.taskManagerIndexOf(st.path("taskmanager-id").asText());
                if (i > 0) {
                    return i;
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot tell where the trainer runs: {}", e.toString());
        }
        return -1;
    }

    // --- the end ---------------------------------------------------------------------------------------------

    private FailureChecks.Verdict drainAndCheck(CommittedLog log, Map<String, Integer> truthById) throws Exception {
        long deadline = System.currentTimeMillis() + s.drainTimeout().toMillis();
        FailureChecks checks = new FailureChecks(SchemaRegistryClient.builder(job.get("registry.url")).build());
        FailureChecks.Verdict v = null;
        while (System.currentTimeMillis() < deadline) {
            Thread.sleep(3000);
            v = checks.judge(snapshot(log));
            if (v.drained()) {
                break;
            }
            say("  draining: " + v.progress());
        }
        // a last checkpoint after the drain, so that what the job read is committed and read once more
        Thread.sleep(3000);
        v = checks.judge(snapshot(log));
        say("drained: " + v.progress());
        return v;
    }

    private FailureChecks.Snapshot snapshot(CommittedLog log) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        Map<TopicPartition, Long> committed = new HashMap<>();
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                latest.put(new TopicPartition(Topics.EVENTS, p), OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            Map<TopicPartition, OffsetAndMetadata> c = admin.listConsumerGroupOffsets(job.get("kafka.group-id") + "-events")
                    .partitionsToOffsetAndMetadata().get();
            c.forEach((tp, o) -> {
                if (o != null && tp.topic().equals(Topics.EVENTS)) {
                    committed.put(tp, o.offset());
                }
            });
        } catch (Exception e) {
            LOG.warn("reading offsets: {}", e.toString());
        }
        List<long[]> poison;
        synchronized (poisonOffsets) {
            poison = List.copyOf(poisonOffsets);
        }
        return new FailureChecks.Snapshot(written.get(), sendFailures.get(), Map.copyOf(sentAt).keySet(), poison, ends, committed,
                log.of(Topics.LABEL_REQUESTS), log.of(Topics.LABELS), log.of(Topics.MODEL_UPDATES), log.of(Topics.DEAD_LETTER),
                s.budget(), System.currentTimeMillis(), log.rereads());
    }

    private Path keepLogs(Path work) {
        Path into = work.resolve("notable-logs");
        FailureReport.keepNotableLines(work.resolve("cluster").resolve("log"), into);
        FailureReport.keepNotableLines(work.resolve("logs"), into);
        return into;
    }

    static UnlabeledEvent event(String id, float[] x) {
        List<Float> f = new ArrayList<>(x.length);
        for (float v : x) {
            f.add(v);
        }
        return UnlabeledEvent.newBuilder().setId(id).setEventTime(Instant.now()).setFeatures(f).build();
    }

    private static void sleepMs(long ms) throws InterruptedException {
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
