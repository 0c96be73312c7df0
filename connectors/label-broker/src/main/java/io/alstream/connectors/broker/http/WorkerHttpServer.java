package io.alstream.connectors.broker.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.BrokerMetrics;
import io.alstream.connectors.broker.BrokerSerdes;
import io.alstream.connectors.broker.OutageWait;
import io.alstream.connectors.broker.api.AnswerBody;
import io.alstream.connectors.broker.api.AnswerResult;
import io.alstream.connectors.broker.api.ApiError;
import io.alstream.connectors.broker.api.TaskView;
import io.alstream.connectors.broker.state.Json;
import io.alstream.connectors.limits.HttpLimits;
import io.alstream.connectors.limits.InputLimits;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker API over the JDK's HTTP server: JSON in and out, a bearer token per worker, bodies
 * capped, every error as {@code {"error": "...", "code": N}} (plus {@code "reason"} where a machine
 * should branch on it). Routes are listed in {@link #ROUTES}; the OpenAPI description in
 * {@code openapi/label-broker.yaml} must name the same ones (a test holds them together).
 */
public final class WorkerHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerHttpServer.class);
    private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9_.@:\\-]{1,128}");
    private static final String OPENAPI_RESOURCE = "/openapi/label-broker.yaml";

    /** A route: method and path template, {@code {name}} matching one path segment. */
    public record Route(String method, String template) {
        boolean pathMatches(List<String> segments, Map<String, String> params) {
            String[] parts = template.substring(1).split("/");
            if (parts.length != segments.size()) {
                return false;
            }
            Map<String, String> found = new HashMap<>();
            for (int i = 0; i < parts.length; i++) {
                String seg = segments.get(i);
                if (parts[i].startsWith("{") && parts[i].endsWith("}")) {
                    if (seg.isEmpty()) {
                        return false;
                    }
                    found.put(parts[i].substring(1, parts[i].length() - 1), seg);
                } else if (!parts[i].equals(seg)) {
                    return false;
                }
            }
            params.putAll(found);
            return true;
        }
    }

    public static final Route HEALTH = new Route("GET", "/health");
    public static final Route METRICS = new Route("GET", "/metrics");
    public static final Route OPENAPI = new Route("GET", "/openapi.yaml");
    public static final Route NEXT = new Route("POST", "/v1/workers/{workerId}/tasks/next");
    public static final Route ANSWER = new Route("POST", "/v1/workers/{workerId}/tasks/{requestId}/answer");
    public static final Route RELEASE = new Route("POST", "/v1/workers/{workerId}/tasks/{requestId}/release");
    public static final Route STATS = new Route("GET", "/v1/workers/{workerId}/stats");
    /** The worker page (see {@link WorkerPage}): HTML, its script and style, and how it shows items. */
    public static final Route PAGE = new Route("GET", "/worker");
    public static final Route PAGE_SCRIPT = new Route("GET", "/worker/app.js");
    public static final Route PAGE_STYLE = new Route("GET", "/worker/app.css");
    public static final Route PAGE_SETTINGS = new Route("GET", "/worker/settings.json");
    /** Every route this server serves. */
    public static final List<Route> ROUTES = List.of(HEALTH, METRICS, OPENAPI, NEXT, ANSWER, RELEASE, STATS,
            PAGE, PAGE_SCRIPT, PAGE_STYLE, PAGE_SETTINGS);
    private static final Map<Route, String> PAGE_ASSETS = Map.of(PAGE, "worker.html", PAGE_SCRIPT, "app.js",
            PAGE_STYLE, "app.css");

    private final HttpServer server;
    /** The live page at {@code /live}: the queue and the crowd, from this broker's meters. */
    private final BrokerLiveView liveView;
    private final io.alstream.connectors.live.LivePage livePage;
    private final ExecutorService executor;
    private final BrokerGateway gateway;
    private final WorkerTokens tokens;
    private final BrokerMetrics metrics;
    private final PrometheusMeterRegistry prometheus;
    private final WorkerPage page;
    private final int maxBody;
    private final OutageWait outage;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    /**
     * Request bodies are read strictly: a label must be a JSON integer ({@code 1.9} and {@code "2"} are
     * refused, not coerced), nothing may follow the object, a key may not repeat, and no field but the
     * documented ones may appear. A body that means something else than it seems is refused, not guessed.
     */
    static final ObjectMapper STRICT = strictMapper();

    private static ObjectMapper strictMapper() {
        JsonMapper m = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    /**
     * Starts serving. The server writes to Kafka through its own producer and reads the topology's
     * replies with its own consumer, both made from {@code bootstrapServers} and {@code clientOverrides}.
     *
     * @param prometheus the registry {@code /metrics} scrapes, or null to not serve it
     */
    public WorkerHttpServer(InetSocketAddress address, BrokerConfig config, KafkaStreams streams, BrokerSerdes serdes,
                            String bootstrapServers, Map<String, Object> clientOverrides, WorkerTokens tokens,
                            BrokerMetrics metrics, PrometheusMeterRegistry prometheus, OutageWait outage) throws IOException {
        this(address, config, streams, serdes, bootstrapServers, clientOverrides, tokens, metrics, prometheus, outage, null);
    }

    /**
     * @param tls the server's TLS context (its certificate and key), or null to serve plain HTTP
     */
    public WorkerHttpServer(InetSocketAddress address, BrokerConfig config, KafkaStreams streams, BrokerSerdes serdes,
                            String bootstrapServers, Map<String, Object> clientOverrides, WorkerTokens tokens,
                            BrokerMetrics metrics, PrometheusMeterRegistry prometheus, OutageWait outage,
                            javax.net.ssl.SSLContext tls) throws IOException {
        this.outage = outage;
        this.gateway = new BrokerGateway(streams, config, serdes, metrics, bootstrapServers, clientOverrides);
        this.tokens = tokens;
        this.metrics = metrics;
        this.prometheus = prometheus;
        this.maxBody = config.httpMaxBodyBytes();
        this.page = new WorkerPage(config);
        this.liveView = new BrokerLiveView(metrics);
        this.livePage = new io.alstream.connectors.live.LivePage("/live", liveView);
        // slow clients: time limits on reading and answering, a thread per connection up to httpThreads (HttpLimits)
        HttpLimits.install();
        this.executor = HttpLimits.executor("label-broker-http", config.httpThreads());
        if (tls == null) {
            this.server = HttpServer.create(address, 128);
        } else {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(address, 128);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            this.server = https;
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Whether the API is served over TLS. */
    public boolean tls() {
        return server instanceof com.sun.net.httpserver.HttpsServer;
    }

    private void handle(HttpExchange ex) throws IOException {
        String routeName = "unmatched";
        int status = 500;
        inFlight.incrementAndGet();
        try {
            if (draining) {
                // Shutting down: say so, so the client knows to retry (elsewhere, or here after the restart).
                ex.getResponseHeaders().set("Retry-After", "5");
                ex.getResponseHeaders().set("Connection", "close");
                throw new ApiException(503, "the label broker is shutting down; retry shortly", "shutting-down");
            }
            if (livePage.serves(ex.getRequestURI().getPath())) {
                routeName = "/live";
                livePage.handle(ex);
                status = ex.getResponseCode();
                return;
            }
            List<String> segments = segments(ex.getRequestURI());
            Map<String, String> params = new LinkedHashMap<>();
            Route route = null;
            List<String> allowed = new ArrayList<>();
            for (Route r : ROUTES) {
                Map<String, String> p = new HashMap<>();
                if (r.pathMatches(segments, p)) {
                    allowed.add(r.method());
                    if (r.method().equalsIgnoreCase(ex.getRequestMethod())) {
                        route = r;
                        params.putAll(p);
                    }
                }
            }
            if (route == null) {
                if (!allowed.isEmpty()) {
                    ex.getResponseHeaders().set("Allow", String.join(", ", allowed));
                    throw new ApiException(405, "method " + ex.getRequestMethod() + " not allowed here; allowed: " + allowed,
                            "method-not-allowed");
                }
                throw new ApiException(404, "no such route: " + ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath(),
                        "no-such-route");
            }
            routeName = route.template();
            status = serve(route, params, ex);
        } catch (ApiException e) {
            status = e.status;
            sendJson(ex, e.status, new ApiError(e.getMessage(), e.status, e.reason));
        } catch (RuntimeException e) {
            if (OutageWait.isInfrastructure(e)) {
                // the registry or Kafka is down: nothing was written, the call may be repeated as it was
                LOG.warn("worker API: {} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
                status = 503;
                ex.getResponseHeaders().set("Retry-After", "5");
                sendJson(ex, 503, new ApiError("a service the broker needs is unreachable (" + e.getMessage()
                        + "); nothing was recorded, retry shortly", 503, "unavailable"));
            } else {
                LOG.error("worker API: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
                status = 500;
                sendJson(ex, 500, new ApiError("internal error: " + e, 500, null));
            }
        } finally {
            metrics.http(routeName, status);
            ex.close();
            inFlight.decrementAndGet();
        }
    }

    private int serve(Route route, Map<String, String> params, HttpExchange ex) throws IOException {
        if (route == HEALTH) {
            // UP only while the streams run: restoring, rebalancing, failed or stopped, the broker cannot serve.
            KafkaStreams.State s = gateway.streamsState();
            boolean up = s == KafkaStreams.State.RUNNING;
            int code = up ? 200 : 503;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", !up ? "DOWN" : outage.waiting() ? "DEGRADED" : "UP");
            body.put("streams", s.name());
            if (outage.waiting()) {
                body.put("waitingSince", java.time.Instant.ofEpochMilli(outage.waitingSince()).toString());
                body.put("waitingFor", "the schema registry or Kafka");
            }
            sendJson(ex, code, body);
            return code;
        }
        if (route == METRICS) {
            if (prometheus == null) {
                throw new ApiException(404, "metrics are not exposed by this broker");
            }
            sendText(ex, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape());
            return 200;
        }
        if (route == OPENAPI) {
            try (InputStream in = WorkerHttpServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
                if (in == null) {
                    throw new ApiException(404, "no OpenAPI description packaged");
                }
                sendText(ex, 200, "application/yaml; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            return 200;
        }
        if (route == PAGE || route == PAGE_SCRIPT || route == PAGE_STYLE || route == PAGE_SETTINGS) {
            return servePage(route, ex);
        }
        String workerId = params.get("workerId");
        if (!WORKER_ID.matcher(workerId).matches()) {
            throw new ApiException(400, "worker id must match " + WORKER_ID.pattern(), InputLimits.INVALID_ID);
        }
        authorize(ex, workerId);
        byte[] body = readBody(ex);
        if (route == NEXT) {
            TaskView task = gateway.next(workerId);
            if (task == null) {
                ex.sendResponseHeaders(204, -1);
                return 204;
            }
            sendJson(ex, 200, task);
            // The task is on its way (an unreachable worker fails the write above): hold it for the whole lease.
            gateway.confirm(workerId, task.requestId);
            return 200;
        }
        String requestId = params.get("requestId");
        if (requestId != null) {
            // the same bound and character rules as the topology's (InputLimits): checked before anything is looked up
            InputLimits.Problem p = InputLimits.id(requestId, "request id");
            if (p != null) {
                throw new ApiException(400, p.message(), p.reason());
            }
        }
        if (route == ANSWER) {
            AnswerBody a = parseAnswer(body);
            AnswerResult r = gateway.submit(workerId, requestId, a.label, a.confidence);
            sendJson(ex, r.httpStatus, r);
            return r.httpStatus;
        }
        if (route == RELEASE) {
            gateway.release(workerId, requestId);
            sendJson(ex, 200, Map.of("status", "released", "requestId", requestId));
            return 200;
        }
        if (route == STATS) {
            sendJson(ex, 200, gateway.stats(workerId));
            return 200;
        }
        throw new ApiException(404, "no such route");
    }

    private int servePage(Route route, HttpExchange ex) throws IOException {
        if (ex.getRequestURI().getRawQuery() != null) {
            // the page reads nothing from its URL; a token put there would end up in histories and proxy logs
            throw new ApiException(400, "the worker page takes no query parameters (sign in on the page; never put a token in a URL)",
                    "unexpected-query");
        }
        WorkerPage.securityHeaders().forEach(ex.getResponseHeaders()::set);
        if (route == PAGE_SETTINGS) {
            sendJson(ex, 200, page.settings());
            return 200;
        }
        WorkerPage.Asset a = page.asset(PAGE_ASSETS.get(route));
        ex.getResponseHeaders().set("Content-Type", a.contentType());
        ex.sendResponseHeaders(200, a.bytes().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(a.bytes());
        }
        return 200;
    }

    private void authorize(HttpExchange ex, String workerId) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiException(401, "missing bearer token (Authorization: Bearer <token>)", "missing-token");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "the Authorization header must be 'Bearer <token>'", "missing-token");
        }
        String token = header.substring(7).trim();
        if (tokens.isRevoked(token)) {
            throw new ApiException(401, "this token has been revoked", "revoked-token");
        }
        String owner = tokens.workerOf(token);
        if (owner == null) {
            throw new ApiException(401, "unknown token", "unknown-token");
        }
        if (!owner.equals(workerId)) {
            throw new ApiException(403, "this token belongs to another worker", "wrong-worker");
        }
    }

    private byte[] readBody(HttpExchange ex) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBody) {
                    throw new ApiException(413, "request body larger than " + maxBody + " bytes", "too-large");
                }
            } catch (NumberFormatException e) {
                throw new ApiException(400, "bad Content-Length");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(maxBody + 1);
            if (b.length > maxBody) {
                throw new ApiException(413, "request body larger than " + maxBody + " bytes", "too-large");
            }
            return b;
        }
    }

    private static AnswerBody parseAnswer(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(400, "an answer needs a JSON body {\"label\": <int>}", "invalid-body");
        }
        AnswerBody a;
        try {
            a = STRICT.readValue(body, AnswerBody.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiException(400, "invalid JSON body: " + e.getOriginalMessage(), "invalid-body");
        } catch (IOException e) {
            throw new ApiException(400, "invalid JSON body: " + e.getMessage(), "invalid-body");
        }
        if (a == null || a.label == null) {
            throw new ApiException(400, "label is required", "invalid-body");
        }
        if (a.confidence != null && !(a.confidence >= 0 && a.confidence <= 1)) {
            throw new ApiException(400, "confidence must lie in [0, 1]", "invalid-body");
        }
        return a;
    }

    private static List<String> segments(URI uri) {
        String raw = uri.getRawPath();
        List<String> out = new ArrayList<>();
        if (raw == null || raw.isEmpty() || raw.equals("/")) {
            return out;
        }
        for (String s : raw.substring(1).split("/", -1)) {
            out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sendText(HttpExchange ex, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Refuses new calls with 503 {@code shutting-down} and waits up to {@code max} for those in flight
     * to finish, so no worker is cut off mid-call. The server keeps listening until {@link #close()}.
     */
    public void drain(Duration max) {
        draining = true;
        long end = System.nanoTime() + max.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        liveView.close();
        draining = true;
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gateway.close();
    }
}
