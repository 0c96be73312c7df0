package io.alstream.connectors.registry;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

/**
 * A client for the Confluent Schema Registry REST API (Avro schemas). Thread-safe; share one per
 * process. Schemas by id and ids by (subject, schema) are cached: facts that only a delete changes.
 * Deletes through this client drop the subject's entries; deletes by others are not seen (as with
 * Confluent's own client), so a long-lived client keeps serving an id whose subject was deleted elsewhere.
 *
 * <pre>{@code
 * SchemaRegistryClient client = SchemaRegistryClient.builder("http://localhost:8081")
 *         .basicAuth("user", "secret")          // optional
 *         .requestTimeout(Duration.ofSeconds(5)) // optional
 *         .build();
 * int id = client.register("alstream.events.v1-value", UnlabeledEvent.getClassSchema());
 * }</pre>
 *
 * <p>Errors: answers of the registry become {@link SchemaRegistryException} subclasses
 * ({@link SubjectNotFoundException}, {@link IncompatibleSchemaException}, ...); a registry that cannot
 * be reached after the retries becomes {@link RegistryUnavailableException}.
 */
public final class SchemaRegistryClient {
    private final RegistryTransport transport;
    private final BoundedCache<Integer, Schema> schemasById;
    private final BoundedCache<SubjectSchema, Integer> idsBySubjectSchema;
    private final BoundedCache<SubjectSchema, RegisteredSchema> versionsBySubjectSchema;

    private record SubjectSchema(String subject, String canonicalSchema) {
    }

    private SchemaRegistryClient(Builder b) {
        SSLContext ssl = b.sslContext;
        if (ssl == null && (b.trustStore != null || b.keyStore != null)) {
            ssl = TlsContexts.create(b.trustStore, b.keyStore, b.keyPassword);
        }
        this.transport = new RegistryTransport(b.urls, b.connectTimeout, b.requestTimeout, b.retry,
                b.user, b.password, ssl);
        this.schemasById = new BoundedCache<>(b.cacheCapacity);
        this.idsBySubjectSchema = new BoundedCache<>(b.cacheCapacity);
        this.versionsBySubjectSchema = new BoundedCache<>(b.cacheCapacity);
    }

    /** Required: one or more base URLs ({@code http://host:port}), tried in turn when one fails. */
    public static Builder builder(String... baseUrls) {
        return new Builder(List.of(baseUrls));
    }

    /** A client configured from Kafka-style properties; see {@link RegistryClientConfig} for the keys. */
    public static SchemaRegistryClient fromConfig(java.util.Map<String, ?> config) {
        return RegistryClientConfig.builderFrom(config).build();
    }

    public List<URI> baseUrls() {
        return transport.baseUrls();
    }

    /**
     * Registers the schema under the subject, or finds it when it is already there (the registry answers
     * with the existing id). POST /subjects/{subject}/versions.
     *
     * @return the schema's global id
     * @throws IncompatibleSchemaException when the subject's compatibility rule rejects it
     */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema.toString());
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        ObjectNode body = transport.json().createObjectNode().put("schema", key.canonicalSchema());
        int id = requireInt(transport.call("POST", "/subjects/" + segment(subject) + "/versions", body), "id");
        idsBySubjectSchema.put(key, id);
        schemasById.put(id, schema);
        return id;
    }

    /**
     * The version of the subject that holds exactly this schema. POST /subjects/{subject}.
     *
     * @throws SubjectNotFoundException when the subject does not exist
     * @throws SchemaNotFoundException  when the schema is not registered under the subject
     */
    public RegisteredSchema lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema.toString());
        RegisteredSchema cached = versionsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        ObjectNode body = transport.json().createObjectNode().put("schema", key.canonicalSchema());
        RegisteredSchema found = registeredSchema(transport.call("POST", "/subjects/" + segment(subject), body));
        versionsBySubjectSchema.put(key, found);
        idsBySubjectSchema.put(key, found.id());
        return found;
    }

    /**
     * The schema with this global id. GET /schemas/ids/{id}.
     *
     * @throws SchemaNotFoundException when no schema has the id
     */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode n = transport.call("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(requireText(n, "schema"), "schema id " + id);
        schemasById.put(id, schema);
        return schema;
    }

    /** Every (subject, version) under which the id is registered. GET /schemas/ids/{id}/versions. */
    public List<SubjectVersion> subjectVersionsOf(int id) {
        List<SubjectVersion> out = new ArrayList<>();
        for (JsonNode e : transport.call("GET", "/schemas/ids/" + id + "/versions", null)) {
            out.add(new SubjectVersion(requireText(e, "subject"), requireInt(e, "version")));
        }
        return out;
    }

    /** All live subjects. GET /subjects. */
    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        transport.call("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The live versions of a subject, ascending. GET /subjects/{subject}/versions. */
    public List<Integer> versions(String subject) {
        List<Integer> out = new ArrayList<>();
        transport.call("GET", "/subjects/" + segment(subject) + "/versions", null).forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** One version of a subject. GET /subjects/{subject}/versions/{version}. */
    public RegisteredSchema version(String subject, int version) {
        return registeredSchema(transport.call("GET", "/subjects/" + segment(subject) + "/versions/" + version, null));
    }

    /** The newest live version of a subject. GET /subjects/{subject}/versions/latest. */
    public RegisteredSchema latest(String subject) {
        return registeredSchema(transport.call("GET", "/subjects/" + segment(subject) + "/versions/latest", null));
    }

    /**
     * Whether the schema could be registered as the subject's next version without breaking the
     * subject's rule against its latest version. POST /compatibility/subjects/{subject}/versions/latest.
     */
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        ObjectNode body = transport.json().createObjectNode().put("schema", schema.toString());
        JsonNode n = transport.call("POST", "/compatibility/subjects/" + segment(subject) + "/versions/latest?verbose=true", body);
        List<String> messages = new ArrayList<>();
        n.path("messages").forEach(m -> messages.add(m.asText()));
        JsonNode ok = n.get("is_compatible");
        if (ok == null || !ok.isBoolean()) {
            throw new SchemaRegistryException(200, -1, "compatibility answer without is_compatible: " + n);
        }
        return new CompatibilityResult(ok.asBoolean(), messages);
    }

    /** The registry-wide compatibility level. GET /config. */
    public CompatibilityLevel globalCompatibility() {
        return CompatibilityLevel.parse(requireText(transport.call("GET", "/config", null), "compatibilityLevel"));
    }

    /** Sets the registry-wide compatibility level. PUT /config. */
    public CompatibilityLevel setGlobalCompatibility(CompatibilityLevel level) {
        ObjectNode body = transport.json().createObjectNode().put("compatibility", level.name());
        return CompatibilityLevel.parse(requireText(transport.call("PUT", "/config", body), "compatibility"));
    }

    /** The subject's own level; empty when it follows the global one. GET /config/{subject}. */
    public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        try {
            return Optional.of(CompatibilityLevel.parse(requireText(
                    transport.call("GET", "/config/" + segment(subject), null), "compatibilityLevel")));
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == ErrorCodes.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED
                    || e.errorCode() == ErrorCodes.SUBJECT_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Sets the subject's own level. PUT /config/{subject}. */
    public CompatibilityLevel setSubjectCompatibility(String subject, CompatibilityLevel level) {
        ObjectNode body = transport.json().createObjectNode().put("compatibility", level.name());
        return CompatibilityLevel.parse(requireText(transport.call("PUT", "/config/" + segment(subject), body), "compatibility"));
    }

    /** Removes the subject's own level, so it follows the global one again. DELETE /config/{subject}. */
    public void deleteSubjectCompatibility(String subject) {
        transport.call("DELETE", "/config/" + segment(subject), null);
    }

    /**
     * Deletes every version of a subject: soft (hidden, ids kept), or permanent after a soft delete.
     * DELETE /subjects/{subject}[?permanent=true].
     *
     * @return the versions deleted
     */
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        forget(subject);
        List<Integer> out = new ArrayList<>();
        transport.call("DELETE", "/subjects/" + segment(subject) + (permanent ? "?permanent=true" : ""), null)
                .forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** Deletes one version of a subject. DELETE /subjects/{subject}/versions/{version}[?permanent=true]. */
    public int deleteVersion(String subject, int version, boolean permanent) {
        forget(subject);
        JsonNode n = transport.call("DELETE", "/subjects/" + segment(subject) + "/versions/" + version
                + (permanent ? "?permanent=true" : ""), null);
        return n.asInt();
    }

    /** Drops what this client cached about a subject it deletes from. */
    private void forget(String subject) {
        idsBySubjectSchema.removeKeys(k -> k.subject().equals(subject));
        versionsBySubjectSchema.removeKeys(k -> k.subject().equals(subject));
    }

    private static RegisteredSchema registeredSchema(JsonNode n) {
        String subject = requireText(n, "subject");
        int version = requireInt(n, "version");
        return new RegisteredSchema(subject, version, requireInt(n, "id"),
                parse(requireText(n, "schema"), subject + " version " + version));
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            // SchemaParseException, and in Avro 1.12 a NullPointerException for an undefined type name
            throw new InvalidSchemaException(200, "registry returned an invalid Avro schema for " + what + ": " + e);
        }
    }

    private static String requireText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new SchemaRegistryException(200, -1, "registry answer lacks text field '" + field + "': " + n);
        }
        return v.asText();
    }

    private static int requireInt(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new SchemaRegistryException(200, -1, "registry answer lacks integer field '" + field + "': " + n);
        }
        return v.asInt();
    }

    /** Encodes a subject as one path segment (RFC 3986: space as %20, not '+'). */
    static String segment(String subject) {
        Objects.requireNonNull(subject, "subject");
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Required: base URLs (given to {@link SchemaRegistryClient#builder}). Everything else has a default:
     * connect timeout 5 s, request timeout 10 s, {@link RetryPolicy#DEFAULT} (3 retries, 100 ms doubling
     * to 2 s), no auth, the JDK's TLS trust, 1000 cache entries per cache.
     */
    public static final class Builder {
        private final List<URI> urls = new ArrayList<>();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private String user;
        private String password;
        private SSLContext sslContext;
        private TlsContexts.StoreFile trustStore;
        private TlsContexts.StoreFile keyStore;
        private String keyPassword;
        private int cacheCapacity = 1000;

        private Builder(List<String> baseUrls) {
            if (baseUrls.isEmpty()) {
                throw new IllegalArgumentException("at least one schema registry URL is required");
            }
            for (String u : baseUrls) {
                for (String one : u.split(",")) {
                    String t = one.trim();
                    if (t.isEmpty()) {
                        continue;
                    }
                    URI uri = URI.create(t);
                    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                        throw new IllegalArgumentException("schema registry URL must be http(s)://host:port, was '" + t + "'");
                    }
                    urls.add(uri);
                }
            }
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("at least one schema registry URL is required");
            }
        }

        /** Time to open a connection. */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /** Time for one request to be answered, per attempt. */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive(d, "requestTimeout");
            return this;
        }

        /** Retries after I/O errors, timeouts and 5xx answers; {@link RetryPolicy#NONE} to fail at once. */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy);
            return this;
        }

        public Builder basicAuth(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** A ready TLS context; takes precedence over trust and key store files. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context);
            return this;
        }

        /** Servers to trust (PKCS12 or JKS); default: the JDK's CAs. */
        public Builder trustStore(Path path, String password, String type) {
            this.trustStore = new TlsContexts.StoreFile(path, password, type);
            return this;
        }

        /** This client's certificate for mutual TLS. */
        public Builder keyStore(Path path, String password, String type, String keyPassword) {
            this.keyStore = new TlsContexts.StoreFile(path, password, type);
            this.keyPassword = keyPassword;
            return this;
        }

        /** Entries per cache (schemas by id; ids by subject and schema). */
        public Builder cacheCapacity(int entries) {
            this.cacheCapacity = entries;
            return this;
        }

        public SchemaRegistryClient build() {
            return new SchemaRegistryClient(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
