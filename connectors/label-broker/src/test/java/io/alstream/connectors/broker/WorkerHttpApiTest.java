package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.alstream.connectors.broker.api.AnswerResult;
import io.alstream.connectors.broker.api.TaskView;
import io.alstream.connectors.broker.api.WorkerStatsView;
import io.alstream.connectors.broker.client.WorkerApiException;
import io.alstream.connectors.broker.client.WorkerClient;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.broker.state.Json;
import io.alstream.schemas.LabelRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker API over real HTTP, on a running broker (real Kafka, registry, wire-format Avro):
 * authentication, size limits, routes and JSON errors, and each answer outcome's HTTP status.
 */
class WorkerHttpApiTest {
    private static final String SECRET = "test-secret-0123456789";
    private static final Duration LEASE = Duration.ofSeconds(6);
    private static LabelBroker broker;
    private static BrokerConfig config;
    private static BrokerSerdes serdes;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        serdes = BrokerTestKafka.serdes();
        config = BrokerTestKafka.freshConfig("http").minAnswers(2).maxAnswers(2).leaseDuration(LEASE)
                .httpMaxBodyBytes(256).commitInterval(Duration.ofMillis(50)).build();
        broker = BrokerTestKafka.startBroker(serdes, config,
                WorkerTokens.of(Map.of("alice", "alice-token", "bob", "bob-token")).and(WorkerTokens.derivedFrom(SECRET)));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static LabelRequest.Builder request(String id, double priority) {
        Instant now = Instant.now();
        return LabelRequest.newBuilder().setRequestId(id).setEventId("ev-" + id).setFeatures(List.of(0.5f, 0.25f))
                .setStrategy("entropy").setScore(1.0).setModelVersion(3L).setCreatedAt(now)
                .setDeadline(now.plus(Duration.ofHours(1))).setNumClasses(3).setPriority(priority)
                .setClassNames(List.of("cat", "dog", "bird"));
    }

    private static String send(String... ids) {
        String prefix = BrokerTestKafka.suffix() + "-";
        List<LabelRequest> rs = new ArrayList<>();
        // a high priority, so this test's requests come before earlier tests' leftovers
        double priority = System.nanoTime() / 1e12;
        for (String id : ids) {
            rs.add(request(prefix + id, priority).build());
        }
        BrokerTestKafka.produce(serdes, config.requestsTopic(), rs);
        return prefix;
    }

    private static WorkerClient client(String worker, String token) {
        return new WorkerClient(broker.httpUri(), worker, token).retryFor(Duration.ofSeconds(20));
    }

    /** Next task, waiting for the request just produced to reach the broker. */
    private static TaskView nextTask(WorkerClient c, String requestId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<TaskView> t = c.next();
            if (t.isPresent() && t.get().requestId.equals(requestId)) {
                return t.get();
            }
            if (t.isPresent()) {
                c.release(t.get().requestId);
            }
            sleep(100);
        }
        throw new AssertionError("request " + requestId + " never became a task for " + c.workerId());
    }

    private static HttpResponse<String> raw(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(broker.httpUri().resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String reason) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode j = json(r);
        assertEquals(status, j.get("code").asInt());
        assertFalse(j.get("error").asText().isBlank());
        if (reason != null) {
            assertEquals(reason, j.get("reason").asText(), r.body());
        }
    }

    @Test
    void tokensDecideWhoMayActAsWhichWorker() throws Exception {
        assertError(raw("POST", "v1/workers/alice/tasks/next", null, null), 401, "missing-token");
        assertError(raw("POST", "v1/workers/alice/tasks/next", "nobody-has-this", null), 401, "unknown-token");
        assertError(raw("POST", "v1/workers/alice/tasks/next", "bob-token", null), 403, "wrong-worker");
        assertError(raw("GET", "v1/workers/alice/stats", "bob-token", null), 403, "wrong-worker");
        assertEquals(200, raw("GET", "v1/workers/alice/stats", "alice-token", null).statusCode());
        String carol = WorkerTokens.derive(SECRET, "carol");
        assertEquals(200, raw("GET", "v1/workers/carol/stats", carol, null).statusCode(), "a token derived from the secret");
        assertError(raw("GET", "v1/workers/carol/stats", WorkerTokens.derive("another-secret-456789", "carol"), null),
                401, "unknown-token");
        assertError(raw("GET", "v1/workers/dave/stats", carol, null), 403, "wrong-worker");
    }

    /** The value of one tile of the broker's live page. */
    private static double liveTile(String id) throws Exception {
        HttpResponse<String> r = raw("GET", "live/api", null, null);
        assertEquals(200, r.statusCode(), r.body());
        for (JsonNode t : json(r).get("tiles")) {
            if (t.get("id").asText().equals(id)) {
                return Double.parseDouble(t.get("value").asText());
            }
        }
        throw new AssertionError("no tile " + id + " in " + r.body());
    }

    @Test
    void theLivePageCountsWhatTheBrokerTookAndRefused() throws Exception {
        HttpResponse<String> page = raw("GET", "live/", null, null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("live.js"), page.body());
        assertEquals(308, raw("GET", "live", null, null).statusCode(), "the bare prefix redirects to live/");
        double labelsBefore = liveTile("labels");
        double answersBefore = liveTile("answers");
        String p = send("live");
        String id = p + "live";
        WorkerClient alice = client("alice", "alice-token");
        nextTask(alice, id);
        assertTrue(alice.submit(id, 2).accepted());
        assertEquals("duplicate-answer", alice.submit(id, 2).reason);
        WorkerClient bob = client("bob", "bob-token");
        nextTask(bob, id);
        assertTrue(bob.submit(id, 2).accepted());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && liveTile("labels") < labelsBefore + 1) {
            sleep(100);
        }
        assertTrue(liveTile("labels") >= labelsBefore + 1, "the label shows on the live page");
        assertTrue(liveTile("answers") >= answersBefore + 2, "both answers taken");
        JsonNode refused = null;
        for (JsonNode t : json(raw("GET", "live/api", null, null)).get("tables")) {
            if (t.get("id").asText().equals("answers-refused")) {
                refused = t;
            }
        }
        assertNotNull(refused);
        assertTrue(refused.get("rows").toString().contains("duplicate-answer"), "refusals by reason: " + refused);
    }

    @Test
    void oversizedBodiesAreRefusedWith413() throws Exception {
        String big = "{\"label\": 1, \"pad\": \"" + "x".repeat(400) + "\"}";
        assertError(raw("POST", "v1/workers/alice/tasks/anything/answer", "alice-token", big), 413, "too-large");
    }

    @Test
    void unknownRoutesAndWrongMethodsGetJsonErrors() throws Exception {
        assertError(raw("GET", "v1/nothing/here", null, null), 404, null);
        HttpResponse<String> r = raw("GET", "v1/workers/alice/tasks/next", "alice-token", null);
        assertError(r, 405, null);
        assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
        assertError(raw("POST", "v1/workers/alice/tasks/x/answer", "alice-token", "{not json"), 400, "invalid-body");
        assertError(raw("POST", "v1/workers/alice/tasks/x/answer", "alice-token", "{}"), 400, "invalid-body");
        assertError(raw("POST", "v1/workers/alice/tasks/x/answer", "alice-token", "{\"label\":1,\"confidence\":2}"), 400,
                "invalid-body");
        assertError(raw("GET", "v1/workers/bad%20id/stats", "alice-token", null), 400, null);
    }

    @Test
    void aTaskIsLeasedAnsweredAndCountedAndItsOutcomesMapToHttpStatuses() throws Exception {
        String p = send("a");
        String id = p + "a";
        WorkerClient alice = client("alice", "alice-token");
        TaskView t = nextTask(alice, id);
        assertEquals(3, t.numClasses);
        assertEquals(List.of("cat", "dog", "bird"), t.classNames);
        assertTrue(t.leaseExpiresAt > System.currentTimeMillis());

        assertEquals("label-out-of-range", alice.submit(id, 3).reason);
        assertEquals(422, alice.submit(id, -1).httpStatus);
        AnswerResult ok = alice.submit(id, 1, 0.8);
        assertTrue(ok.accepted(), ok.toString());
        assertEquals(200, ok.httpStatus);
        AnswerResult dup = alice.submit(id, 1);
        assertTrue(dup.rejected());
        assertEquals("duplicate-answer", dup.reason);
        assertEquals(409, dup.httpStatus);
        AnswerResult unknown = alice.submit(p + "never-sent", 1);
        assertEquals("unknown-request", unknown.reason);
        assertEquals(404, unknown.httpStatus);

        // bob sees the task without alice's answer, answers it, and it closes (k=2)
        WorkerClient bob = client("bob", "bob-token");
        HttpResponse<String> leased = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            leased = raw("POST", "v1/workers/bob/tasks/next", "bob-token", null);
            if (leased.statusCode() == 200 && json(leased).get("requestId").asText().equals(id)) {
                break;
            }
            if (leased.statusCode() == 200) {
                bob.release(json(leased).get("requestId").asText());
            }
            sleep(100);
        }
        assertNotNull(leased);
        assertEquals(id, json(leased).get("requestId").asText());
        assertFalse(leased.body().contains("alice"), "never another worker's answer: " + leased.body());
        assertFalse(leased.body().contains("\"label\""), leased.body());
        assertTrue(bob.submit(id, 1).accepted());

        AnswerResult closed = client("carol", WorkerTokens.derive(SECRET, "carol")).submit(id, 1);
        assertEquals("request-closed", closed.reason);
        assertEquals(409, closed.httpStatus);

        WorkerStatsView s = alice.stats();
        assertEquals(1, s.answersAccepted);
        assertEquals(1.0, s.agreementRate, "alice's answer matched the label");
        assertEquals("dawid-skene", s.method);
        WorkerStatsView.ModelView m = s.models.get("3");
        assertNotNull(m, "alice's 3-class model exists once an item she answered is labelled");
        assertTrue(m.estimatedAccuracy > 0 && m.estimatedAccuracy < 1);
        assertEquals(3, m.confusion.length);

        // provenance: the answers the API wrote say so, and the label names the workers who made it
        List<String> sources = new ArrayList<>();
        for (var r : BrokerTestKafka.readAll(BrokerTestKafka.bootstrap(), config.answersTopic(), Duration.ofSeconds(20))) {
            io.alstream.schemas.LabelAnswer a = serdes.answers().deserializer().deserialize(config.answersTopic(), r.value());
            if (id.equals(a.getRequestId())) {
                sources.add(a.getWorkerId() + ":" + a.getSource());
            }
        }
        assertTrue(sources.containsAll(List.of("alice:worker-api", "bob:worker-api")), sources.toString());
        List<String> workers = null;
        for (var r : BrokerTestKafka.readAll(BrokerTestKafka.bootstrap(), config.labelsTopic(), Duration.ofSeconds(20))) {
            io.alstream.schemas.ConsolidatedLabel l = serdes.labels().deserializer().deserialize(config.labelsTopic(), r.value());
            if (id.equals(l.getRequestId())) {
                workers = l.getWorkerIds();
            }
        }
        assertEquals(List.of("alice", "bob"), workers);
    }

    @Test
    void releaseGivesATaskBackAndAnAnswerAfterReleaseIsRefused() {
        String p = send("r");
        String id = p + "r";
        WorkerClient bob = client("bob", "bob-token");
        nextTask(bob, id);
        assertTrue(bob.release(id));
        assertFalse(bob.release(id), "nothing left to release");
        AnswerResult r = bob.submit(id, 0);
        assertEquals("lease-released", r.reason);
        assertEquals(409, r.httpStatus);
    }

    @Test
    void anAnswerAfterTheLeaseExpiredGets410() {
        String p = send("x");
        String id = p + "x";
        WorkerClient carol = client("carol", WorkerTokens.derive(SECRET, "carol"));
        TaskView t = nextTask(carol, id);
        sleep(Math.max(0, t.leaseExpiresAt - System.currentTimeMillis()) + 1500);
        AnswerResult r = carol.submit(id, 2);
        assertEquals("lease-expired", r.reason);
        assertEquals(410, r.httpStatus);
    }

    @Test
    void answerBodiesAreReadStrictly() throws Exception {
        String path = "v1/workers/alice/tasks/anything/answer";
        for (String body : List.of("{\"label\": 1.9}", "{\"label\": 1.0}", "{\"label\": \"2\"}", "{\"label\": true}",
                "{\"label\": 1} trailing", "{\"label\": 1}{\"label\": 2}", "{\"label\": 1, \"label\": 2}",
                "{\"label\": 1, \"confidence\": \"0.5\"}", "{\"label\": 1, \"lable\": 2}", "[1]", "null")) {
            HttpResponse<String> r = raw("POST", path, "alice-token", body);
            assertError(r, 400, "invalid-body");
        }
        // a well-formed body passes the parser (and is then judged: no such request)
        assertError(raw("POST", path, "alice-token", "{\"label\": 1, \"confidence\": 0.5}"), 404, "unknown-request");
    }

    @Test
    void anAnswerWithoutALeaseIsRefusedOverHttpAndTheRefusalIsCountedInTheWorkersStats() throws Exception {
        String p = send("u");
        String id = p + "u";
        // wait for the request to be known (bob leases it, then gives it back)
        WorkerClient bob = client("bob", "bob-token");
        nextTask(bob, id);
        assertTrue(bob.release(id));
        String erin = WorkerTokens.derive(SECRET, "erin");
        WorkerClient e = client("erin", erin);
        AnswerResult r = e.submit(id, 1);
        assertEquals("no-lease", r.reason, "request ids are guessable: answering one needs its lease");
        assertEquals(409, r.httpStatus);
        assertEquals("label-out-of-range", e.submit(id, 7).reason);

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Map<String, Long> rejected = Map.of();
        while (System.nanoTime() < deadline) {
            rejected = e.stats().answersRejected;
            if (rejected.size() == 2) {
                break;
            }
            sleep(100);
        }
        assertEquals(Map.of("no-lease", 1L, "label-out-of-range", 1L), rejected);
    }

    @Test
    void clientErrorsThatAreNotOutcomesThrow() {
        WorkerClient impostor = new WorkerClient(broker.httpUri(), "alice", "bob-token");
        WorkerApiException e = assertThrows(WorkerApiException.class, impostor::next);
        assertEquals(403, e.status());
    }

    @Test
    void healthMetricsAndTheOpenApiDescriptionAreServed() throws Exception {
        HttpResponse<String> h = raw("GET", "health", null, null);
        assertEquals(200, h.statusCode());
        assertEquals("RUNNING", json(h).get("streams").asText());
        raw("POST", "v1/workers/alice/tasks/next", null, null);
        HttpResponse<String> m = raw("GET", "metrics", null, null);
        assertEquals(200, m.statusCode());
        assertTrue(m.body().contains("alstream_broker_http_requests_total"), "broker meters");
        assertTrue(m.body().contains("alstream_broker_open_requests"), "broker gauges");
        assertTrue(m.body().contains("kafka_stream"), "Kafka Streams' own meters");
        HttpResponse<String> o = raw("GET", "openapi.yaml", null, null);
        assertEquals(200, o.statusCode());
        assertTrue(o.body().startsWith("openapi: 3"));
    }

    @Test
    void everyRouteInTheOpenApiDescriptionIsServed() throws Exception {
        for (OpenApiDescriptionTest.Operation op : OpenApiDescriptionTest.operations()) {
            String path = op.path().replace("{workerId}", "alice").replace("{requestId}", "no-such-request");
            HttpResponse<String> r = raw(op.method(), path.substring(1), "alice-token",
                    op.method().equals("POST") ? "{\"label\":0}" : null);
            boolean unserved = r.statusCode() == 404 && r.body().contains("no such route");
            assertFalse(unserved, op + " is not served: " + r.body());
            assertNotEquals(405, r.statusCode(), op + ": " + r.body());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
