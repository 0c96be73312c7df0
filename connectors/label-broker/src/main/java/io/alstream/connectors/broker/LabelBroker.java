package io.alstream.connectors.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.alstream.connectors.broker.http.WorkerHttpServer;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.broker.topology.LabelBrokerTopology;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label broker as a service: the Kafka Streams topology plus the worker HTTP API, against a
 * Kafka cluster given by its bootstrap servers. Embedded ({@code alstream demo}) and standalone
 * ({@code alstream broker}, see {@link LabelBrokerMain}) run this same class.
 *
 * <pre>{@code
 * try (LabelBroker broker = LabelBroker.builder()
 *         .bootstrapServers(kafka.bootstrapServers())
 *         .serdes(serdes)
 *         .tokens(WorkerTokens.derivedFrom(secret))
 *         .httpPort(0)                       // 0 = a free port
 *         .start()) {
 *     URI api = broker.httpUri();            // http://localhost:PORT/
 * }
 * }</pre>
 *
 * All state is in Kafka Streams stores backed by changelog topics: a broker started on an empty
 * state directory restores it from Kafka.
 */
public final class LabelBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabelBroker.class);

    private final String bootstrapServers;
    private final BrokerSerdes serdes;
    private final BrokerConfig config;
    private final WorkerTokens tokens;
    private final String httpHost;
    private final int httpPort;
    /** The worker API's TLS context, or null for plain HTTP. */
    private final javax.net.ssl.SSLContext tls;
    private final Path stateDir;
    private final boolean deleteStateDirOnClose;
    private final Map<String, Object> streamsOverrides;
    private final Map<String, Object> clientOverrides;
    private final boolean createTopics;
    private final int topicPartitions;
    private final PrometheusMeterRegistry registry;
    private final BrokerMetrics metrics;
    private final OutageWait outage;
    private final AtomicInteger threadFailures = new AtomicInteger();
    private final AtomicInteger threadReplacements = new AtomicInteger();
    private final AtomicReference<Throwable> lastThreadFailure = new AtomicReference<>();
    private final CompletableFuture<Throwable> failure = new CompletableFuture<>();
    private volatile boolean closing;

    private KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private WorkerHttpServer http;

    private LabelBroker(Builder b) {
        this.bootstrapServers = Objects.requireNonNull(b.bootstrapServers, "bootstrapServers");
        this.serdes = Objects.requireNonNull(b.serdes, "serdes");
        this.tokens = Objects.requireNonNull(b.tokens, "tokens");
        this.config = b.config;
        this.httpHost = b.httpHost;
        this.httpPort = b.httpPort;
        this.tls = b.tls;
        try {
            if (b.stateDir == null) {
                this.stateDir = Files.createTempDirectory("alstream-broker-");
                this.deleteStateDirOnClose = true;
            } else {
                this.stateDir = Files.createDirectories(b.stateDir);
                this.deleteStateDirOnClose = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker state directory", e);
        }
        this.streamsOverrides = Map.copyOf(b.streamsOverrides);
        this.clientOverrides = Map.copyOf(b.clientOverrides);
        this.createTopics = b.createTopics;
        this.topicPartitions = b.topicPartitions;
        this.registry = b.registry != null ? b.registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new BrokerMetrics(registry);
        this.outage = new OutageWait(config.outageMaxBackoff(), registry);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the broker's topics if needed, starts Kafka Streams, waits until its state is restored
     * and it runs, then opens the HTTP API.
     */
    public synchronized LabelBroker start() {
        if (streams != null) {
            return this;
        }
        long t0 = System.nanoTime();
        ensureTopics();
        Topology topology = LabelBrokerTopology.build(config, serdes, metrics, outage);
        streams = new KafkaStreams(topology, streamsProperties());
        CountDownLatch running = new CountDownLatch(1);
        AtomicReference<KafkaStreams.State> failed = new AtomicReference<>();
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            } else if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
                failed.set(now);
                running.countDown();
            }
            if (now == KafkaStreams.State.ERROR && !closing) {
                Throwable cause = lastThreadFailure.get();
                failure.complete(cause != null ? cause : new IllegalStateException("the label broker's streams failed"));
            }
            LOG.info("label broker streams {} -> {}", before, now);
        });
        streams.setUncaughtExceptionHandler(this::onStreamThreadFailure);
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        streams.start();
        try {
            if (!running.await(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS) || failed.get() != null) {
                KafkaStreams.State s = streams.state();
                close();
                throw new IllegalStateException("the label broker's streams did not reach RUNNING within "
                        + config.startTimeout() + " (state " + s + ")");
            }
            http = new WorkerHttpServer(new InetSocketAddress(httpHost, httpPort), config, streams, serdes,
                    bootstrapServers, clientOverrides, tokens, metrics, registry, outage, tls);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting the label broker", e);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot open the worker API on " + httpHost + ":" + httpPort, e);
        }
        LOG.info("label broker up in {} ms: {} , worker API at {}", (System.nanoTime() - t0) / 1_000_000, config, httpUri());
        return this;
    }

    /**
     * A stream thread died. Kafka's own failures (a broker unreachable past {@code task.timeout.ms}) are
     * waited out: the thread is replaced after a pause, without limit. Anything else replaces the thread
     * up to {@code maxThreadReplacements} times (it restarts from the last commit, so nothing is lost or
     * done twice); after that the streams shut down, {@code /health} says DOWN and {@link #failure()}
     * completes, on which {@code alstream broker} exits.
     */
    private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
        lastThreadFailure.set(e);
        if (closing) {
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        if (OutageWait.isInfrastructure(e)) {
            metrics.streamThreadFailure("waited");
            LOG.warn("label broker stream thread stopped on an infrastructure failure ({}); replacing it in {}", e.toString(),
                    config.outageMaxBackoff());
            try {
                Thread.sleep(config.outageMaxBackoff().toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        int n = threadFailures.incrementAndGet();
        if (n <= config.maxThreadReplacements()) {
            threadReplacements.incrementAndGet();
            metrics.streamThreadFailure("replaced");
            LOG.error("label broker stream thread failed; replacing it ({} of {} replacements)", n, config.maxThreadReplacements(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        metrics.streamThreadFailure("shutdown");
        LOG.error("label broker stream thread failed after {} replacements; shutting the broker down", config.maxThreadReplacements(), e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /**
     * Completes, with the last stream-thread failure, when the broker's streams have stopped for good
     * (ERROR) other than by {@link #close()}. The standalone broker exits on it.
     */
    public CompletableFuture<Throwable> failure() {
        return failure;
    }

    /** Stream threads replaced after unexpected failures so far. */
    public int threadReplacements() {
        return threadReplacements.get();
    }

    Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitInterval().toMillis()));
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // one partition, one task: more threads would idle
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        // max.task.idle.ms stays 0: the broker's task reads requests before the answers that follow them in
        // time (records are taken in timestamp order across its inputs when they are at hand), so an answer
        // written straight to the topic right after its request is not refused as unknown.
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        // A worker waits on each command, and a commit happens only when the stream thread's loop comes
        // round: poll briefly, so an idle thread commits within ~10 ms of the commit interval instead
        // of sitting in a 100 ms poll; and don't let an idle fetch sit the default 500 ms.
        p.put(StreamsConfig.POLL_MS_CONFIG, "10");
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "50");
        for (Map.Entry<String, Object> e : clientOverrides.entrySet()) {
            p.put(e.getKey(), e.getValue());
        }
        p.putAll(streamsOverrides);
        return p;
    }

    private void ensureTopics() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(clientOverrides);
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> wanted = new ArrayList<>();
            // The broker's own topics: one partition each, so one task sees every command in order.
            wanted.add(new NewTopic(config.commandsTopic(), 1, (short) -1)
                    .configs(Map.of("retention.ms", Long.toString(Duration.ofDays(1).toMillis()))));
            wanted.add(new NewTopic(config.repliesTopic(), 1, (short) -1)
                    .configs(Map.of("retention.ms", Long.toString(Duration.ofHours(1).toMillis()))));
            if (createTopics) {
                for (String t : List.of(config.requestsTopic(), config.answersTopic(), config.labelsTopic(),
                        config.deadLetterTopic())) {
                    wanted.add(new NewTopic(t, topicPartitions, (short) -1));
                }
            }
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                LOG.info("creating topics {}", missing.stream().map(NewTopic::name).toList());
                for (var f : admin.createTopics(missing).values().values()) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
            }
            TopicDescription commands = describeJustCreated(admin, config.commandsTopic());
            if (commands.partitions().size() != 1) {
                throw new IllegalStateException("the commands topic " + config.commandsTopic() + " has "
                        + commands.partitions().size() + " partitions; the broker needs exactly 1");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot create the broker's topics: " + e.getCause(), e.getCause());
        }
    }

    /**
     * A topic's description. Right after it was created a broker may not know it yet (its metadata
     * propagates): that is retried for a few seconds rather than failing the start.
     */
    private static TopicDescription describeJustCreated(Admin admin, String topic)
            throws InterruptedException, java.util.concurrent.ExecutionException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** The port the worker API listens on (the chosen one if 0 was asked for). */
    public int httpPort() {
        if (http == null) {
            throw new IllegalStateException("not started");
        }
        return http.port();
    }

    /** Base URI of the worker API, ending in a slash. */
    public URI httpUri() {
        String host = httpHost.contains(":") ? "[" + httpHost + "]" : httpHost;
        return URI.create((http.tls() ? "https" : "http") + "://" + host + ":" + httpPort() + "/");
    }

    public BrokerConfig config() {
        return config;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public KafkaStreams.State streamsState() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    public Path stateDir() {
        return stateDir;
    }

    /**
     * Drains the HTTP API (new calls get 503 {@code shutting-down}, calls in flight finish), then stops
     * the streams (committing what was processed). Safe to call twice.
     */
    @Override
    public synchronized void close() {
        closing = true;
        if (http != null) {
            http.drain(config.commandTimeout().plusSeconds(1));
        }
        outage.stop();
        if (http != null) {
            http.close();
            http = null;
        }
        if (streams != null) {
            // Leave the group on close: the broker runs as one instance, and a replacement should get
            // the task at once instead of waiting out this member's session timeout (45 s by default).
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
            if (streamsMetrics != null) {
                streamsMetrics.close();
                streamsMetrics = null;
            }
            streams = null;
        }
        if (deleteStateDirOnClose) {
            deleteRecursively(stateDir);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    /** Required: bootstrap servers, serdes, tokens. Everything else has a default. */
    public static final class Builder {
        private String bootstrapServers;
        private BrokerSerdes serdes;
        private WorkerTokens tokens;
        private BrokerConfig config = BrokerConfig.defaults();
        private String httpHost = "localhost";
        private int httpPort = 8085;
        private javax.net.ssl.SSLContext tls;
        private Path stateDir;
        private final Map<String, Object> streamsOverrides = new HashMap<>();
        private final Map<String, Object> clientOverrides = new HashMap<>();
        private boolean createTopics = true;
        private int topicPartitions = 1;
        private PrometheusMeterRegistry registry;

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder serdes(BrokerSerdes serdes) {
            this.serdes = serdes;
            return this;
        }

        /** Who may call the worker API as whom. */
        public Builder tokens(WorkerTokens tokens) {
            this.tokens = tokens;
            return this;
        }

        public Builder config(BrokerConfig config) {
            this.config = Objects.requireNonNull(config);
            return this;
        }

        /** Interface the worker API binds to. Default localhost; 0.0.0.0 for all. */
        public Builder httpHost(String host) {
            this.httpHost = Objects.requireNonNull(host);
            return this;
        }

        /** Port of the worker API. Default 8085; 0 picks a free one. */
        public Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** Serve the worker API (and the page, /live, /metrics) over HTTPS with this context's certificate. Default: plain HTTP. */
        public Builder tls(javax.net.ssl.SSLContext context) {
            this.tls = context;
            return this;
        }

        /** Where Kafka Streams keeps its local state. Default: a temporary folder deleted on close. */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** Any Kafka Streams setting, applied last. */
        public Builder streamsProperty(String key, Object value) {
            streamsOverrides.put(key, value);
            return this;
        }

        /**
         * A client setting (security, timeouts) for every Kafka client the broker makes: the streams,
         * and the HTTP side's producer, consumer and admin.
         */
        public Builder clientProperty(String key, Object value) {
            clientOverrides.put(key, value);
            return this;
        }

        /** Create the requests, answers, labels and dead-letter topics if missing. Default true. */
        public Builder createTopics(boolean create) {
            this.createTopics = create;
            return this;
        }

        /** Partitions of topics the broker creates for its inputs and outputs. Default 1. */
        public Builder topicPartitions(int partitions) {
            this.topicPartitions = partitions;
            return this;
        }

        /** The registry for the broker's meters and Kafka Streams', scraped at /metrics. Default: a new one. */
        public Builder registry(PrometheusMeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        public LabelBroker build() {
            return new LabelBroker(this);
        }

        public LabelBroker start() {
            return build().start();
        }
    }
}
