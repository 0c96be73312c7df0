package io.alstream.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka 4.x broker in KRaft combined mode (broker and controller in one server),
 * running inside this JVM. It is the broker of the embedded default ({@code alstream demo}) and
 * of the integration tests; production talks to a real cluster instead.
 *
 * <p>The settings a one-node cluster needs are applied (DESIGN section 9): replication factor and
 * min ISR 1 for the internal topics, no initial rebalance delay, a small log-cleaner dedupe buffer
 * (the 128 MiB default would sit on our heap), and the log formatted with {@code transaction.version=1},
 * which the Flink Kafka connector's exactly-once sink needs.
 *
 * <p>Ports are chosen free at start unless given. The data directory is a fresh temporary folder,
 * deleted on close, unless one is given; a given directory survives close and a later broker on it
 * restarts with the same topics and committed offsets.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> overrides;
    /** The SASL_SSL listener's TLS identity and SCRAM users, or null when there is none. */
    private final SelfSignedTls tls;
    private final Map<String, String> scramUsers;
    private final int securePort;
    private KafkaRaftServer server;

    private EmbeddedKafka(Builder b) {
        try {
            if (b.dataDir == null) {
                this.dataDir = Files.createTempDirectory("alstream-kafka-");
                this.deleteOnClose = true;
            } else {
                this.dataDir = Files.createDirectories(b.dataDir);
                this.deleteOnClose = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data directory", e);
        }
        this.brokerPort = b.brokerPort > 0 ? b.brokerPort : freePort();
        this.controllerPort = b.controllerPort > 0 ? b.controllerPort : freePort();
        this.overrides = Map.copyOf(b.overrides);
        this.tls = b.tls;
        this.scramUsers = Map.copyOf(b.scramUsers);
        this.securePort = b.tls == null ? -1 : freePort();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Formats the log directory if it is new, starts the server and waits until it answers. */
    public synchronized EmbeddedKafka start() {
        if (server != null) {
            return this;
        }
        long t0 = System.nanoTime();
        Map<String, String> props = serverProperties();
        format(props);
        KafkaConfig config = new KafkaConfig(props, false);
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        awaitReady(Duration.ofSeconds(60));
        createScramUsers();
        LOG.info("Kafka broker ready at {} in {} ms (data in {})", bootstrapServers(),
                (System.nanoTime() - t0) / 1_000_000, dataDir);
        return this;
    }

    Map<String, String> serverProperties() {
        Path logDir = dataDir.resolve("log");
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort);
        if (tls == null) {
            p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + "," + CONTROLLER_LISTENER + "://localhost:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        } else {
            // a second listener that takes only TLS with SCRAM-SHA-512 logins; PLAINTEXT stays for the broker's own use
            p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",SASL_SSL://localhost:" + securePort + ","
                    + CONTROLLER_LISTENER + "://localhost:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort + ",SASL_SSL://localhost:" + securePort);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL," + CONTROLLER_LISTENER + ":PLAINTEXT");
            p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.put("listener.name.sasl_ssl.ssl.keystore.location", tls.keyStore().toString());
            p.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
            p.put("listener.name.sasl_ssl.ssl.keystore.password", tls.password());
            p.put("listener.name.sasl_ssl.ssl.key.password", tls.password());
        }
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("default.replication.factor", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
        // Flink's exactly-once sink keeps transactions open across a checkpoint; the broker cap stays at 15 minutes.
        p.put("transaction.max.timeout.ms", Integer.toString(15 * 60 * 1000));
        p.put("auto.create.topics.enable", "true");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.putAll(overrides);
        return p;
    }

    private void format(Map<String, String> props) {
        if (Files.exists(Path.of(props.get("log.dirs"), "meta.properties"))) {
            return; // formatted by an earlier start: keep its cluster id and data
        }
        try {
            Formatter formatter = new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(props.get("log.dirs")))
                    .setMetadataLogDirectory(props.get("metadata.log.dir"))
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    // The Flink connector's exactly-once sink needs the v1 transaction protocol.
                    .setFeatureLevel(Feature.TRANSACTION_VERSION.featureName(), (short) 1);
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("formatting the KRaft log in " + dataDir + " failed: " + e.getMessage(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get();
                return;
            } catch (Exception e) {
                last = e;
                sleep(100);
            }
        }
        throw new IllegalStateException("Kafka broker did not become ready within " + timeout, last);
    }

    /** Adds the SCRAM users of the SASL_SSL listener (through the PLAINTEXT one); their logins work once this returns. */
    private void createScramUsers() {
        if (scramUsers.isEmpty()) {
            return;
        }
        List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> users = new java.util.ArrayList<>();
        scramUsers.forEach((user, password) -> users.add(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                user, new org.apache.kafka.clients.admin.ScramCredentialInfo(
                        org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192), password)));
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(users).all().get();
            // the credentials travel through the metadata log: wait until the broker describes them
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (admin.describeUserScramCredentials(List.copyOf(scramUsers.keySet())).all().get().size() < scramUsers.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the SCRAM users never appeared: " + scramUsers.keySet());
                }
                sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while adding SCRAM users", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("adding the SCRAM users failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * {@code localhost:port} of the SASL_SSL listener (TLS, SCRAM-SHA-512 logins), for clients configured as
     * {@link #secureClientSettings(String, String)} says.
     */
    public String secureBootstrapServers() {
        if (tls == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener (Builder.saslSsl)");
        }
        return "localhost:" + securePort;
    }

    /** The Kafka client settings that log in on the SASL_SSL listener as this user. */
    public Map<String, String> secureClientSettings(String user, String password) {
        if (tls == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener (Builder.saslSsl)");
        }
        Map<String, String> m = new HashMap<>();
        m.put("security.protocol", "SASL_SSL");
        m.put("sasl.mechanism", "SCRAM-SHA-512");
        m.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        m.put("ssl.truststore.location", tls.trustStore().toString());
        m.put("ssl.truststore.type", "PKCS12");
        m.put("ssl.truststore.password", tls.password());
        return m;
    }

    /** {@code localhost:port} of the PLAINTEXT listener. */
    public String bootstrapServers() {
        return "localhost:" + brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** An admin client on this broker; the caller closes it. */
    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    /** Creates a topic (replication factor 1); an existing topic is left as it is. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
    }

    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
            for (var e : admin.createTopics(topics).values().entrySet()) {
                try {
                    e.getValue().get();
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("creating topic " + e.getKey() + " failed", ex.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    public Set<String> topics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get();
        } catch (Exception e) {
            throw new IllegalStateException("listing topics failed", e);
        }
    }

    /** Stops the server, keeping the data directory. {@link #start()} brings it back on the same ports. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
        LOG.info("Kafka broker at {} stopped", bootstrapServers());
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public synchronized void close() {
        stop();
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("localhost", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }

    /** Required settings: none. Optional: data directory, ports, broker property overrides. */
    public static final class Builder {
        private Path dataDir;
        private int brokerPort;
        private int controllerPort;
        private final Map<String, String> overrides = new HashMap<>();
        private SelfSignedTls tls;
        private final Map<String, String> scramUsers = new HashMap<>();

        /** Keep the broker's data here (survives close); default: a temporary folder deleted on close. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** PLAINTEXT port; 0 (default) picks a free one. */
        public Builder brokerPort(int port) {
            this.brokerPort = port;
            return this;
        }

        public Builder controllerPort(int port) {
            this.controllerPort = port;
            return this;
        }

        /**
         * Adds a SASL_SSL listener: TLS with this identity, logins by SCRAM-SHA-512 for these users
         * (name to password). The PLAINTEXT listener stays, for the broker's own admin use.
         */
        public Builder saslSsl(SelfSignedTls identity, Map<String, String> users) {
            this.tls = Objects.requireNonNull(identity);
            this.scramUsers.putAll(users);
            return this;
        }

        /** Any broker setting, applied last. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        public EmbeddedKafka build() {
            return new EmbeddedKafka(this);
        }

        public EmbeddedKafka start() {
            return build().start();
        }
    }
}
