package io.alstream.connectors.registry.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alstream.connectors.registry.CompatibilityLevel;

/**
 * The records of the schemas topic: JSON keys and values, in the spirit of Confluent's own store.
 * Keys are written with a fixed field order, because log compaction compares key bytes: the same
 * logical key must always be the same bytes.
 *
 * <ul>
 *   <li>{@code {"keytype":"SCHEMA","subject":s,"version":v}} → {@code {"subject","version","id","schema","deleted"}};
 *       a null value (tombstone) removes the version for good (permanent delete).</li>
 *   <li>{@code {"keytype":"CONFIG","subject":s}} (subject null = global) → {@code {"compatibilityLevel":L}};
 *       tombstone: back to the default.</li>
 *   <li>{@code {"keytype":"ID_WATERMARK"}} → {@code {"maxId":n}}: the highest id ever handed out, so a
 *       permanently deleted schema's id is never given to another schema, even after compaction.</li>
 * </ul>
 */
final class SchemaLogFormat {
    static final String SCHEMA = "SCHEMA";
    static final String CONFIG = "CONFIG";
    static final String ID_WATERMARK = "ID_WATERMARK";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaLogFormat() {
    }

    static byte[] schemaKey(String subject, int version) {
        ObjectNode k = JSON.createObjectNode();
        k.put("keytype", SCHEMA).put("subject", subject).put("version", version);
        return bytes(k);
    }

    static byte[] schemaValue(StoredVersion v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("subject", v.subject()).put("version", v.version()).put("id", v.id()).put("schema", v.schema())
                .put("deleted", v.deleted());
        return bytes(n);
    }

    static byte[] configKey(String subjectOrNull) {
        ObjectNode k = JSON.createObjectNode();
        k.put("keytype", CONFIG);
        if (subjectOrNull == null) {
            k.putNull("subject");
        } else {
            k.put("subject", subjectOrNull);
        }
        return bytes(k);
    }

    static byte[] configValue(CompatibilityLevel level) {
        return bytes(JSON.createObjectNode().put("compatibilityLevel", level.name()));
    }

    static byte[] idWatermarkKey() {
        return bytes(JSON.createObjectNode().put("keytype", ID_WATERMARK));
    }

    static byte[] idWatermarkValue(int maxId) {
        return bytes(JSON.createObjectNode().put("maxId", maxId));
    }

    static JsonNode parse(byte[] bytes) throws IOException {
        return JSON.readTree(bytes);
    }

    static StoredVersion storedVersion(JsonNode v) {
        if (!v.path("subject").isTextual() || !v.path("version").canConvertToInt() || !v.path("id").canConvertToInt()
                || !v.path("schema").isTextual()) {
            throw new IllegalArgumentException("schema record lacks subject, version, id or schema: " + v);
        }
        return new StoredVersion(v.get("subject").asText(), v.get("version").asInt(), v.get("id").asInt(),
                v.get("schema").asText(), v.path("deleted").asBoolean(false));
    }

    private static byte[] bytes(JsonNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
