package io.alstream.connectors.registry.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.alstream.connectors.registry.CompatibilityLevel;
import io.alstream.connectors.registry.ErrorCodes;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the registry does, apart from HTTP: the rules of the Confluent API on top of the replicated
 * {@link RegistryState}. Reads answer from this instance's view; writes go through {@link SchemaLog#write}.
 */
final class RegistryService {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryService.class);

    private final RegistryState state;
    private final SchemaLog log;
    private final CompatibilityLevel defaultLevel;
    /** Parsed schemas by canonical text: parsing is the costly part of a compatibility check. */
    private final Map<String, Schema> parsed = new ConcurrentHashMap<>();

    RegistryService(RegistryState state, SchemaLog log, CompatibilityLevel defaultLevel) {
        this.state = state;
        this.log = log;
        this.defaultLevel = defaultLevel;
    }

    /** A schema as the request gave it, parsed and in canonical text. */
    record Candidate(Schema schema, String canonical) {
    }

    record CompatibilityAnswer(boolean compatible, List<String> messages) {
    }

    /** Parses the schema of a request; anything but a plain Avro schema is a 42201. */
    Candidate parse(String schemaText, String schemaType, boolean hasReferences) {
        if (schemaType != null && !schemaType.isBlank() && !"AVRO".equalsIgnoreCase(schemaType)) {
            throw RegistryError.invalidSchema("schemaType " + schemaType + " is not supported; this registry stores AVRO schemas only");
        }
        if (hasReferences) {
            throw RegistryError.invalidSchema("schema references are not supported; inline the referenced types");
        }
        if (schemaText == null || schemaText.isBlank()) {
            throw RegistryError.invalidSchema("the request has no 'schema'");
        }
        try {
            Schema s = new Schema.Parser().parse(schemaText);
            String canonical = s.toString();
            parsed.putIfAbsent(canonical, s);
            return new Candidate(s, canonical);
        } catch (AvroRuntimeException e) {
            // SchemaParseException and friends: bad JSON, unknown type, invalid default, ...
            throw RegistryError.invalidSchema(e.getMessage());
        } catch (NullPointerException e) {
            // Avro 1.12 reports a name that no type defines this way
            throw RegistryError.invalidSchema("it refers to a type name that it does not define (" + e.getMessage() + ")");
        }
    }

    /** POST /subjects/{subject}/versions: the id of the schema under the subject, registering it if new. */
    int register(String subject, Candidate c) {
        checkSubject(subject);
        Optional<StoredVersion> known = liveVersionWith(subject, c.canonical());
        if (known.isPresent()) {
            return known.get().id(); // the common case (serializers on start-up): no write at all
        }
        return log.write(st -> {
            Optional<StoredVersion> again = liveVersionWith(subject, c.canonical());
            if (again.isPresent()) {
                return SchemaLog.WritePlan.nothing(again.get().id());
            }
            CompatibilityLevel level = effectiveLevel(subject);
            List<String> problems = CompatibilityChecker.check(level, c.schema(), previous(subject));
            if (!problems.isEmpty()) {
                LOG.info("rejected a schema for subject '{}': incompatible under {} ({} problem(s)); first: {}", subject, level,
                        problems.size(), problems.get(0));
                throw new RegistryError(409, ErrorCodes.INCOMPATIBLE_SCHEMA, "Schema being registered is incompatible with an"
                        + " earlier schema for subject \"" + subject + "\", details: " + problems);
            }
            Optional<Integer> existingId = st.idOfSchema(c.canonical());
            int id = existingId.orElse(st.maxId() + 1);
            int version = st.maxVersion(subject) + 1;
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            records.add(log.record(SchemaLogFormat.schemaKey(subject, version),
                    SchemaLogFormat.schemaValue(new StoredVersion(subject, version, id, c.canonical(), false))));
            if (existingId.isEmpty()) {
                records.add(log.record(SchemaLogFormat.idWatermarkKey(), SchemaLogFormat.idWatermarkValue(id)));
            }
            LOG.info("registering schema {} ({}) as subject '{}' version {}", id, existingId.isPresent() ? "known id" : "new id",
                    subject, version);
            return new SchemaLog.WritePlan<>(records, id);
        });
    }

    /** POST /subjects/{subject}: the version of the subject that holds exactly this schema. */
    StoredVersion lookup(String subject, Candidate c, boolean includeDeleted) {
        List<StoredVersion> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        StoredVersion found = null;
        for (StoredVersion v : versions) {
            if (v.schema().equals(c.canonical())) {
                found = v; // the newest such version, as Confluent answers
            }
        }
        if (found == null) {
            throw RegistryError.schemaNotFound("not registered under subject '" + subject + "'");
        }
        return found;
    }

    String schemaById(int id) {
        knowId(id);
        return state.schemaById(id).orElseThrow(() -> RegistryError.schemaNotFound("id " + id));
    }

    List<StoredVersion> versionsOfId(int id) {
        knowId(id);
        if (state.schemaById(id).isEmpty()) {
            throw RegistryError.schemaNotFound("id " + id);
        }
        return state.versionsOfId(id);
    }

    /**
     * An id this instance has not read may have just been registered through another instance (two registries
     * behind a balancer): read the schemas topic to its end before answering 404, which clients take as final.
     */
    private void knowId(int id) {
        // ids are handed out in order, so a missing id at or below the highest one read is absent for good (deleted):
        // only a higher one can be new, and only that costs a read to the topic's end
        if (id > state.maxId() && state.schemaById(id).isEmpty()) {
            log.catchUp();
        }
    }

    List<String> subjects(boolean includeDeleted) {
        return state.subjects(includeDeleted);
    }

    List<Integer> versions(String subject, boolean includeDeleted) {
        List<StoredVersion> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versions.stream().map(StoredVersion::version).toList();
    }

    /** GET /subjects/{subject}/versions/{version}; version is a number, "latest" or -1. */
    StoredVersion version(String subject, String versionSpec, boolean includeDeleted) {
        List<StoredVersion> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        int wanted = parseVersion(versionSpec);
        if (wanted == -1) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.version() == wanted).findFirst()
                .orElseThrow(() -> RegistryError.versionNotFound(subject, wanted));
    }

    /**
     * POST /compatibility/subjects/{subject}/versions[/{version}]: with a version, the candidate against
     * that version alone in the direction(s) of the subject's level; without, against the versions the
     * level names (the latest, or all for the transitive levels), exactly as a registration would.
     */
    CompatibilityAnswer checkCompatibility(String subject, String versionSpecOrNull, Candidate c) {
        CompatibilityLevel level = effectiveLevel(subject);
        List<String> problems;
        if (versionSpecOrNull == null) {
            problems = CompatibilityChecker.check(level, c.schema(), previous(subject));
        } else {
            StoredVersion v = version(subject, versionSpecOrNull, false);
            CompatibilityLevel single = level.transitive() ? CompatibilityLevel.valueOf(level.name().replace("_TRANSITIVE", "")) : level;
            problems = CompatibilityChecker.check(single, c.schema(),
                    List.of(new CompatibilityChecker.Previous(v.version(), schemaOf(v.schema()))));
        }
        return new CompatibilityAnswer(problems.isEmpty(), problems);
    }

    CompatibilityLevel globalLevel() {
        return state.globalLevel().orElse(defaultLevel);
    }

    CompatibilityLevel setGlobalLevel(CompatibilityLevel level) {
        log.write(st -> new SchemaLog.WritePlan<>(List.of(log.record(SchemaLogFormat.configKey(null),
                SchemaLogFormat.configValue(level))), level));
        LOG.info("global compatibility level set to {}", level);
        return level;
    }

    Optional<CompatibilityLevel> subjectLevel(String subject) {
        return state.subjectLevel(subject);
    }

    CompatibilityLevel effectiveLevel(String subject) {
        return state.subjectLevel(subject).orElseGet(this::globalLevel);
    }

    CompatibilityLevel setSubjectLevel(String subject, CompatibilityLevel level) {
        checkSubject(subject);
        log.write(st -> new SchemaLog.WritePlan<>(List.of(log.record(SchemaLogFormat.configKey(subject),
                SchemaLogFormat.configValue(level))), level));
        LOG.info("compatibility level of subject '{}' set to {}", subject, level);
        return level;
    }

    CompatibilityLevel deleteSubjectLevel(String subject) {
        return log.write(st -> {
            CompatibilityLevel old = st.subjectLevel(subject).orElseThrow(() -> new RegistryError(404,
                    ErrorCodes.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                    "Subject '" + subject + "' does not have subject-level compatibility configured"));
            LOG.info("compatibility level of subject '{}' removed (was {}); it follows the global level again", subject, old);
            return new SchemaLog.WritePlan<>(List.of(log.record(SchemaLogFormat.configKey(subject), null)), old);
        });
    }

    /** DELETE /subjects/{subject}: soft delete hides every version; permanent removes soft-deleted ones for good. */
    List<Integer> deleteSubject(String subject, boolean permanent) {
        return log.write(st -> {
            List<StoredVersion> all = st.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryError.subjectNotFound(subject);
            }
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            List<Integer> deleted = new ArrayList<>();
            if (permanent) {
                if (all.stream().anyMatch(v -> !v.deleted())) {
                    throw new RegistryError(404, ErrorCodes.SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject
                            + "' was not deleted first before being permanently deleted");
                }
                for (StoredVersion v : all) {
                    records.add(log.record(SchemaLogFormat.schemaKey(subject, v.version()), null));
                    deleted.add(v.version());
                }
                if (st.subjectLevel(subject).isPresent()) {
                    records.add(log.record(SchemaLogFormat.configKey(subject), null));
                }
            } else {
                List<StoredVersion> live = all.stream().filter(v -> !v.deleted()).toList();
                if (live.isEmpty()) {
                    throw new RegistryError(404, ErrorCodes.SUBJECT_SOFT_DELETED, "Subject '" + subject
                            + "' was soft deleted. Set permanent=true to delete permanently");
                }
                for (StoredVersion v : live) {
                    records.add(log.record(SchemaLogFormat.schemaKey(subject, v.version()),
                            SchemaLogFormat.schemaValue(v.asDeleted())));
                    deleted.add(v.version());
                }
            }
            LOG.info("{} deleted subject '{}' versions {}", permanent ? "permanently" : "soft", subject, deleted);
            return new SchemaLog.WritePlan<>(records, deleted);
        });
    }

    /** DELETE /subjects/{subject}/versions/{version}. */
    int deleteVersion(String subject, String versionSpec, boolean permanent) {
        int wanted = parseVersion(versionSpec);
        return log.write(st -> {
            List<StoredVersion> all = st.versions(subject, true);
            if (all.isEmpty()) {
                throw RegistryError.subjectNotFound(subject);
            }
            StoredVersion v;
            if (wanted == -1) {
                List<StoredVersion> live = all.stream().filter(x -> !x.deleted()).toList();
                if (live.isEmpty()) {
                    throw RegistryError.subjectNotFound(subject);
                }
                v = live.get(live.size() - 1);
            } else {
                v = all.stream().filter(x -> x.version() == wanted).findFirst()
                        .orElseThrow(() -> RegistryError.versionNotFound(subject, wanted));
            }
            ProducerRecord<byte[], byte[]> r;
            if (permanent) {
                if (!v.deleted()) {
                    throw new RegistryError(404, ErrorCodes.SCHEMA_VERSION_NOT_SOFT_DELETED, "Subject '" + subject
                            + "' Version " + v.version() + " was not deleted first before being permanently deleted");
                }
                r = log.record(SchemaLogFormat.schemaKey(subject, v.version()), null);
            } else {
                if (v.deleted()) {
                    throw new RegistryError(404, ErrorCodes.SCHEMA_VERSION_SOFT_DELETED, "Subject '" + subject
                            + "' Version " + v.version() + " was soft deleted. Set permanent=true to delete permanently");
                }
                r = log.record(SchemaLogFormat.schemaKey(subject, v.version()), SchemaLogFormat.schemaValue(v.asDeleted()));
            }
            LOG.info("{} deleted subject '{}' version {} (schema id {})", permanent ? "permanently" : "soft", subject,
                    v.version(), v.id());
            return new SchemaLog.WritePlan<>(List.of(r), v.version());
        });
    }

    private Optional<StoredVersion> liveVersionWith(String subject, String canonical) {
        return state.versions(subject, false).stream().filter(v -> v.schema().equals(canonical)).findFirst();
    }

    private List<CompatibilityChecker.Previous> previous(String subject) {
        List<CompatibilityChecker.Previous> out = new ArrayList<>();
        for (StoredVersion v : state.versions(subject, false)) {
            out.add(new CompatibilityChecker.Previous(v.version(), schemaOf(v.schema())));
        }
        return out;
    }

    private Schema schemaOf(String canonical) {
        return parsed.computeIfAbsent(canonical, s -> new Schema.Parser().parse(s));
    }

    static int parseVersion(String spec) {
        if ("latest".equals(spec)) {
            return -1;
        }
        try {
            int v = Integer.parseInt(spec);
            if (v == -1 || v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new RegistryError(422, ErrorCodes.INVALID_VERSION, "The specified version '" + spec
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    private static void checkSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw RegistryError.badRequest("subject name must not be empty");
        }
        for (int i = 0; i < subject.length(); i++) {
            if (Character.isISOControl(subject.charAt(i))) {
                throw RegistryError.badRequest("subject name must not contain control characters");
            }
        }
        // the bounds and characters of every id alstream takes (InputLimits): at most 1,024 UTF-8 bytes, no
        // bidirectional controls, no malformed UTF-8
        io.alstream.connectors.limits.InputLimits.Problem p = io.alstream.connectors.limits.InputLimits.id(subject, "subject name");
        if (p != null) {
            throw RegistryError.badRequest(p.message());
        }
    }
}
