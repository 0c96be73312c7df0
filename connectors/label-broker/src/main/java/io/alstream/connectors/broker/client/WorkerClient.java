package io.alstream.connectors.broker.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import io.alstream.connectors.broker.api.AnswerBody;
import io.alstream.connectors.broker.api.AnswerResult;
import io.alstream.connectors.broker.api.ApiError;
import io.alstream.connectors.broker.api.TaskView;
import io.alstream.connectors.broker.api.WorkerStatsView;
import io.alstream.connectors.broker.state.Json;

/**
 * A worker's side of the label broker's HTTP API: take the next task, answer it, give it back, see
 * one's stats. Thread-safe. While the broker is unreachable or says 503 (starting, restoring its state,
 * too slow to answer), calls are retried with backoff for up to {@link #retryFor(Duration)}.
 *
 * <pre>{@code
 * WorkerClient w = new WorkerClient(broker.httpUri(), "w1", token);
 * Optional<TaskView> task = w.next();
 * task.ifPresent(t -> w.submit(t.requestId, 2));
 * }</pre>
 */
public final class WorkerClient {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String workerId;
    private final String token;
    private final HttpClient http;
    private final Duration retryFor;

    public WorkerClient(URI baseUri, String workerId, String token) {
        this(baseUri, workerId, token, Duration.ofSeconds(60), HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build());
    }

    private WorkerClient(URI baseUri, String workerId, String token, Duration retryFor, HttpClient http) {
        String b = baseUri.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.workerId = Objects.requireNonNull(workerId);
        this.token = Objects.requireNonNull(token);
        this.retryFor = retryFor;
        this.http = http;
    }

    /** A client that retries for this long (default 60 s) before it gives up on an unreachable or busy broker. */
    public WorkerClient retryFor(Duration d) {
        return new WorkerClient(base, workerId, token, d, http);
    }

    public String workerId() {
        return workerId;
    }

    /** Leases the next task; empty when the broker has none for this worker now. */
    public Optional<TaskView> next() {
        HttpResponse<byte[]> r = call(post("v1/workers/" + enc(workerId) + "/tasks/next", new byte[0]));
        if (r.statusCode() == 204) {
            return Optional.empty();
        }
        if (r.statusCode() == 200) {
            return Optional.of(Json.read(r.body(), TaskView.class));
        }
        throw error(r);
    }

    public AnswerResult submit(String requestId, int label) {
        return submit(requestId, label, null);
    }

    /**
     * Answers a task. A refusal the worker can do nothing about (closed request, lease expired,
     * duplicate, label out of range, unknown request) comes back as a result with status
     * {@code rejected} and its reason; malformed calls and auth failures throw.
     */
    public AnswerResult submit(String requestId, int label, Double confidence) {
        byte[] body = Json.write(new AnswerBody(label, confidence));
        Attempt attempt = new Attempt();
        HttpResponse<byte[]> r = call(post("v1/workers/" + enc(workerId) + "/tasks/" + enc(requestId) + "/answer", body), attempt);
        if (r.statusCode() == 200 || r.statusCode() == 202) {
            AnswerResult res = Json.read(r.body(), AnswerResult.class);
            res.httpStatus = r.statusCode();
            return res;
        }
        ApiError e = readError(r);
        if (r.statusCode() == 404 || r.statusCode() == 409 || r.statusCode() == 410 || r.statusCode() == 422) {
            AnswerResult res = new AnswerResult();
            res.requestId = requestId;
            res.httpStatus = r.statusCode();
            res.reason = e.reason;
            res.message = e.error;
            // A retried call whose first attempt got through: the answer is in, under the first attempt.
            boolean ownEarlierAttempt = attempt.retried && "duplicate-answer".equals(e.reason);
            res.status = ownEarlierAttempt ? "accepted" : "rejected";
            return res;
        }
        throw new WorkerApiException(r.statusCode(), e.reason, e.error);
    }

    /** Gives a leased task back. False if this worker held no lease on it (or it is closed or unknown). */
    public boolean release(String requestId) {
        HttpResponse<byte[]> r = call(post("v1/workers/" + enc(workerId) + "/tasks/" + enc(requestId) + "/release", new byte[0]));
        if (r.statusCode() == 200) {
            return true;
        }
        if (r.statusCode() == 404 || r.statusCode() == 409) {
            return false;
        }
        throw error(r);
    }

    public WorkerStatsView stats() {
        HttpResponse<byte[]> r = call(HttpRequest.newBuilder(base.resolve("v1/workers/" + enc(workerId) + "/stats")).GET());
        if (r.statusCode() == 200) {
            return Json.read(r.body(), WorkerStatsView.class);
        }
        throw error(r);
    }

    private HttpRequest.Builder post(String path, byte[] body) {
        return HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static final class Attempt {
        boolean retried;
    }

    private HttpResponse<byte[]> call(HttpRequest.Builder req) {
        return call(req, new Attempt());
    }

    private HttpResponse<byte[]> call(HttpRequest.Builder req, Attempt attempt) {
        HttpRequest request = req.header("Authorization", "Bearer " + token).timeout(REQUEST_TIMEOUT).build();
        long giveUpAt = System.nanoTime() + retryFor.toNanos();
        long backoff = 50;
        while (true) {
            String why;
            try {
                HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 503) {
                    return r;
                }
                why = "503: " + readError(r).error;
            } catch (IOException e) {
                why = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WorkerApiException(0, "interrupted", "interrupted while calling the broker");
            }
            if (System.nanoTime() + backoff * 1_000_000 > giveUpAt) {
                throw new WorkerApiException(0, "unavailable", "broker unavailable for " + retryFor + ": " + why);
            }
            attempt.retried = true;
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WorkerApiException(0, "interrupted", "interrupted while waiting to retry");
            }
            backoff = Math.min(backoff * 2, 1000);
        }
    }

    private static WorkerApiException error(HttpResponse<byte[]> r) {
        ApiError e = readError(r);
        return new WorkerApiException(r.statusCode(), e.reason, e.error);
    }

    private static ApiError readError(HttpResponse<byte[]> r) {
        try {
            ApiError e = Json.read(r.body(), ApiError.class);
            return e != null ? e : new ApiError("HTTP " + r.statusCode(), r.statusCode(), null);
        } catch (RuntimeException ex) {
            return new ApiError(new String(r.body(), StandardCharsets.UTF_8), r.statusCode(), null);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
