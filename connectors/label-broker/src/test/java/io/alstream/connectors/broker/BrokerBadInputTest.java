package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.broker.state.Json;
import io.alstream.connectors.corpus.BadInputCorpus;
import io.alstream.connectors.corpus.BadInputCorpus.AnswerTargets;
import io.alstream.connectors.corpus.BadInputCorpus.Door;
import io.alstream.connectors.corpus.BadInputCorpus.HttpCase;
import io.alstream.connectors.corpus.BadInputCorpus.RecordCase;
import io.alstream.connectors.corpus.RawHttp;
import io.alstream.connectors.registry.SharedKafka;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus on every door of a running label broker (real Kafka, registry, wire-format Avro): the
 * label-requests and answers topics (input topics accept 16 MiB records here, so the 10 MiB kinds reach the broker),
 * the worker HTTP API, and the schema registry's REST API. Every case comes back as exactly one dead letter with its
 * reason, or an HTTP 4xx with a JSON reason; afterwards the broker still labels a request and every door still answers.
 */
class BrokerBadInputTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String WORKER = "w-http";
    private static final String TOKEN = "w-http-token-0123456789";
    private static final String SECRET = "bad-input-secret-0123456789";
    /** w-http's derived token, on the deny list: the table token works, this one is 401 revoked-token. */
    private static final String REVOKED = WorkerTokens.derive(SECRET, WORKER);
    private static LabelBroker broker;
    private static BrokerConfig config;
    private static BrokerSerdes serdes;

    @BeforeAll
    static void start() {
        serdes = BrokerTestKafka.serdes();
        config = BrokerTestKafka.freshConfig("bad-input").minAnswers(3).maxAnswers(3).unknownAnswerGrace(Duration.ZERO)
                .commitInterval(Duration.ofMillis(50)).build();
        Map<String, String> big = Map.of("max.message.bytes", Integer.toString(16 * BadInputCorpus.MIB));
        SharedKafka.get().createTopic(config.requestsTopic(), 1, big);
        SharedKafka.get().createTopic(config.answersTopic(), 1, big);
        try {
            java.nio.file.Path deny = java.nio.file.Files.createTempFile("revoked-tokens", ".txt");
            deny.toFile().deleteOnExit();
            java.nio.file.Files.writeString(deny, REVOKED + "\n");
            broker = BrokerTestKafka.startBroker(serdes, config, WorkerTokens.of(Map.of(WORKER, TOKEN, "w-first", "w-first-token"))
                    .and(WorkerTokens.derivedFrom(SECRET)).revokedBy(deny));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static LabelRequest request(String id, Instant deadline) {
        Instant now = Instant.now();
        return LabelRequest.newBuilder().setRequestId(id).setEventId("ev-" + id).setFeatures(List.of(0.5f, 0.25f))
                .setStrategy("entropy").setScore(1.0).setModelVersion(3L).setCreatedAt(now).setDeadline(deadline)
                .setNumClasses(3).build();
    }

    private static byte[] answerBytes(String requestId, String worker, int label) {
        return serdes.answers().serializer().serialize(config.answersTopic(), LabelAnswer.newBuilder().setRequestId(requestId)
                .setEventId("ev-" + requestId).setWorkerId(worker).setLabel(label).setAnsweredAt(Instant.now()).build());
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BrokerTestKafka.bootstrap());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 * BadInputCorpus.MIB));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L * BadInputCorpus.MIB));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String sfx() {
        return BrokerTestKafka.suffix();
    }

    private static void waitFor(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    private static RawHttp.Response get(String path, String token) throws Exception {
        return RawHttp.send(broker.httpUri(), "GET", path, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token),
                null, Duration.ofSeconds(30));
    }

    @Test
    void everyBadRecordOnBothInputTopicsIsDeadLetteredWithItsReasonAndTheBrokerStillLabels() throws Exception {
        String open = "req-open-" + sfx();
        String closed = "req-closed-" + sfx();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (LabelRequest r : List.of(request(open, Instant.now().plus(Duration.ofHours(1))),
                    request(closed, Instant.now().minusSeconds(1)))) {
                p.send(new ProducerRecord<>(config.requestsTopic(), r.getEventId().getBytes(StandardCharsets.UTF_8),
                        serdes.requests().serializer().serialize(config.requestsTopic(), r))).get();
            }
            // w-first's answer must be in before the corpus's duplicate of it: watch its stats
            p.send(new ProducerRecord<>(config.answersTopic(), open.getBytes(StandardCharsets.UTF_8), answerBytes(open, "w-first", 1))).get();
        }
        waitFor("w-first's answer to be counted", () -> {
            try {
                RawHttp.Response r = get("/v1/workers/w-first/stats", "w-first-token");
                return r.status() == 200 && Json.MAPPER.readTree(r.body()).get("answersAccepted").asLong() == 1;
            } catch (Exception e) {
                return false;
            }
        });

        var registry = BrokerTestKafka.registry();
        List<RecordCase> requestCases = BadInputCorpus.records(Door.BROKER_REQUESTS, registry, config.requestsTopic(), 2, 3, null);
        List<RecordCase> answerCases = BadInputCorpus.records(Door.ANSWERS, registry, config.answersTopic(), 2, 3,
                new AnswerTargets(open, "ev-" + open, 3, closed, "ev-" + closed, "w-first"));
        assertTrue(requestCases.size() >= 20 && answerCases.size() >= 20, requestCases.size() + " / " + answerCases.size());
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (RecordCase c : requestCases) {
                p.send(new ProducerRecord<>(config.requestsTopic(), c.key(), c.value()));
            }
            for (RecordCase c : answerCases) {
                p.send(new ProducerRecord<>(config.answersTopic(), c.key(), c.value()));
            }
            p.flush();
        }

        Map<String, List<String>> byTopic = new HashMap<>();
        waitFor("a dead letter for every case", () -> {
            byTopic.clear();
            for (ConsumerRecord<String, byte[]> r : BrokerTestKafka.readAll(BrokerTestKafka.bootstrap(), config.deadLetterTopic(),
                    Duration.ofSeconds(5))) {
                DeadLetter d = serdes.deadLetters().deserializer().deserialize(config.deadLetterTopic(), r.value());
                byte[] key = d.getKey() == null ? null : bytes(d.getKey());
                String kind = BadInputCorpus.kindOf(key);
                if (kind != null) {
                    byTopic.computeIfAbsent(d.getSourceTopic() + "|" + kind, k -> new ArrayList<>()).add(d.getErrorClass());
                    assertTrue(r.value().length < 1_000_000, "a dead letter a default producer can write: " + r.value().length);
                }
            }
            return byTopic.size() >= requestCases.size() + answerCases.size();
        });
        Map<String, String> wrong = new TreeMap<>();
        check(requestCases, config.requestsTopic(), byTopic, wrong);
        check(answerCases, config.answersTopic(), byTopic, wrong);
        assertTrue(wrong.isEmpty(), "cases not dead-lettered once with their reason: " + wrong);
        assertEquals(requestCases.size() + answerCases.size(), byTopic.size(), "no dead letter but the corpus's: " + byTopic.keySet());

        // still serving: a new request is labelled from three answers, /health is UP
        String after = "req-after-" + sfx();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            LabelRequest r = request(after, Instant.now().plus(Duration.ofHours(1)));
            p.send(new ProducerRecord<>(config.requestsTopic(), r.getEventId().getBytes(StandardCharsets.UTF_8),
                    serdes.requests().serializer().serialize(config.requestsTopic(), r))).get();
            for (String w : List.of("a1", "a2", "a3")) {
                p.send(new ProducerRecord<>(config.answersTopic(), after.getBytes(StandardCharsets.UTF_8), answerBytes(after, w, 2))).get();
            }
        }
        List<ConsolidatedLabel> labels = new ArrayList<>();
        waitFor("the label of a request sent after the corpus", () -> {
            labels.clear();
            for (ConsumerRecord<String, byte[]> r : BrokerTestKafka.readAll(BrokerTestKafka.bootstrap(), config.labelsTopic(),
                    Duration.ofSeconds(5))) {
                ConsolidatedLabel l = serdes.labels().deserializer().deserialize(config.labelsTopic(), r.value());
                if (after.equals(l.getRequestId())) {
                    labels.add(l);
                }
            }
            return !labels.isEmpty();
        });
        assertEquals(1, labels.size());
        assertEquals(2, labels.get(0).getLabel());
        assertEquals(List.of("a1", "a2", "a3"), labels.get(0).getWorkerIds(), "the label names the workers it came from");
        assertEquals(200, get("/health", null).status());
    }

    private static void check(List<RecordCase> cases, String topic, Map<String, List<String>> got, Map<String, String> wrong) {
        for (RecordCase c : cases) {
            List<String> reasons = got.get(topic + "|" + c.kind());
            if (reasons == null || reasons.size() != 1 || !reasons.get(0).equals(c.reason())) {
                wrong.put(topic + "|" + c.kind(), "expected " + c.reason() + ", got " + reasons);
            }
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void everyBadCallToTheWorkerApiGetsItsStatusAndJsonReasonAndTheApiStillServes() throws Exception {
        String open = "req-http-open-" + sfx();
        String closed = "req-http-closed-" + sfx();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (LabelRequest r : List.of(request(open, Instant.now().plus(Duration.ofHours(1))),
                    request(closed, Instant.now().minusSeconds(1)))) {
                p.send(new ProducerRecord<>(config.requestsTopic(), r.getEventId().getBytes(StandardCharsets.UTF_8),
                        serdes.requests().serializer().serialize(config.requestsTopic(), r))).get();
            }
        }
        // wait until both are in the broker's state: the closed one answers request-closed
        String closedAnswer = "/v1/workers/" + WORKER + "/tasks/" + closed + "/answer";
        waitFor("the closed request to be known", () -> {
            try {
                return RawHttp.send(broker.httpUri(), "POST", closedAnswer, Map.of("Authorization", "Bearer " + TOKEN),
                        "{\"label\": 0}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30)).status() == 409;
            } catch (Exception e) {
                return false;
            }
        });
        waitFor("the open request to be known", () -> {
            try {
                return RawHttp.send(broker.httpUri(), "POST", "/v1/workers/" + WORKER + "/tasks/" + open + "/answer",
                        Map.of("Authorization", "Bearer " + TOKEN), "{\"label\": 0}".getBytes(StandardCharsets.UTF_8),
                        Duration.ofSeconds(30)).status() == 409;
            } catch (Exception e) {
                return false;
            }
        });
        List<HttpCase> cases = BadInputCorpus.workerApi(WORKER, TOKEN, open, closed, REVOKED);
        assertTrue(cases.size() >= 20, "cases: " + cases.size());
        Map<String, String> wrong = new TreeMap<>();
        for (HttpCase c : cases) {
            RawHttp.Response r = RawHttp.send(broker.httpUri(), c, Duration.ofSeconds(60));
            String problem = httpProblem(c, r, "reason");
            if (problem != null) {
                wrong.put(c.kind(), problem);
            }
        }
        assertTrue(wrong.isEmpty(), "worker API cases answered otherwise: " + wrong);
        assertEquals(200, get("/v1/workers/" + WORKER + "/stats", TOKEN).status(), "the API still serves");
        assertEquals(200, get("/health", null).status());
    }

    @Test
    void everyBadCallToTheRegistryGetsItsStatusAndJsonErrorAndTheRegistryStillServes() throws Exception {
        String subject = "corpus-" + sfx() + "-value";
        URI base = URI.create(BrokerTestKafka.registryUrl());
        Map<String, String> h = Map.of("Content-Type", "application/vnd.schemaregistry.v1+json");
        byte[] intSchema = "{\"schema\": \"\\\"int\\\"\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(200, RawHttp.send(base, "POST", "/subjects/" + subject + "/versions", h, intSchema, Duration.ofSeconds(30)).status());
        List<HttpCase> cases = BadInputCorpus.registry(subject);
        Map<String, String> wrong = new TreeMap<>();
        for (HttpCase c : cases) {
            RawHttp.Response r = RawHttp.send(base, c, Duration.ofSeconds(60));
            String problem = httpProblem(c, r, "error_code");
            if (problem != null) {
                wrong.put(c.kind(), problem);
            }
        }
        assertTrue(wrong.isEmpty(), "registry cases answered otherwise: " + wrong);
        RawHttp.Response again = RawHttp.send(base, "GET", "/subjects/" + subject + "/versions", Map.of(), null, Duration.ofSeconds(30));
        assertEquals(200, again.status());
        assertEquals("[1]", again.text(), "the registry still serves, and no bad call registered anything");
    }

    /** Null when the answer has the case's status, a JSON body and (where the case names one) its reason. */
    private static String httpProblem(HttpCase c, RawHttp.Response r, String reasonField) {
        String body = r.text().length() > 300 ? r.text().substring(0, 300) + "..." : r.text();
        if (r.status() != c.status()) {
            return "status " + r.status() + " instead of " + c.status() + ": " + body;
        }
        JsonNode j;
        try {
            j = Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            return "not JSON: " + body;
        }
        if (j == null || !j.isObject()) {
            return "not a JSON object: " + body;
        }
        JsonNode reason = j.get(reasonField);
        if (c.reason() != null && (reason == null || !c.reason().equals(reason.asText()))) {
            return reasonField + " " + reason + " instead of " + c.reason() + ": " + body;
        }
        if (reason == null && j.get("reason") == null && j.get("error_code") == null) {
            return "no reason in " + body;
        }
        assertFalse(body.isBlank());
        return null;
    }
}
