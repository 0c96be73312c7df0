package io.alstream.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.cluster.ClusterLayout;
import io.alstream.cluster.ClusterSpec;
import io.alstream.cluster.FlinkRest;
import io.alstream.cluster.LocalFlinkCluster;
import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.local.cluster.TruthOracle;
import io.alstream.schemas.ModelUpdate;
import io.alstream.schemas.UnlabeledEvent;

/**
 * The job as production runs it: the shaded job jar submitted over REST to a real Flink session cluster whose
 * JobManager and TaskManager are separate JVMs started from the cluster class path (DJL in lib/, not in the jar),
 * reading a real Kafka broker through a real registry in this JVM. A few hundred digits events stream in; the test
 * answers label requests from the truth; the model warms up, scores, and publishes versions; then the cluster stops.
 */
class ClusterSmokeTest {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSmokeTest.class);

    @Test
    void theJobJarRunsOnAMultiProcessClusterAndLearns(@TempDir Path tmp) throws Exception {
        LabelledDataset digits = LabelledDataset.digits().scaled(16f);
        int n = 700;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(tmp.resolve("kafka")).start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
            for (String t : List.of(Topics.EVENTS, Topics.LABEL_REQUESTS, Topics.LABELS, Topics.MODEL_UPDATES, Topics.DEAD_LETTER)) {
                kafka.createTopic(t, 1, Map.of());
            }
            ClusterSpec spec = ClusterSpec.defaults(tmp.resolve("cluster"), ClusterLayout.flinkLib())
                    .withTaskManagers(1, 2).withPorts(freePort(), freePort()).withMemory("768m", "1536m", "384m")
                    .withPrometheusPorts("9350-9390");
            LocalFlinkCluster cluster = LocalFlinkCluster.start(spec, Duration.ofSeconds(180));
            try {
                long self = ProcessHandle.current().pid();
                assertNotEquals(self, cluster.jobManagerPid(), "the JobManager must be a JVM of its own");
                assertNotEquals(self, cluster.taskManagerPid(1), "the TaskManager must be a JVM of its own");
                assertNotEquals(cluster.jobManagerPid(), cluster.taskManagerPid(1));

                FlinkRest rest = cluster.rest();
                String jar = rest.uploadJar(ClusterLayout.jobJar());
                List<String> args = new ArrayList<>();
                Map<String, String> settings = Map.ofEntries(
                        Map.entry("kafka.bootstrap-servers", kafka.bootstrapServers()),
                        Map.entry("registry.url", registry.url()),
                        Map.entry("data.feature-dim", "64"),
                        Map.entry("data.num-classes", "10"),
                        Map.entry("job.parallelism", "2"),
                        Map.entry("job.checkpoint-interval-ms", "1000"),
                        Map.entry("job.batch-size", "16"),
                        Map.entry("job.batch-max-delay-ms", "100"),
                        Map.entry("job.model-broadcast-interval-ms", "200"),
                        Map.entry("learner.warmup-labels", "20"),
                        Map.entry("learner.hidden-widths", "32"),
                        Map.entry("learner.train-epochs", "20"),
                        Map.entry("learner.reference-pool", "64"),
                        Map.entry("learner.posterior-samples", "8"));
                settings.forEach((k, v) -> {
                    args.add("--set");
                    args.add(k + "=" + v);
                });
                String jobId = rest.runJar(jar, null, args, 2);
                cluster.awaitJobRunning(jobId, Duration.ofSeconds(120));

                SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
                AvroWireCodec<UnlabeledEvent> events = AvroWireCodec.specific(UnlabeledEvent.class, client);
                Map<String, Integer> truth = new HashMap<>();
                Map<String, float[]> features = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    truth.put("ev-" + i, digits.labels()[i]);
                    features.put("ev-" + i, digits.features()[i]);
                }
                List<ModelUpdate> updates = new ArrayList<>();
                try (TruthOracle oracle = new TruthOracle(kafka.bootstrapServers(), client, Topics.LABEL_REQUESTS,
                        Topics.LABELS, truth::get, features::get).start();
                     KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TruthOracle.producerProperties(kafka.bootstrapServers()));
                     KafkaConsumer<byte[], byte[]> modelUpdates = committedReader(kafka.bootstrapServers(), Topics.MODEL_UPDATES)) {
                    AvroWireCodec<ModelUpdate> updateCodec = AvroWireCodec.specific(ModelUpdate.class, client);
                    for (int i = 0; i < n; i++) {
                        String id = "ev-" + i;
                        producer.send(new ProducerRecord<>(Topics.EVENTS, id.getBytes(StandardCharsets.UTF_8),
                                events.encode(Topics.EVENTS, event(id, digits.features()[i]))));
                        if (i % 50 == 49) {
                            producer.flush();
                            Thread.sleep(500); // a stream: labels come back while events flow
                        }
                    }
                    producer.flush();
                    long deadline = System.currentTimeMillis() + 120_000;
                    while (System.currentTimeMillis() < deadline && !learned(updates, oracle)) {
                        for (ConsumerRecord<byte[], byte[]> r : modelUpdates.poll(Duration.ofMillis(500))) {
                            updates.add(updateCodec.decode(r.value()));
                        }
                        assertNull(oracle.failure(), "the oracle failed");
                    }
                    List<TruthOracle.Seen> seen = oracle.seen();
                    LOG.info("cluster smoke: {} requests answered, {} model updates, last {}", seen.size(), updates.size(),
                            updates.isEmpty() ? "none" : updates.get(updates.size() - 1));
                    assertTrue(learned(updates, oracle), "no scored requests or no model trained on the labels within 2 min: "
                            + seen.size() + " requests, " + updates.size() + " model updates");
                    Set<String> ids = new HashSet<>();
                    for (TruthOracle.Seen s : seen) {
                        assertTrue(truth.containsKey(s.eventId()), "request for an unknown event " + s.eventId());
                        ids.add(s.eventId());
                    }
                    assertTrue(seen.size() <= n * 0.1 * 1.1 + 1, seen.size() + " requests for " + n + " events at budget 0.1");
                    List<String> folded = new ArrayList<>();
                    updates.forEach(u -> folded.addAll(u.getFoldedEventIds()));
                    assertEquals(folded.size(), new HashSet<>(folded).size(), "a label was folded twice");
                    assertTrue(ids.containsAll(folded), "a label folded that was never requested");
                }

                JsonNode checkpoints = rest.checkpoints(jobId);
                assertTrue(checkpoints.path("counts").path("completed").asInt() > 0, "no checkpoint completed: " + checkpoints);
                assertEquals("RUNNING", rest.jobState(jobId));
                rest.cancel(jobId);
            } finally {
                long jm = cluster.jobManagerPid();
                long tm = cluster.taskManagerPid(1);
                cluster.stop(Duration.ofSeconds(30));
                assertFalse(ProcessHandle.of(jm).map(ProcessHandle::isAlive).orElse(false), "JobManager still alive");
                assertFalse(ProcessHandle.of(tm).map(ProcessHandle::isAlive).orElse(false), "TaskManager still alive");
            }
        }
    }

    /** Requests scored by the trained model arrived, and a model version holds labels beyond the warm-up. */
    private static boolean learned(List<ModelUpdate> updates, TruthOracle oracle) {
        boolean scored = oracle.seen().stream().anyMatch(s -> !s.strategy().equals("warmup") && s.modelVersion() > 0);
        boolean trained = updates.stream().anyMatch(u -> u.getLabelsFolded() > 20 && u.getRefreshCount() >= 1);
        return scored && trained;
    }

    private static UnlabeledEvent event(String id, float[] x) {
        List<Float> f = new ArrayList<>(x.length);
        for (float v : x) {
            f.add(v);
        }
        return UnlabeledEvent.newBuilder().setId(id).setEventTime(Instant.now()).setFeatures(f).build();
    }

    private static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(TruthOracle.committedReaderProperties(bootstrap, "smoke"));
        c.subscribe(List.of(topic));
        return c;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
