package io.alstream.connectors.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one REST call to the registry: JSON in the {@code application/vnd.schemaregistry.v1+json}
 * content type, pre-emptive basic auth, per-request timeout, retries with backoff on I/O errors and
 * 5xx (never on 4xx: those are answers, not accidents), fail-over across several base URLs, and
 * Confluent error bodies turned into typed {@link SchemaRegistryException}s.
 */
final class RegistryTransport {
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryTransport.class);

    private final List<URI> baseUrls;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final RetryPolicy retry;
    private final String authorization;
    private final ObjectMapper json = new ObjectMapper();
    /** Index of the base URL that answered last; tried first next time. */
    private final AtomicInteger preferred = new AtomicInteger();

    RegistryTransport(List<URI> baseUrls, Duration connectTimeout, Duration requestTimeout, RetryPolicy retry,
                      String basicAuthUser, String basicAuthPassword, SSLContext sslContext) {
        this.baseUrls = List.copyOf(baseUrls);
        this.requestTimeout = requestTimeout;
        this.retry = retry;
        this.authorization = basicAuthUser == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((basicAuthUser + ":" + (basicAuthPassword == null ? "" : basicAuthPassword))
                        .getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (sslContext != null) {
            b.sslContext(sslContext);
        }
        this.http = b.build();
    }

    ObjectMapper json() {
        return json;
    }

    List<URI> baseUrls() {
        return baseUrls;
    }

    /**
     * @param method   GET, POST, PUT or DELETE
     * @param path     absolute path with query, segments already encoded
     * @param body     JSON body or null
     * @return the parsed answer; {@link NullNode} for an empty one
     */
    JsonNode call(String method, String path, JsonNode body) {
        String payload;
        try {
            payload = body == null ? null : json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write request body", e);
        }
        Exception lastFailure = null;
        int lastStatus = -1;
        int lastCode = -1;
        int start = preferred.get();
        for (int attempt = 0; attempt <= retry.maxRetries(); attempt++) {
            if (attempt > 0) {
                pause(retry.backoff(attempt), method, path, lastFailure);
            }
            int index = (start + attempt) % baseUrls.size();
            URI uri = resolve(baseUrls.get(index), path);
            HttpResponse<String> response;
            try {
                response = http.send(request(method, uri, payload), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (SSLException e) {
                // A failed handshake is configuration (trust store, host name), not weather: do not retry.
                throw new SchemaRegistryException(-1, -1, "TLS with schema registry " + uri + " failed: " + e.getMessage(), e);
            } catch (IOException e) {
                lastFailure = e;
                lastStatus = -1;
                lastCode = -1;
                LOG.debug("{} {} failed (attempt {}): {}", method, uri, attempt + 1, e.toString());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException(-1, -1, "interrupted while calling " + uri, e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                preferred.set(index);
                return parse(response.body(), uri);
            }
            SchemaRegistryException error = errorOf(status, response.body(), method, uri);
            if (status >= 500) {
                lastFailure = error;
                lastStatus = status;
                lastCode = error.errorCode();
                LOG.debug("{} {} answered {} (attempt {}): {}", method, uri, status, attempt + 1, error.getMessage());
                continue;
            }
            throw error;
        }
        String why = lastFailure == null ? "no attempt made" : lastFailure.toString();
        throw new RegistryUnavailableException(lastStatus, lastCode, "schema registry " + baseUrls + " unavailable for "
                + method + " " + path + " after " + (retry.maxRetries() + 1) + " attempt(s): " + why, lastFailure);
    }

    private HttpRequest request(String method, URI uri, String payload) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Accept", CONTENT_TYPE + ", application/json;q=0.9")
                .method(method, payload == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
        if (payload != null) {
            b.header("Content-Type", CONTENT_TYPE);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    private JsonNode parse(String body, URI uri) {
        if (body == null || body.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException(200, -1, "schema registry " + uri + " answered with invalid JSON: "
                    + abbreviate(body), e);
        }
    }

    /** Reads Confluent's {"error_code":..,"message":..}; a body that is not one keeps the HTTP status as code. */
    private SchemaRegistryException errorOf(int status, String body, String method, URI uri) {
        int code = status;
        String message = null;
        try {
            JsonNode n = body == null || body.isBlank() ? null : json.readTree(body);
            if (n != null && n.isObject()) {
                code = n.path("error_code").asInt(status);
                message = n.path("message").isTextual() ? n.get("message").asText() : null;
            }
        } catch (JsonProcessingException e) {
            // not JSON (a proxy's HTML page, say): keep the raw text as the message
        }
        if (message == null) {
            message = body == null || body.isBlank() ? "HTTP " + status : abbreviate(body);
        }
        return SchemaRegistryException.of(status, code, method + " " + uri + ": " + message + " (HTTP " + status
                + ", error code " + code + ")");
    }

    private static URI resolve(URI base, String path) {
        String b = base.toString();
        if (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return URI.create(b + path);
    }

    private static void pause(Duration d, String method, String path, Exception cause) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException(-1, -1, "interrupted while retrying " + method + " " + path, cause);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
