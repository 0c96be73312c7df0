package io.alstream.connectors.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.connectors.serde.SampleRecords;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.UnlabeledEvent;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our server and client against {@code @kafkajs/confluent-schema-registry} (npm): what theirs registers
 * ours reads and the reverse, and both encode the same record to the same bytes and decode each
 * other's. Needs node and {@code bash connectors/registry/src/test/node/install.sh}; fails (does not skip) without.
 */
class RegistryInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static RegistryServer server;
    static SchemaRegistryClient ours;

    @BeforeAll
    static void start() {
        NodeRegistryClient.checkInstalled();
        server = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic())
                .basicAuthUser("interop", "s3cret").start();
        ours = SchemaRegistryClient.builder(server.url()).basicAuth("interop", "s3cret").build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static ObjectNode job(String op) {
        ObjectNode j = NodeRegistryClient.job(op, server.url());
        j.putObject("auth").put("username", "interop").put("password", "s3cret");
        return j;
    }

    private static JsonNode ok(JsonNode answer) {
        assertFalse(answer.has("error"), () -> "their client failed: " + answer);
        return answer;
    }

    @Test
    void theirRegistrationIsReadByOurs() {
        String subject = "interop-" + UUID.randomUUID() + "-value";
        JsonNode reg = ok(NodeRegistryClient.run(job("register").put("subject", subject)
                .put("schema", UnlabeledEvent.getClassSchema().toString())));
        int id = reg.get("id").asInt();

        assertEquals(UnlabeledEvent.getClassSchema(), ours.schemaById(id));
        assertEquals(new RegisteredSchema(subject, 1, id, UnlabeledEvent.getClassSchema()), ours.latest(subject));
        assertEquals(id, ours.register(subject, UnlabeledEvent.getClassSchema()), "same schema, same id for ours");
        // their client sets the subject's level after a first registration: our server kept it
        assertEquals(Optional.of(CompatibilityLevel.BACKWARD), ours.subjectCompatibility(subject));
    }

    @Test
    void ourRegistrationIsReadByTheirs() {
        String subject = "interop-" + UUID.randomUUID() + "-value";
        int id = ours.register(subject, LabelRequest.getClassSchema());
        JsonNode read = ok(NodeRegistryClient.run(job("read").put("subject", subject)
                .put("schema", LabelRequest.getClassSchema().toString())));
        assertEquals(id, read.get("latestId").asInt());
        assertEquals(id, read.get("idBySchema").asInt());
        assertEquals(id, read.get("versionOneId").asInt());
        assertEquals("io.alstream.schemas.LabelRequest", read.get("name").asText());
        List<String> fields = new ArrayList<>();
        read.get("fields").forEach(f -> fields.add(f.asText()));
        assertEquals(LabelRequest.getClassSchema().getFields().stream().map(Schema.Field::name).toList(), fields);
    }

    @Test
    void bothEncodeTheSameBytesAndDecodeEachOther() {
        for (SpecificRecord record : List.of(SampleRecords.event(), SampleRecords.request(), SampleRecords.answer(),
                SampleRecords.label(), SampleRecords.update())) {
            String topic = "interop-" + UUID.randomUUID();
            @SuppressWarnings({"unchecked", "rawtypes"})
            AvroWireCodec<SpecificRecord> codec = AvroWireCodec.specific((Class) record.getClass(), ours);
            byte[] ourBytes = codec.encode(topic, record);
            int id = ByteBuffer.wrap(ourBytes, 1, 4).getInt();

            // theirs encodes the same record (as plain JS values) with the id our codec registered
            JsonNode enc = ok(NodeRegistryClient.run(job("encode").put("id", id).set("payload", plainJson(record))));
            byte[] theirBytes = HexFormat.of().parseHex(enc.get("hex").asText());
            JsonNode sent = plainJson(record);
            assertArrayEquals(ourBytes, theirBytes, () -> record.getSchema().getName() + ": same bytes from both clients; sent "
                    + sent + "\nours   " + HexFormat.of().formatHex(ourBytes) + "\ntheirs " + enc.get("hex").asText());
            assertEquals(record, codec.decode(theirBytes), "ours decodes theirs");

            // theirs decodes ours (fetching the writer schema by id from our server)
            JsonNode dec = ok(NodeRegistryClient.run(job("decode").put("hex", HexFormat.of().formatHex(ourBytes))));
            assertSameValues(plainJson(record), dec.get("value"), record.getSchema().getName());
        }
    }

    @Test
    void theirClientIsRefusedWithoutCredentials() {
        ObjectNode noAuth = NodeRegistryClient.job("read", server.url()).put("subject", "whatever-value")
                .put("schema", LabelRequest.getClassSchema().toString());
        JsonNode answer = NodeRegistryClient.run(noAuth);
        assertTrue(answer.has("error"), answer.toString());
        assertEquals(401, answer.get("status").asInt(), answer.toString());
    }

    /**
     * The record as avsc takes and gives it: plain JSON values, unions unwrapped, timestamps as epoch
     * milliseconds. Maps keep the record's own iteration order, which is the order Avro writes them in:
     * equal bytes from their encoder need the same order in the JSON we hand it.
     */
    static JsonNode plainJson(SpecificRecord record) {
        return toJson(record);
    }

    private static JsonNode toJson(Object v) {
        if (v == null) {
            return JSON.nullNode();
        }
        if (v instanceof Instant t) {
            return JSON.getNodeFactory().numberNode(t.toEpochMilli());
        }
        if (v instanceof GenericRecord r) {
            ObjectNode o = JSON.createObjectNode();
            r.getSchema().getFields().forEach(f -> o.set(f.name(), toJson(r.get(f.pos()))));
            return o;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = JSON.createObjectNode();
            m.forEach((k, x) -> o.set(k.toString(), toJson(x)));
            return o;
        }
        if (v instanceof List<?> l) {
            ArrayNode a = JSON.createArrayNode();
            l.forEach(x -> a.add(toJson(x)));
            return a;
        }
        if (v instanceof Float f) {
            return JSON.getNodeFactory().numberNode(f);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return JSON.valueToTree(v);
        }
        return JSON.getNodeFactory().textNode(v.toString());
    }

    /** Equal trees, numbers compared as floats (their decoder widens float32 to a double). */
    private static void assertSameValues(JsonNode expected, JsonNode actual, String where) {
        if (expected.isNumber()) {
            assertTrue(actual != null && actual.isNumber(), where + ": " + actual);
            assertEquals(expected.floatValue(), actual.floatValue(), where);
            assertEquals(expected.isIntegralNumber() ? expected.longValue() : 0L, expected.isIntegralNumber() ? actual.longValue() : 0L, where);
            return;
        }
        if (expected.isContainerNode()) {
            assertEquals(expected.size(), actual.size(), where + ": " + actual);
            if (expected.isArray()) {
                for (int i = 0; i < expected.size(); i++) {
                    assertSameValues(expected.get(i), actual.get(i), where + "[" + i + "]");
                }
            } else {
                expected.fieldNames().forEachRemaining(k -> assertSameValues(expected.get(k), actual.get(k), where + "." + k));
            }
            return;
        }
        assertEquals(expected, actual, where);
    }
}
