package io.alstream.connectors.registry.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.alstream.connectors.registry.CompatibilityLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one registry instance knows: the schemas topic replayed in order. Every instance replays the same
 * log, so every instance holds the same view. Only the topic's reader thread changes it; request threads
 * read it. All methods are synchronized: the view is small and changes rarely.
 *
 * <p>Conflict rule for records that should not exist with a single writer (a second writer forced in
 * by hand, a split brain): the first record to claim an id or a (subject, version) wins; a later record
 * that gives the same id to another schema, or the same version to another schema, is logged as an
 * error and ignored. Every instance applies the same rule to the same log, so they still agree.
 */
final class RegistryState {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

    private final Map<String, TreeMap<Integer, StoredVersion>> subjects = new HashMap<>();
    private final Map<Integer, String> schemaById = new HashMap<>();
    private final Map<String, Integer> idBySchema = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel;
    private int idWatermark;
    private long records;

    /** Applies one record of the schemas topic. Malformed records are logged and skipped, never fatal. */
    synchronized void apply(byte[] key, byte[] value, long offset) {
        records++;
        JsonNode k;
        try {
            k = key == null ? null : SchemaLogFormat.parse(key);
        } catch (IOException e) {
            LOG.error("schemas topic offset {}: key is not JSON, record skipped: {}", offset, e.getMessage());
            return;
        }
        if (k == null || !k.path("keytype").isTextual()) {
            LOG.error("schemas topic offset {}: key without keytype, record skipped", offset);
            return;
        }
        try {
            JsonNode v = value == null ? null : SchemaLogFormat.parse(value);
            switch (k.get("keytype").asText()) {
                case SchemaLogFormat.SCHEMA:
                    applySchema(k, v, offset);
                    break;
                case SchemaLogFormat.CONFIG:
                    applyConfig(k, v);
                    break;
                case SchemaLogFormat.ID_WATERMARK:
                    if (v != null) {
                        idWatermark = Math.max(idWatermark, v.path("maxId").asInt(0));
                    }
                    break;
                default:
                    // a newer registry's record type: keep reading, say so once per record
                    LOG.warn("schemas topic offset {}: unknown keytype '{}', record skipped", offset, k.get("keytype").asText());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("schemas topic offset {}: malformed record skipped: {}", offset, e.getMessage());
        }
    }

    private void applySchema(JsonNode k, JsonNode v, long offset) {
        String subject = k.path("subject").asText(null);
        int version = k.path("version").asInt(-1);
        if (subject == null || version < 1) {
            throw new IllegalArgumentException("schema key lacks subject or version: " + k);
        }
        TreeMap<Integer, StoredVersion> versions = subjects.computeIfAbsent(subject, s -> new TreeMap<>());
        if (v == null) {
            StoredVersion removed = versions.remove(version);
            if (versions.isEmpty()) {
                subjects.remove(subject);
            }
            if (removed != null) {
                forgetIdIfUnused(removed.id());
            }
            return;
        }
        StoredVersion sv = SchemaLogFormat.storedVersion(v);
        if (!sv.subject().equals(subject) || sv.version() != version) {
            throw new IllegalArgumentException("schema value does not match its key " + k);
        }
        String known = schemaById.get(sv.id());
        if (known != null && !known.equals(sv.schema())) {
            LOG.error("schemas topic offset {}: id {} already names another schema; record for {} v{} ignored (first writer wins)",
                    offset, sv.id(), subject, version);
            return;
        }
        StoredVersion existing = versions.get(version);
        if (existing != null && (existing.id() != sv.id() || !existing.schema().equals(sv.schema()))) {
            LOG.error("schemas topic offset {}: {} v{} already holds id {}; record with id {} ignored (first writer wins)",
                    offset, subject, version, existing.id(), sv.id());
            return;
        }
        versions.put(version, sv);
        schemaById.put(sv.id(), sv.schema());
        idBySchema.putIfAbsent(sv.schema(), sv.id());
        idWatermark = Math.max(idWatermark, sv.id());
    }

    private void forgetIdIfUnused(int id) {
        for (TreeMap<Integer, StoredVersion> versions : subjects.values()) {
            for (StoredVersion sv : versions.values()) {
                if (sv.id() == id) {
                    return;
                }
            }
        }
        String schema = schemaById.remove(id);
        if (schema != null) {
            idBySchema.remove(schema, id);
        }
    }

    private void applyConfig(JsonNode k, JsonNode v) {
        JsonNode s = k.get("subject");
        String subject = s == null || s.isNull() ? null : s.asText();
        CompatibilityLevel level = v == null ? null : CompatibilityLevel.parse(v.path("compatibilityLevel").asText(null));
        if (subject == null) {
            globalLevel = level;
        } else if (level == null) {
            subjectLevels.remove(subject);
        } else {
            subjectLevels.put(subject, level);
        }
    }

    // ---- queries ----

    synchronized long recordsApplied() {
        return records;
    }

    synchronized int schemaCount() {
        return schemaById.size();
    }

    /** The highest id ever handed out (live, deleted or permanently deleted). */
    synchronized int maxId() {
        return idWatermark;
    }

    synchronized Optional<String> schemaById(int id) {
        return Optional.ofNullable(schemaById.get(id));
    }

    synchronized Optional<Integer> idOfSchema(String canonical) {
        return Optional.ofNullable(idBySchema.get(canonical));
    }

    /** Subjects with at least one version; soft-deleted ones only when asked. Sorted. */
    synchronized List<String> subjects(boolean includeDeleted) {
        TreeSet<String> out = new TreeSet<>();
        subjects.forEach((name, versions) -> {
            if (includeDeleted || versions.values().stream().anyMatch(v -> !v.deleted())) {
                out.add(name);
            }
        });
        return new ArrayList<>(out);
    }

    /** Versions of a subject, ascending; soft-deleted ones only when asked. Empty: no such subject. */
    synchronized List<StoredVersion> versions(String subject, boolean includeDeleted) {
        TreeMap<Integer, StoredVersion> versions = subjects.get(subject);
        List<StoredVersion> out = new ArrayList<>();
        if (versions != null) {
            for (StoredVersion v : versions.values()) {
                if (includeDeleted || !v.deleted()) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** Highest version number ever used by the subject, deleted ones included (versions are never reused). */
    synchronized int maxVersion(String subject) {
        TreeMap<Integer, StoredVersion> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
    }

    synchronized List<StoredVersion> versionsOfId(int id) {
        List<StoredVersion> out = new ArrayList<>();
        new TreeMap<>(subjects).forEach((name, versions) -> versions.values().forEach(v -> {
            if (v.id() == id && !v.deleted()) {
                out.add(v);
            }
        }));
        return out;
    }

    /** The level set for the subject itself, if any. */
    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** The global level set through the API, if any (else the server's default applies). */
    synchronized Optional<CompatibilityLevel> globalLevel() {
        return Optional.ofNullable(globalLevel);
    }
}
