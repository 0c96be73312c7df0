package io.alstream.connectors.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;
import io.alstream.schemas.UnlabeledEvent;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST API of one registry instance on a real broker, through our client and through raw HTTP. */
class RegistryServerTest {
    static final List<Schema> RECORDS = List.of(UnlabeledEvent.getClassSchema(), LabelRequest.getClassSchema(),
            LabelAnswer.getClassSchema(), ConsolidatedLabel.getClassSchema(), ModelUpdate.getClassSchema(),
            DeadLetter.getClassSchema());

    static RegistryServer server;
    static SchemaRegistryClient client;

    @BeforeAll
    static void start() {
        server = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic()).start();
        client = SchemaRegistryClient.builder(server.url()).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String subject() {
        return "test-" + UUID.randomUUID() + "-value";
    }

    @Test
    void sameSchemaTwiceGivesSameIdAndOneVersion() {
        String s = subject();
        int id = client.register(s, UnlabeledEvent.getClassSchema());
        // a fresh client has no cache: the server must answer with the same id
        SchemaRegistryClient other = SchemaRegistryClient.builder(server.url()).build();
        assertEquals(id, other.register(s, UnlabeledEvent.getClassSchema()));
        assertEquals(List.of(1), client.versions(s));
        RegisteredSchema latest = client.latest(s);
        assertEquals(new RegisteredSchema(s, 1, id, UnlabeledEvent.getClassSchema()), latest);
        assertEquals(UnlabeledEvent.getClassSchema(), other.schemaById(id));
        assertEquals(latest, other.lookup(s, UnlabeledEvent.getClassSchema()));
        assertEquals(latest, other.version(s, 1));
    }

    @Test
    void sameSchemaInTwoSubjectsSharesTheId() {
        String a = subject();
        String b = subject();
        int idA = client.register(a, LabelAnswer.getClassSchema());
        int idB = client.register(b, LabelAnswer.getClassSchema());
        assertEquals(idA, idB);
        List<SubjectVersion> where = client.subjectVersionsOf(idA);
        assertTrue(where.contains(new SubjectVersion(a, 1)) && where.contains(new SubjectVersion(b, 1)), where.toString());
        assertTrue(client.subjects().containsAll(List.of(a, b)));
    }

    @Test
    void everyRecordTypeEvolvesBackwardAndBreakingChangesAre409() {
        for (Schema current : RECORDS) {
            String s = subject();
            Schema v0 = Evolution.withoutDefaultedFields(current);
            int id0 = client.register(s, v0);
            int id1 = client.register(s, current);
            assertNotEquals(id0, id1, current.getName());
            assertEquals(List.of(1, 2), client.versions(s));

            for (Schema broken : List.of(Evolution.withRequiredField(current), Evolution.withFirstFieldRetyped(current))) {
                assertFalse(client.testCompatibility(s, broken).compatible(), current.getName());
                IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class, () -> client.register(s, broken));
                assertEquals(409, e.httpStatus());
                assertEquals(409, e.errorCode());
            }
            assertEquals(List.of(1, 2), client.versions(s), "rejected schemas leave no version behind");
        }
    }

    @Test
    void compatibilityCheckSaysWhy() {
        String s = subject();
        client.register(s, ModelUpdate.getClassSchema());
        CompatibilityResult ok = client.testCompatibility(s, Evolution.withOptionalField(ModelUpdate.getClassSchema()));
        assertTrue(ok.compatible(), ok.messages().toString());
        CompatibilityResult bad = client.testCompatibility(s, Evolution.withRequiredField(ModelUpdate.getClassSchema()));
        assertFalse(bad.compatible());
        assertTrue(bad.messages().stream().anyMatch(m -> m.contains("addedWithoutDefault")), bad.messages().toString());
    }

    @Test
    void subjectConfigOverridesGlobal() {
        String s = subject();
        assertEquals(CompatibilityLevel.BACKWARD, client.globalCompatibility());
        assertEquals(Optional.empty(), client.subjectCompatibility(s));
        client.register(s, LabelRequest.getClassSchema());
        Schema broken = Evolution.withRequiredField(LabelRequest.getClassSchema());
        assertThrows(IncompatibleSchemaException.class, () -> client.register(s, broken));

        assertEquals(CompatibilityLevel.NONE, client.setSubjectCompatibility(s, CompatibilityLevel.NONE));
        assertEquals(Optional.of(CompatibilityLevel.NONE), client.subjectCompatibility(s));
        client.register(s, broken);
        assertEquals(List.of(1, 2), client.versions(s));

        // another subject still follows the global BACKWARD
        String t = subject();
        client.register(t, LabelRequest.getClassSchema());
        assertThrows(IncompatibleSchemaException.class, () -> client.register(t, broken));

        client.deleteSubjectCompatibility(s);
        assertEquals(Optional.empty(), client.subjectCompatibility(s));
    }

    @Test
    void forwardAndTransitiveLevels() {
        // FORWARD: old readers must read new data: removing a field without default breaks it
        String f = subject();
        client.setSubjectCompatibility(f, CompatibilityLevel.FORWARD);
        client.register(f, LabelAnswer.getClassSchema());
        Schema withoutWorker = Evolution.withoutField(LabelAnswer.getClassSchema(), "workerId");
        assertThrows(IncompatibleSchemaException.class, () -> client.register(f, withoutWorker));
        // adding a required field is fine under FORWARD (old readers ignore it)
        client.register(f, Evolution.withRequiredField(LabelAnswer.getClassSchema()));

        // BACKWARD_TRANSITIVE compares with every version, BACKWARD only with the latest
        Schema a = Evolution.record("T", "{\"name\":\"x\",\"type\":\"int\"}");
        Schema b = Evolution.record("T", "{\"name\":\"x\",\"type\":\"int\"},{\"name\":\"y\",\"type\":\"string\",\"default\":\"\"}");
        Schema c = Evolution.record("T", "{\"name\":\"y\",\"type\":\"string\"}");
        String plain = subject();
        client.setSubjectCompatibility(plain, CompatibilityLevel.BACKWARD);
        client.register(plain, a);
        client.register(plain, b);
        client.register(plain, c); // reads b's data (y is there), not a's: fine for BACKWARD
        String transitive = subject();
        client.setSubjectCompatibility(transitive, CompatibilityLevel.BACKWARD_TRANSITIVE);
        client.register(transitive, a);
        client.register(transitive, b);
        assertThrows(IncompatibleSchemaException.class, () -> client.register(transitive, c));
    }

    @Test
    void notFoundAndInvalidAreTypedErrors() {
        String s = subject();
        assertThrows(SubjectNotFoundException.class, () -> client.latest(s));
        assertThrows(SubjectNotFoundException.class, () -> client.versions(s));
        assertThrows(SchemaNotFoundException.class, () -> client.schemaById(987_654));
        client.register(s, LabelAnswer.getClassSchema());
        assertThrows(VersionNotFoundException.class, () -> client.version(s, 7));
        assertThrows(SchemaNotFoundException.class, () -> client.lookup(s, DeadLetter.getClassSchema()));
        assertThrows(SubjectNotFoundException.class, () -> client.lookup(subject(), DeadLetter.getClassSchema()));
    }

    @Test
    void errorBodiesAreConfluentJson() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        String s = subject();

        HttpResponse<String> invalid = post(http, "/subjects/" + s + "/versions", "{\"schema\":\"{\\\"type\\\":\\\"recrod\\\"}\"}");
        assertEquals(422, invalid.statusCode());
        assertEquals(42201, json.readTree(invalid.body()).get("error_code").asInt());

        HttpResponse<String> notJson = post(http, "/subjects/" + s + "/versions", "{not json");
        assertEquals(400, notJson.statusCode());
        assertTrue(json.readTree(notJson.body()).get("message").asText().contains("not valid JSON"));

        HttpResponse<String> protobuf = post(http, "/subjects/" + s + "/versions",
                "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
        assertEquals(42201, json.readTree(protobuf.body()).get("error_code").asInt());

        HttpResponse<String> missing = get(http, "/subjects/" + s + "/versions/latest");
        assertEquals(404, missing.statusCode());
        JsonNode body = json.readTree(missing.body());
        assertEquals(40401, body.get("error_code").asInt());
        assertEquals(RegistryTransport.CONTENT_TYPE, missing.headers().firstValue("Content-Type").orElse(""));

        HttpResponse<String> badVersion = get(http, "/subjects/" + s + "/versions/zero");
        assertEquals(40401, json.readTree(badVersion.body()).get("error_code").asInt(), "subject checked first");
        client.register(s, LabelAnswer.getClassSchema());
        assertEquals(42202, json.readTree(get(http, "/subjects/" + s + "/versions/zero").body()).get("error_code").asInt());

        HttpResponse<String> badLevel = put(http, "/config/" + s, "{\"compatibility\":\"SIDEWAYS\"}");
        assertEquals(42203, json.readTree(badLevel.body()).get("error_code").asInt());

        assertEquals(404, get(http, "/no/such/endpoint").statusCode());
        assertEquals("{}", get(http, "/").body());
        assertEquals("BACKWARD", json.readTree(get(http, "/config").body()).get("compatibilityLevel").asText());
    }

    @Test
    void softAndPermanentDelete() {
        String s = subject();
        Schema v1 = Evolution.record("D", "{\"name\":\"a\",\"type\":\"int\"}");
        Schema v2 = Evolution.record("D", "{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}");
        int id1 = client.register(s, v1);
        client.register(s, v2);
        assertEquals(2, client.deleteVersion(s, 2, false));
        assertEquals(List.of(1), client.versions(s));
        assertEquals(1, client.latest(s).version());
        // soft-deleted: the id still resolves (old data must stay readable)
        assertEquals(v1, client.schemaById(id1));
        SchemaRegistryException notSoft = assertThrows(SchemaRegistryException.class, () -> client.deleteVersion(s, 1, true));
        assertEquals(ErrorCodes.SCHEMA_VERSION_NOT_SOFT_DELETED, notSoft.errorCode());
        assertEquals(List.of(1), client.deleteSubject(s, false));
        assertThrows(SubjectNotFoundException.class, () -> client.versions(s));
        assertFalse(client.subjects().contains(s));
        assertEquals(List.of(1, 2), client.deleteSubject(s, true));
        // re-registering after a permanent delete starts over at version 1 with the same schema's id gone
        int again = client.register(s, v1);
        assertEquals(List.of(1), client.versions(s));
        assertTrue(again > id1, "ids are never reused, even after a permanent delete");
    }

    private HttpResponse<String> get(HttpClient http, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(HttpClient http, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", RegistryTransport.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(HttpClient http, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", RegistryTransport.CONTENT_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsCountRequestsByRouteTemplateWithLatencyAndErrors() throws Exception {
        String s = subject();
        int id = client.register(s, DeadLetter.getClassSchema());
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/subjects/" + subject()
                + "/versions/1")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), scrape.headers().toString());
        String text = scrape.body();
        // the register call, under its route template, never under the subject's name
        assertTrue(hasSeries(text, "alstream_registry_requests_total", "method=\"POST\"", "route=\"/subjects/{subject}/versions\"",
                "status=\"200\""), text);
        assertFalse(text.contains(s), "a subject name in the metrics");
        assertTrue(hasSeries(text, "alstream_registry_errors_total", "error_code=\"40401\"",
                "route=\"/subjects/{subject}/versions/{version}\""), text);
        assertTrue(hasSeries(text, "alstream_registry_request_latency_seconds_count", "method=\"POST\"",
                "route=\"/subjects/{subject}/versions\""), text);
        assertTrue(hasSeries(text, "alstream_registry_request_latency_seconds", "method=\"POST\"",
                "route=\"/subjects/{subject}/versions\"", "quantile=\"0.99\""), text);
        double schemas = Double.parseDouble(text.lines().filter(l -> l.startsWith("alstream_registry_schemas "))
                .findFirst().orElseThrow(() -> new AssertionError(text)).split(" ")[1]);
        assertTrue(schemas >= 1 && id > 0, "schemas known: " + schemas);
    }

    /** Whether the scrape has a series of {@code name} with (at least) these labels, in any order. */
    private static boolean hasSeries(String text, String name, String... labels) {
        return text.lines().filter(l -> l.startsWith(name + "{")).anyMatch(l -> {
            String set = l.substring(name.length() + 1, l.lastIndexOf("} ")); // route values hold braces too
            return java.util.Arrays.stream(labels).allMatch(lb -> java.util.Arrays.asList(set.split(",")).contains(lb));
        });
    }
}
