package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.alstream.connectors.broker.api.TaskView;
import io.alstream.connectors.broker.client.WorkerClient;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.broker.state.Json;
import io.alstream.connectors.broker.topology.BrokerCommand;
import io.alstream.connectors.broker.topology.BrokerReply;
import io.alstream.connectors.registry.RetryPolicy;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.connectors.broker.api.AnswerResult;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelRequest;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's reliability on real parts (issue 11): a registry stopped and restarted while requests
 * flow, a stream thread that keeps dying, a shutdown with a call in flight, a lease granted just
 * before a crash whose reply never reached its worker.
 */
class BrokerOutageIntegrationTest {
    private static final String SECRET = "outage-secret-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dirs;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static LabelRequest request(String id) {
        Instant now = Instant.now();
        return LabelRequest.newBuilder().setRequestId(id).setEventId("ev-" + id).setFeatures(List.of(0.5f, 0.25f))
                .setStrategy("entropy").setScore(1.0).setModelVersion(3L).setCreatedAt(now)
                .setDeadline(now.plus(Duration.ofHours(1))).setNumClasses(2).build();
    }

    private static HttpResponse<String> get(LabelBroker broker, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(broker.httpUri().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double gauge(LabelBroker broker, String name) {
        var g = broker.registry().find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void aRegistryOutageHoldsRequestsBackAndNoneIsDeadLetteredOrLost() throws Exception {
        String bootstrap = BrokerTestKafka.bootstrap();
        int port = freePort();
        String schemas = "_schemas-outage-" + BrokerTestKafka.suffix();
        RegistryServer registry = RegistryServer.builder(bootstrap).port(port).topic(schemas).start();
        try {
            BrokerConfig config = BrokerTestKafka.freshConfig("outage").minAnswers(1).maxAnswers(1)
                    .commitInterval(Duration.ofMillis(50)).outageMaxBackoff(Duration.ofSeconds(1)).build();
            // The producer's serdes register and cache LabelRequest's schema before the outage; the broker's
            // client has seen nothing, so it must ask the registry for every schema it needs.
            BrokerSerdes producerSerdes = BrokerSerdes.avro(SchemaRegistryClient.builder(registry.url()).build());
            producerSerdes.requests().serializer().serialize(config.requestsTopic(), request("warm-up"));
            SchemaRegistryClient brokerClient = SchemaRegistryClient.builder(registry.url())
                    .connectTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(2)).retry(RetryPolicy.NONE).build();
            try (LabelBroker broker = LabelBroker.builder().bootstrapServers(bootstrap).serdes(BrokerSerdes.avro(brokerClient))
                    .config(config).tokens(WorkerTokens.derivedFrom(SECRET)).httpPort(0)
                    .stateDir(dirs.resolve("outage")).start()) {
                registry.close(); // the outage begins

                List<LabelRequest> requests = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    requests.add(request("out-" + i));
                }
                produceRaw(config.requestsTopic(), "bad", new byte[] {1, 0, 0, 0, 1, 2}); // bad bytes stay bad
                BrokerTestKafka.produce(producerSerdes, config.requestsTopic(), requests);

                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (gauge(broker, "alstream.broker.outage.waiting") != 1.0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertEquals(1.0, gauge(broker, "alstream.broker.outage.waiting"), "the broker waits for the registry");
                HttpResponse<String> health = get(broker, "health");
                assertEquals("DEGRADED", Json.MAPPER.readTree(health.body()).get("status").asText(), health.body());
                // the outage goes on while the broker keeps retrying (longer by hand: -Dalstream.test.outage-seconds=60)
                Thread.sleep(Integer.getInteger("alstream.test.outage-seconds", 3) * 1000L);

                registry = RegistryServer.builder(bootstrap).port(port).topic(schemas).start(); // back

                WorkerClient w = new WorkerClient(broker.httpUri(), "w1", WorkerTokens.derive(SECRET, "w1"))
                        .retryFor(Duration.ofSeconds(30));
                Set<String> answered = new HashSet<>();
                deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (answered.size() < requests.size() && System.nanoTime() < deadline) {
                    Optional<TaskView> t = w.next();
                    if (t.isEmpty()) {
                        Thread.sleep(100);
                        continue;
                    }
                    assertTrue(w.submit(t.get().requestId, 1).accepted());
                    answered.add(t.get().requestId);
                }
                assertEquals(requests.size(), answered.size(), "every request held back by the outage is served after it");
                assertEquals(0.0, gauge(broker, "alstream.broker.outage.waiting"));
                assertTrue(broker.metrics().count("alstream.broker.outage.retries") > 0);

                Set<String> labelled = new HashSet<>();
                var labelSerde = BrokerSerdes.avro(SchemaRegistryClient.builder(registry.url()).build());
                deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (labelled.size() < requests.size() && System.nanoTime() < deadline) {
                    labelled.clear();
                    for (ConsumerRecord<String, byte[]> r : BrokerTestKafka.readAll(bootstrap, config.labelsTopic(), Duration.ofSeconds(5))) {
                        ConsolidatedLabel l = labelSerde.labels().deserializer().deserialize(config.labelsTopic(), r.value());
                        assertTrue(labelled.add(l.getRequestId()), "labelled once: " + l.getRequestId());
                    }
                }
                assertEquals(requests.size(), labelled.size());
                List<DeadLetter> dead = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : BrokerTestKafka.readAll(bootstrap, config.deadLetterTopic(), Duration.ofSeconds(5))) {
                    dead.add(labelSerde.deadLetters().deserializer().deserialize(config.deadLetterTopic(), r.value()));
                }
                assertEquals(List.of("bad-magic-byte"), dead.stream().map(DeadLetter::getErrorClass).toList(),
                        "only the bad record is dead-lettered, with its real reason; none for the outage");
            }
        } finally {
            registry.close();
        }
    }

    private static void produceRaw(String topic, String key, byte[] value) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BrokerTestKafka.bootstrap());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value));
            producer.flush();
        }
    }

    /** A bug, not bad data: thrown while handling one particular request, every time it is read. */
    static final class SimulatedBug extends Error {
        SimulatedBug(String m) {
            super(m);
        }
    }

    @Test
    void aStreamThreadThatKeepsDyingIsReplacedABoundedNumberOfTimesThenTheBrokerStopsAndSaysSo() throws Exception {
        BrokerSerdes real = BrokerTestKafka.serdes();
        Deserializer<LabelRequest> realDe = real.requests().deserializer();
        Deserializer<LabelRequest> buggy = (topic, bytes) -> {
            LabelRequest r = realDe.deserialize(topic, bytes);
            if (r != null && r.getRequestId().startsWith("poison")) {
                throw new SimulatedBug("simulated bug on " + r.getRequestId());
            }
            return r;
        };
        BrokerSerdes serdes = new BrokerSerdes(Serdes.serdeFrom(real.requests().serializer(), buggy), real.answers(),
                real.labels(), real.deadLetters());
        BrokerConfig config = BrokerTestKafka.freshConfig("dying").maxThreadReplacements(1).build();
        // A dead thread does not leave the group: its replacement gets the task once the session times out.
        // The broker's minimum session (6 s) instead of the default 45 s keeps the test short.
        try (LabelBroker broker = LabelBroker.builder().bootstrapServers(BrokerTestKafka.bootstrap()).serdes(serdes)
                .config(config).tokens(WorkerTokens.derivedFrom(SECRET)).httpPort(0)
                .streamsProperty(org.apache.kafka.streams.StreamsConfig.consumerPrefix("session.timeout.ms"), "6000")
                .start()) {
            assertEquals(200, get(broker, "health").statusCode());
            BrokerTestKafka.produce(real, config.requestsTopic(), List.of(request("poison-1")));

            Throwable failure = broker.failure().get(120, TimeUnit.SECONDS);
            assertTrue(failure instanceof SimulatedBug || failure.getCause() instanceof SimulatedBug, failure.toString());
            assertEquals(1, broker.threadReplacements());
            assertEquals(1.0, broker.metrics().count("alstream.broker.stream.thread.failures", "response", "replaced"));
            assertEquals(1.0, broker.metrics().count("alstream.broker.stream.thread.failures", "response", "shutdown"));

            HttpResponse<String> health = get(broker, "health");
            assertEquals(503, health.statusCode(), health.body());
            JsonNode h = Json.MAPPER.readTree(health.body());
            assertEquals("DOWN", h.get("status").asText());
            assertEquals("ERROR", h.get("streams").asText());
            // the standalone broker's main loop ends with status 1, so the process exits
            assertEquals(1, LabelBrokerMain.awaitStopOrFailure(broker, new CountDownLatch(1)));
        }
    }

    @Test
    void aShuttingDownBrokerFinishesTheCallInFlightAndAnswersNewCalls503ShuttingDown() throws Exception {
        BrokerConfig config = BrokerTestKafka.freshConfig("drain").commandTimeout(Duration.ofSeconds(10)).build();
        LabelBroker broker = BrokerTestKafka.startBroker(BrokerTestKafka.serdes(), config,
                WorkerTokens.of(Map.of("w", "w-token")));
        Thread closer = new Thread(broker::close, "closer");
        try (Socket slow = new Socket(broker.httpUri().getHost(), broker.httpPort())) {
            slow.setSoTimeout(30_000);
            OutputStream out = slow.getOutputStream();
            String body = "{\"label\": 1}";
            out.write(("POST /v1/workers/w/tasks/nope/answer HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer w-token\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body.substring(0, 5))
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(500); // the call is being served: its handler waits for the rest of the body

            closer.start();
            HttpResponse<String> during = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                during = get(broker, "health");
                if (during.statusCode() == 503) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals(503, during.statusCode());
            assertEquals("shutting-down", Json.MAPPER.readTree(during.body()).get("reason").asText(), during.body());
            assertTrue(closer.isAlive(), "the broker waits for the call in flight");

            out.write(body.substring(5).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = readResponse(slow.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 404"), "the call in flight got its whole answer: " + response);
            assertTrue(response.contains("unknown-request"), response);
        } finally {
            closer.join(60_000);
        }
        assertFalse(closer.isAlive());
    }

    private static String readResponse(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            if (sb.indexOf("\r\n\r\n") > 0 && sb.indexOf("}") > 0) {
                break;
            }
        }
        return sb.toString();
    }

    @Test
    void aLeaseGrantedBeforeACrashButNeverDeliveredFreesItsTaskWithinTheDeliveryLease() throws Exception {
        BrokerConfig config = BrokerTestKafka.freshConfig("crash").minAnswers(1).maxAnswers(1)
                .leaseDuration(Duration.ofMinutes(5)).deliveryLease(Duration.ofSeconds(3))
                .commitInterval(Duration.ofMillis(50)).build();
        BrokerSerdes serdes = BrokerTestKafka.serdes();
        LabelBroker first = LabelBroker.builder().bootstrapServers(BrokerTestKafka.bootstrap()).serdes(serdes).config(config)
                .tokens(WorkerTokens.derivedFrom(SECRET)).httpPort(0).stateDir(dirs.resolve("first")).start();
        BrokerTestKafka.produce(serdes, config.requestsTopic(), List.of(request("crash-1")));
        // What the HTTP side writes for a worker's "next": the lease is granted and committed, and then the
        // broker goes down before the reply reaches the worker.
        long grantedAt = leaseWithoutDelivery(config, "ghost");
        first.close();

        try (LabelBroker second = LabelBroker.builder().bootstrapServers(BrokerTestKafka.bootstrap()).serdes(serdes)
                .config(config).tokens(WorkerTokens.derivedFrom(SECRET)).httpPort(0).stateDir(dirs.resolve("second")).start()) {
            WorkerClient w = new WorkerClient(second.httpUri(), "w2", WorkerTokens.derive(SECRET, "w2"))
                    .retryFor(Duration.ofSeconds(20));
            Optional<TaskView> t = Optional.empty();
            // the target: no task held longer than 30 s by an undelivered lease (the lease itself is 5 minutes)
            while (t.isEmpty() && System.currentTimeMillis() - grantedAt < 30_000) {
                t = w.next();
                if (t.isEmpty()) {
                    Thread.sleep(200);
                }
            }
            assertTrue(t.isPresent(), "the undelivered lease still held the task 30 s after it was granted");
            assertEquals("crash-1", t.get().requestId);
            assertTrue(w.submit("crash-1", 0).accepted());
        }
    }

    /** Sends lease commands as the HTTP API does until one is granted; returns when. */
    private static long leaseWithoutDelivery(BrokerConfig config, String worker) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BrokerTestKafka.bootstrap());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            while (System.nanoTime() < deadline) {
                long now = System.currentTimeMillis();
                BrokerCommand c = BrokerCommand.lease(UUID.randomUUID().toString(), worker, now);
                producer.send(new ProducerRecord<>(config.commandsTopic(), worker, Json.write(c))).get();
                long replyDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < replyDeadline) {
                    for (ConsumerRecord<String, byte[]> r : BrokerTestKafka.readAll(BrokerTestKafka.bootstrap(),
                            config.repliesTopic(), Duration.ofSeconds(2))) {
                        BrokerReply reply = Json.read(r.value(), BrokerReply.class);
                        if (c.commandId.equals(reply.correlationId)) {
                            if (BrokerReply.GRANTED.equals(reply.outcome)) {
                                return now;
                            }
                            replyDeadline = 0;
                        }
                    }
                    Thread.sleep(100);
                }
            }
        }
        throw new AssertionError("no lease was granted to " + worker);
    }

    @Test
    void duringAKafkaOutageAnAnswerIsNotAcknowledgedAndSendingItAgainAfterwardsFoldsItOnce() throws Exception {
        // A Kafka of its own: this test stops it.
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
            BrokerSerdes serdes = BrokerSerdes.avro(SchemaRegistryClient.builder(registry.url()).build());
            BrokerConfig config = BrokerTestKafka.freshConfig("kafka-down").minAnswers(1).maxAnswers(1)
                    .commandTimeout(Duration.ofSeconds(3)).commitInterval(Duration.ofMillis(50)).build();
            try (LabelBroker broker = LabelBroker.builder().bootstrapServers(kafka.bootstrapServers()).serdes(serdes)
                    .config(config).tokens(WorkerTokens.of(Map.of("w", "w-token"))).httpPort(0)
                    .stateDir(dirs.resolve("kafka-down")).start()) {
                BrokerTestKafka.produce(kafka.bootstrapServers(), serdes, config.requestsTopic(),
                        List.of(request("kd-1"), request("kd-2")));
                WorkerClient w = new WorkerClient(broker.httpUri(), "w", "w-token").retryFor(Duration.ofSeconds(90));
                TaskView first = nextTask(w);
                assertTrue(w.submit(first.requestId, 0).accepted());
                TaskView second = nextTask(w);

                kafka.stop(); // Kafka is gone: the answer cannot be made durable
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(broker.httpUri().resolve(
                                "v1/workers/w/tasks/" + second.requestId + "/answer"))
                        .header("Authorization", "Bearer w-token")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"label\": 1}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), "never 200 or 202 for an answer Kafka did not acknowledge: " + r.body());
                assertEquals("unavailable", Json.MAPPER.readTree(r.body()).get("reason").asText(), r.body());

                kafka.start(); // back, same ports and data
                AnswerResult again = w.submit(second.requestId, 1);
                assertTrue(again.accepted() || "duplicate-answer".equals(again.reason) || "request-closed".equals(again.reason),
                        "sent again: taken now, or the first copy had arrived after all: " + again);

                List<String> labelled = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (labelled.size() < 2 && System.nanoTime() < deadline) {
                    labelled.clear();
                    for (ConsumerRecord<String, byte[]> rec : BrokerTestKafka.readAll(kafka.bootstrapServers(),
                            config.labelsTopic(), Duration.ofSeconds(5))) {
                        labelled.add(serdes.labels().deserializer().deserialize(config.labelsTopic(), rec.value()).getRequestId());
                    }
                }
                assertEquals(List.of("kd-1", "kd-2"), labelled.stream().sorted().toList(), "each answer folded once");
            }
        }
    }

    private static TaskView nextTask(WorkerClient w) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<TaskView> t = w.next();
            if (t.isPresent()) {
                return t.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no task for " + w.workerId());
    }
}
