package io.alstream.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.alstream.connectors.Topics;
import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.BrokerSerdes;
import io.alstream.connectors.broker.LabelBroker;
import io.alstream.connectors.broker.client.SimulatedCrowd;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.registry.server.RegistryServerOptions;
import io.alstream.flink.AlstreamJob;
import io.alstream.flink.EmbeddedFlink;
import io.alstream.flink.config.JobConfig;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.kafka.embedded.SelfSignedTls;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.local.demo.EventReplayer;
import io.alstream.local.demo.LoopMonitor;

/**
 * The loop on a Kafka that takes only TLS with SCRAM-SHA-512 logins (a SASL_SSL listener on the embedded
 * broker), each part logging in as its own user: the registry stores schemas through it, the label broker's
 * streams and HTTP clients run on it, the job reads and writes through {@code kafka.client.*}, and the job
 * reaches the registry with basic auth. The job's Kafka password and registry credentials come from files
 * ({@code ${file:..}}), and the configuration it logs shows neither.
 */
class SecureDeploymentTest {
    private static final String TOKEN_SECRET = "secure-test-worker-tokens";

    @Test
    void theLoopRunsOnSaslSslKafkaWithARegistryBehindBasicAuth(@TempDir Path tmp) throws Exception {
        Map<String, String> users = Map.of("registry", "reg-kafka-pw-1", "broker", "broker-kafka-pw-2",
                "job", "job-kafka-pw-3", "tester", "tester-kafka-pw-4");
        SelfSignedTls tls = SelfSignedTls.create(tmp.resolve("tls"), "store-pw-5");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(tmp.resolve("kafka")).saslSsl(tls, users).start()) {
            for (String t : new String[] {Topics.EVENTS, Topics.LABEL_REQUESTS, Topics.LABELS, Topics.MODEL_UPDATES,
                    Topics.DEAD_LETTER}) {
                kafka.createTopic(t, 1, Map.of());
            }
            String secure = kafka.secureBootstrapServers();
            RegistryServerOptions ro = RegistryServer.builder(secure).port(0).basicAuthUser("job", "registry-pw-6");
            kafka.secureClientSettings("registry", users.get("registry")).forEach(ro::kafkaProperty);
            try (RegistryServer registry = ro.start()) {
                HttpResponse<String> anonymous = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(registry.url() + "/subjects")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, anonymous.statusCode(), "the registry asks for credentials");
                SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).basicAuth("job", "registry-pw-6").build();

                LabelBroker.Builder bb = LabelBroker.builder().bootstrapServers(secure).serdes(BrokerSerdes.avro(client))
                        .tokens(WorkerTokens.derivedFrom(TOKEN_SECRET))
                        .config(BrokerConfig.builder().minAnswers(1).maxAnswers(1).leaseDuration(Duration.ofSeconds(20)).build())
                        .stateDir(tmp.resolve("broker")).httpPort(0);
                kafka.secureClientSettings("broker", users.get("broker")).forEach(bb::clientProperty);
                try (LabelBroker broker = bb.start();
                     EmbeddedFlink flink = EmbeddedFlink.start(1, 2, tmp.resolve("checkpoints"))) {
                    Path kafkaPassword = tmp.resolve("job-kafka-password");
                    Files.writeString(kafkaPassword, users.get("job") + "\n");
                    Path registryAuth = tmp.resolve("registry-auth");
                    Files.writeString(registryAuth, "job:registry-pw-6");
                    Map<String, String> s = new TreeMap<>();
                    s.put("kafka.bootstrap-servers", secure);
                    kafka.secureClientSettings("job", "${file:" + kafkaPassword + "}")
                            .forEach((k, v) -> s.put("kafka.client." + k, v));
                    s.put("registry.url", registry.url());
                    s.put("registry.basic-auth", "${file:" + registryAuth + "}");
                    s.put("data.feature-dim", "64");
                    s.put("data.num-classes", "10");
                    s.put("job.checkpoint-interval-ms", "1000");
                    s.put("job.batch-size", "16");
                    s.put("job.batch-max-delay-ms", "150");
                    s.put("learner.budget", "0.2");
                    s.put("learner.warmup-labels", "20");
                    s.put("learner.hidden-widths", "32");
                    s.put("learner.train-epochs", "20");
                    s.put("learner.reference-pool", "64");
                    s.put("learner.posterior-samples", "8");
                    JobConfig config = JobConfig.of(s);
                    String logged = config.toString();
                    assertFalse(logged.contains(users.get("job")) || logged.contains("registry-pw-6"),
                            "the logged configuration shows a secret: " + logged);
                    AlstreamJob job = AlstreamJob.onKafka(config);
                    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
                    job.configure(env);
                    job.build(env);
                    JobID id = flink.submit(env, "alstream-secure");
                    flink.awaitRunning(id, Duration.ofSeconds(90));

                    LabelledDataset digits = LabelledDataset.digits().scaled(16f);
                    int events = 400;
                    LabelledDataset stream = new LabelledDataset("digits", java.util.Arrays.copyOf(digits.features(), events),
                            java.util.Arrays.copyOf(digits.labels(), events), 10);
                    Map<String, String> tester = kafka.secureClientSettings("tester", users.get("tester"));
                    EventReplayer replayer = new EventReplayer(secure, client, Topics.EVENTS, stream, "sec", 60, 2)
                            .clientSettings(tester);
                    Map<String, Integer> truth = new HashMap<>();
                    for (int i = 0; i < events; i++) {
                        truth.put(replayer.id(i), stream.labels()[i]);
                    }
                    SimulatedCrowd.Builder crowd = SimulatedCrowd.builder().baseUri(broker.httpUri())
                            .truth(t -> truth.getOrDefault(t.eventId, 0)).seed(3)
                            .thinkTime(Duration.ofMillis(10), Duration.ofMillis(50));
                    for (int w = 0; w < 3; w++) {
                        crowd.worker("w" + w, WorkerTokens.derive(TOKEN_SECRET, "w" + w), 0.95);
                    }
                    try (LoopMonitor monitor = new LoopMonitor(secure, tester, client, truth, Topics.LABEL_REQUESTS,
                            Topics.LABELS, Topics.MODEL_UPDATES, Topics.DEAD_LETTER);
                         SimulatedCrowd workers = crowd.build().start()) {
                        Thread m = new Thread(monitor, "secure-monitor");
                        m.setDaemon(true);
                        m.start();
                        Thread r = new Thread(replayer, "secure-events");
                        r.setDaemon(true);
                        r.start();
                        long deadline = System.currentTimeMillis() + 240_000;
                        LoopMonitor.Snapshot snap = monitor.snapshot();
                        while (System.currentTimeMillis() < deadline
                                && !(replayer.done() && snap.foldedDistinct() >= 30 && snap.deadLetterCount() >= 2)) {
                            assertEquals(null, replayer.failure(), "the events could not be written over SASL_SSL");
                            Thread.sleep(500);
                            snap = monitor.snapshot();
                        }
                        assertTrue(replayer.done(), "events written: " + replayer.produced());
                        assertTrue(snap.requests() > 20, "label requests written over SASL_SSL: " + snap.requests());
                        assertTrue(snap.foldedDistinct() >= 30, "labels from the broker folded by the job: " + snap.foldedDistinct());
                        assertEquals(snap.foldedTotal(), snap.foldedDistinct(), "each label folded once");
                        assertEquals(2, snap.deadLetterCount(), "the malformed records dead-lettered: " + snap.deadLetters());
                        assertTrue(flink.status(id).toString().equals("RUNNING"), "job " + flink.status(id));
                    }
                    flink.cancel(id);
                }
            }
        }
    }
}
