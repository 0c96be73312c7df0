package io.alstream.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.Topics;
import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.BrokerSerdes;
import io.alstream.connectors.broker.LabelBroker;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.flink.EmbeddedFlink;
import io.alstream.kafka.embedded.EmbeddedKafka;

/**
 * Everything alstream talks to, in this JVM (DESIGN section 8): a KRaft Kafka broker, the
 * Confluent-compatible schema registry (schemas in the compacted {@code _schemas} topic), the label
 * broker with its worker HTTP API, and a Flink MiniCluster. Ports are free ones; data lives under one
 * directory, temporary unless given. {@link #close()} stops them in reverse order.
 */
public final class EmbeddedStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
    /** Secret the demo's worker tokens derive from; a real deployment gives the broker a token file. */
    public static final String DEMO_TOKEN_SECRET = "alstream-demo-worker-tokens";

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final EmbeddedKafka kafka;
    private final RegistryServer registry;
    private final LabelBroker broker;
    private final EmbeddedFlink flink;
    private final SchemaRegistryClient registryClient;

    private EmbeddedStack(Path dataDir, boolean deleteOnClose, EmbeddedKafka kafka, RegistryServer registry,
                          LabelBroker broker, EmbeddedFlink flink) {
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.kafka = kafka;
        this.registry = registry;
        this.broker = broker;
        this.flink = flink;
        this.registryClient = SchemaRegistryClient.builder(registry.url()).build();
    }

    /**
     * @param dataDir     where Kafka, the broker's state and Flink's checkpoints live; null = a temporary folder
     * @param partitions  partitions of the events and label-requests topics (= useful job parallelism)
     * @param taskSlots   Flink task slots (one TaskManager)
     * @param broker      the label broker's settings
     */
    public static EmbeddedStack start(Path dataDir, int partitions, int taskSlots, BrokerConfig broker) throws Exception {
        return start(dataDir, partitions, 1, taskSlots, broker);
    }

    /** As above, with {@code taskManagers} TaskManagers of {@code slotsPerTaskManager} slots each. */
    public static EmbeddedStack start(Path dataDir, int partitions, int taskManagers, int slotsPerTaskManager,
                                      BrokerConfig broker) throws Exception {
        return start(dataDir, partitions, taskManagers, slotsPerTaskManager, broker, new Configuration());
    }

    /** As above, with Flink settings on top of the MiniCluster's (e.g. {@code MetricsEndpoint#flinkConfiguration()}). */
    public static EmbeddedStack start(Path dataDir, int partitions, int taskManagers, int slotsPerTaskManager,
                                      BrokerConfig broker, Configuration flinkSettings) throws Exception {
        boolean temp = dataDir == null;
        Path dir = temp ? Files.createTempDirectory("alstream-") : Files.createDirectories(dataDir);
        long t0 = System.nanoTime();
        EmbeddedKafka kafka = null;
        RegistryServer registry = null;
        LabelBroker labelBroker = null;
        EmbeddedFlink flink = null;
        try {
            kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).start();
            kafka.createTopic(Topics.EVENTS, partitions, Map.of());
            kafka.createTopic(Topics.LABEL_REQUESTS, partitions, Map.of());
            kafka.createTopic(Topics.LABELS, 1, Map.of());
            kafka.createTopic(Topics.MODEL_UPDATES, 1, Map.of());
            kafka.createTopic(Topics.DEAD_LETTER, 1, Map.of());
            registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start();
            SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
            labelBroker = LabelBroker.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .serdes(BrokerSerdes.avro(client))
                    .tokens(WorkerTokens.derivedFrom(DEMO_TOKEN_SECRET))
                    .config(broker)
                    .stateDir(dir.resolve("broker"))
                    .httpPort(0)
                    .start();
            flink = EmbeddedFlink.start(taskManagers, slotsPerTaskManager, dir.resolve("checkpoints"), flinkSettings);
        } catch (Exception e) {
            closeQuietly(flink, labelBroker, registry, kafka);
            throw e;
        }
        LOG.info("embedded stack up in {} ms: Kafka {}, registry {}, label broker {}, Flink {} (data in {})",
                (System.nanoTime() - t0) / 1_000_000, kafka.bootstrapServers(), registry.url(), labelBroker.httpUri(),
                flink.restAddress(), dir);
        return new EmbeddedStack(dir, temp, kafka, registry, labelBroker, flink);
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public RegistryServer registry() {
        return registry;
    }

    public SchemaRegistryClient registryClient() {
        return registryClient;
    }

    public LabelBroker broker() {
        return broker;
    }

    public EmbeddedFlink flink() {
        return flink;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        long t0 = System.nanoTime();
        closeQuietly(flink, broker, registry, kafka);
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
        LOG.info("embedded stack stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    private static void closeQuietly(AutoCloseable... parts) {
        for (AutoCloseable p : parts) {
            if (p == null) {
                continue;
            }
            try {
                p.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", p.getClass().getSimpleName(), e.toString());
            }
        }
    }

    static void deleteRecursively(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (Exception e) {
                    // best effort: a temp folder left behind is harmless
                }
            });
        } catch (Exception e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }

    static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
