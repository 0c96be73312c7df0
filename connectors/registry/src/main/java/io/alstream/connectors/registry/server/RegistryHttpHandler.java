package io.alstream.connectors.registry.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.alstream.connectors.registry.CompatibilityLevel;
import io.alstream.connectors.registry.ErrorCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API of the Confluent Schema Registry (the Avro part of it) on the JDK's HTTP server: routing,
 * JSON in and out, basic auth, and Confluent's error bodies {@code {"error_code":..,"message":..}}.
 */
final class RegistryHttpHandler implements HttpHandler {
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final RegistryService service;
    private final BasicAuthCheck auth;
    private final RegistryMetrics metrics;
    /** Request bodies: a repeated key or anything after the object is refused (400), not resolved by guessing. */
    private final ObjectMapper json = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    RegistryHttpHandler(RegistryService service, BasicAuthCheck auth, RegistryMetrics metrics) {
        this.service = service;
        this.auth = auth;
        this.metrics = metrics;
    }

    /** One answer: status and body (JSON, raw text for the .../schema endpoints, the text format for /metrics). */
    private record Answer(int status, String body, int errorCode, String contentType) {
        Answer(int status, String body, int errorCode) {
            this(status, body, errorCode, CONTENT_TYPE);
        }
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        long t0 = System.nanoTime();
        String method = ex.getRequestMethod();
        String rawPath = ex.getRequestURI().getRawPath();
        Answer answer;
        String route = "{unparsed}";
        try {
            List<String> segments = segments(rawPath);
            route = RegistryMetrics.route(segments);
            if (auth.enabled() && auth.authenticate(ex.getRequestHeaders().getFirst("Authorization")) == null) {
                // /metrics too: a scraper sends the same basic-auth credentials as any client
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"alstream-registry\"");
                answer = error(401, ErrorCodes.UNAUTHORIZED, "Unauthorized: valid basic-auth credentials are required");
            } else if (segments.size() == 1 && "metrics".equals(segments.get(0))) {
                answer = method("GET", method) ? new Answer(200, metrics.scrape(), 0, "text/plain; version=0.0.4; charset=utf-8")
                        : notAllowed(method);
            } else {
                answer = route(method, segments, query(ex.getRequestURI().getRawQuery()), ex);
            }
        } catch (RegistryError e) {
            if (e.status >= 500) {
                LOG.error("{} {} failed: {}", method, rawPath, e.getMessage(), e.getCause());
            }
            answer = error(e.status, e.code, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed unexpectedly", method, rawPath, e);
            answer = error(500, ErrorCodes.STORE_ERROR, "Internal error: " + e);
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", answer.contentType());
        ex.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        long nanos = System.nanoTime() - t0;
        metrics.request(route, method, answer.status(), answer.errorCode(), nanos);
        LOG.debug("{} {} -> {} ({} ms)", method, rawPath, answer.status(), nanos / 1_000_000);
    }

    private Answer route(String method, List<String> p, Map<String, String> q, HttpExchange ex) throws IOException {
        int n = p.size();
        boolean deleted = "true".equalsIgnoreCase(q.get("deleted"));
        if (n == 0) {
            return method("GET", method) ? ok("{}") : notAllowed(method);
        }
        switch (p.get(0)) {
            case "subjects":
                if (n == 1) {
                    return method("GET", method) ? ok(array(service.subjects(deleted))) : notAllowed(method);
                }
                String subject = p.get(1);
                if (n == 2) {
                    if (method("POST", method)) {
                        JsonNode body = body(ex);
                        return ok(versionJson(service.lookup(subject, candidate(body), deleted)));
                    }
                    if (method("DELETE", method)) {
                        return ok(array(service.deleteSubject(subject, permanent(q))));
                    }
                    return notAllowed(method);
                }
                if (!"versions".equals(p.get(2))) {
                    break;
                }
                if (n == 3) {
                    if (method("GET", method)) {
                        return ok(array(service.versions(subject, deleted)));
                    }
                    if (method("POST", method)) {
                        int id = service.register(subject, candidate(body(ex)));
                        return ok(json.createObjectNode().put("id", id).toString());
                    }
                    return notAllowed(method);
                }
                if (n == 4) {
                    if (method("GET", method)) {
                        return ok(versionJson(service.version(subject, p.get(3), deleted)));
                    }
                    if (method("DELETE", method)) {
                        return ok(Integer.toString(service.deleteVersion(subject, p.get(3), permanent(q))));
                    }
                    return notAllowed(method);
                }
                if (n == 5 && "schema".equals(p.get(4))) {
                    return method("GET", method) ? ok(service.version(subject, p.get(3), deleted).schema()) : notAllowed(method);
                }
                break;
            case "schemas":
                if (n == 2 && "types".equals(p.get(1))) {
                    return method("GET", method) ? ok("[\"AVRO\"]") : notAllowed(method);
                }
                if (n >= 3 && "ids".equals(p.get(1))) {
                    int id = schemaId(p.get(2));
                    if (!method("GET", method)) {
                        return notAllowed(method);
                    }
                    if (n == 3) {
                        return ok(json.createObjectNode().put("schema", service.schemaById(id)).toString());
                    }
                    if (n == 4 && "schema".equals(p.get(3))) {
                        return ok(service.schemaById(id));
                    }
                    if (n == 4 && "versions".equals(p.get(3))) {
                        ArrayNode out = json.createArrayNode();
                        service.versionsOfId(id).forEach(v -> out.addObject().put("subject", v.subject()).put("version", v.version()));
                        return ok(out.toString());
                    }
                    if (n == 4 && "subjects".equals(p.get(3))) {
                        return ok(array(service.versionsOfId(id).stream().map(StoredVersion::subject).distinct().toList()));
                    }
                }
                break;
            case "config":
                if (n == 1) {
                    if (method("GET", method)) {
                        return ok(json.createObjectNode().put("compatibilityLevel", service.globalLevel().name()).toString());
                    }
                    if (method("PUT", method)) {
                        CompatibilityLevel level = service.setGlobalLevel(level(body(ex)));
                        return ok(json.createObjectNode().put("compatibility", level.name()).toString());
                    }
                    return notAllowed(method);
                }
                if (n == 2) {
                    String s = p.get(1);
                    if (method("GET", method)) {
                        CompatibilityLevel level = service.subjectLevel(s).orElse(null);
                        if (level == null && "true".equalsIgnoreCase(q.get("defaultToGlobal"))) {
                            level = service.globalLevel();
                        }
                        if (level == null) {
                            throw new RegistryError(404, ErrorCodes.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                                    "Subject '" + s + "' does not have subject-level compatibility configured");
                        }
                        return ok(json.createObjectNode().put("compatibilityLevel", level.name()).toString());
                    }
                    if (method("PUT", method)) {
                        CompatibilityLevel level = service.setSubjectLevel(s, level(body(ex)));
                        return ok(json.createObjectNode().put("compatibility", level.name()).toString());
                    }
                    if (method("DELETE", method)) {
                        return ok(json.createObjectNode().put("compatibilityLevel", service.deleteSubjectLevel(s).name()).toString());
                    }
                    return notAllowed(method);
                }
                break;
            case "compatibility":
                if ((n == 4 || n == 5) && "subjects".equals(p.get(1)) && "versions".equals(p.get(3))) {
                    if (!method("POST", method)) {
                        return notAllowed(method);
                    }
                    RegistryService.CompatibilityAnswer a = service.checkCompatibility(p.get(2), n == 5 ? p.get(4) : null,
                            candidate(body(ex)));
                    ObjectNode out = json.createObjectNode().put("is_compatible", a.compatible());
                    if ("true".equalsIgnoreCase(q.get("verbose"))) {
                        ArrayNode m = out.putArray("messages");
                        a.messages().forEach(m::add);
                    }
                    return ok(out.toString());
                }
                break;
            case "mode":
                if (n == 1 && method("GET", method)) {
                    return ok("{\"mode\":\"READWRITE\"}");
                }
                break;
            default:
                break;
        }
        return error(404, ErrorCodes.NOT_FOUND, "HTTP 404 Not Found: no endpoint " + method + " /" + String.join("/", p));
    }

    private RegistryService.Candidate candidate(JsonNode body) {
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw RegistryError.invalidSchema("the request body needs a string field 'schema' holding the schema's JSON");
        }
        JsonNode type = body.get("schemaType");
        JsonNode refs = body.get("references");
        boolean hasRefs = refs != null && !refs.isNull() && (!refs.isArray() || refs.size() > 0);
        return service.parse(schema.asText(), type == null || type.isNull() ? null : type.asText(), hasRefs);
    }

    private static CompatibilityLevel level(JsonNode body) {
        JsonNode c = body.get("compatibility");
        if (c == null || !c.isTextual()) {
            c = body.get("compatibilityLevel");
        }
        try {
            return CompatibilityLevel.parse(c == null ? null : c.asText());
        } catch (IllegalArgumentException e) {
            throw new RegistryError(422, ErrorCodes.INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level: " + e.getMessage());
        }
    }

    private JsonNode body(HttpExchange ex) throws IOException {
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new RegistryError(413, 413, "request body larger than " + MAX_BODY_BYTES + " bytes");
        }
        if (bytes.length == 0) {
            throw RegistryError.badRequest("the request needs a JSON body");
        }
        try {
            JsonNode n = json.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw RegistryError.badRequest("the request body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw RegistryError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private String versionJson(StoredVersion v) {
        return json.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
                .put("schema", v.schema()).toString();
    }

    private String array(List<?> values) {
        ArrayNode a = json.createArrayNode();
        for (Object v : values) {
            if (v instanceof Integer i) {
                a.add(i);
            } else {
                a.add(String.valueOf(v));
            }
        }
        return a.toString();
    }

    private static int schemaId(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound("id '" + s + "' (not a number)");
        }
    }

    private static boolean permanent(Map<String, String> q) {
        return "true".equalsIgnoreCase(q.get("permanent"));
    }

    private static boolean method(String expected, String actual) {
        return expected.equalsIgnoreCase(actual);
    }

    private static Answer ok(String body) {
        return new Answer(200, body, 0);
    }

    private Answer notAllowed(String method) {
        return error(405, ErrorCodes.METHOD_NOT_ALLOWED, "HTTP 405 Method Not Allowed: " + method);
    }

    private Answer error(int status, int code, String message) {
        return new Answer(status, json.createObjectNode().put("error_code", code).put("message", message).toString(), code);
    }

    /** Path segments, percent-decoded one by one ('+' stays '+': it only means space in queries). */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new HashMap<>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }
}
