package io.alstream.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The few calls of Flink's REST API the harness and the benchmark need: cluster overview, jar upload and run,
 * job status, vertices, metrics, checkpoint statistics, cancel. Errors become {@link ClusterException}s that
 * say which call failed and what the JobManager answered.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http;

    public FlinkRest(String baseUrl) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String baseUrl() {
        return base;
    }

    /** GET a path (with its query) and parse the JSON answer. */
    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), path);
    }

    /** Whether the REST endpoint answers at all. */
    public boolean reachable() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/config"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public JsonNode overview() {
        return get("/overview");
    }

    /** Registered TaskManagers: the REST answer's {@code taskmanagers} array. */
    public JsonNode taskManagers() {
        return get("/taskmanagers").path("taskmanagers");
    }

    /** Uploads a jar; returns the id {@link #runJar} takes. */
    public String uploadJar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new ClusterException("job jar " + jar + " does not exist; build it with mvn -B -ntp package -DskipTests");
        }
        String boundary = "----alstream" + UUID.randomUUID();
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                    + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            JsonNode r = send(HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                    .timeout(Duration.ofMinutes(2))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), "/jars/upload");
            String file = r.path("filename").asText();
            return file.substring(file.lastIndexOf('/') + 1);
        } catch (IOException e) {
            throw new ClusterException("cannot read job jar " + jar + ": " + e.getMessage(), e);
        }
    }

    /** Runs an uploaded jar; returns the job id. */
    public String runJar(String jarId, String entryClass, List<String> programArgs, int parallelism) {
        return runJar(jarId, entryClass, programArgs, parallelism, null);
    }

    /**
     * Runs an uploaded jar, restoring from {@code savepointPath} (a savepoint or a retained checkpoint) when it is
     * not null, as {@code flink run -s} does; every piece of state must map to the job (no state dropped).
     */
    public String runJar(String jarId, String entryClass, List<String> programArgs, int parallelism, String savepointPath) {
        ObjectNode req = JSON.createObjectNode();
        if (savepointPath != null) {
            req.put("savepointPath", savepointPath);
            req.put("allowNonRestoredState", false);
        }
        if (entryClass != null) {
            req.put("entryClass", entryClass);
        }
        req.putPOJO("programArgsList", programArgs);
        if (parallelism > 0) {
            req.put("parallelism", parallelism);
        }
        String path = "/jars/" + jarId + "/run";
        JsonNode r = send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(3))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(req.toString())), path);
        return r.path("jobid").asText();
    }

    public JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    /** The job's state: CREATED, RUNNING, FAILING, FAILED, CANCELED, FINISHED, RESTARTING, ... */
    public String jobState(String jobId) {
        return job(jobId).path("state").asText();
    }

    /** Jobs the cluster knows: id and status of each. */
    public Map<String, String> jobs() {
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode j : get("/jobs").path("jobs")) {
            m.put(j.path("id").asText(), j.path("status").asText());
        }
        return m;
    }

    /** Vertex name to vertex id. */
    public Map<String, String> vertices(String jobId) {
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode v : job(jobId).path("vertices")) {
            m.put(v.path("name").asText(), v.path("id").asText());
        }
        return m;
    }

    /** The vertex whose name contains {@code part}; a clear error when there is none. */
    public String vertex(String jobId, String part) {
        for (Map.Entry<String, String> e : vertices(jobId).entrySet()) {
            if (e.getKey().contains(part)) {
                return e.getValue();
            }
        }
        throw new ClusterException("job " + jobId + " has no vertex named like '" + part + "': " + vertices(jobId).keySet());
    }

    /** Metric ids the vertex's subtasks report. */
    public List<String> subtaskMetricIds(String jobId, String vertexId) {
        List<String> ids = new ArrayList<>();
        for (JsonNode m : get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics")) {
            ids.add(m.path("id").asText());
        }
        return ids;
    }

    /**
     * One aggregate ({@code sum}, {@code max}, {@code min} or {@code avg}) over the vertex's subtasks of the first
     * metric whose id the predicate accepts; NaN while the metric is not (yet) reported.
     */
    public double subtaskMetric(String jobId, String vertexId, Predicate<String> id, String agg) {
        for (String m : subtaskMetricIds(jobId, vertexId)) {
            if (id.test(m)) {
                JsonNode r = get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics?get="
                        + URLEncoder.encode(m, StandardCharsets.UTF_8) + "&agg=" + agg);
                for (JsonNode n : r) {
                    if (n.has(agg)) {
                        return n.path(agg).asDouble(Double.NaN);
                    }
                }
            }
        }
        return Double.NaN;
    }

    /** Checkpoint statistics: counts, latest completed, history. */
    public JsonNode checkpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /** One checkpoint's statistics per vertex ({@code tasks}: vertex id to sizes and durations). */
    public JsonNode checkpointDetails(String jobId, long checkpointId) {
        return get("/jobs/" + jobId + "/checkpoints/details/" + checkpointId);
    }

    public void cancel(String jobId) {
        String path = "/jobs/" + jobId + "?mode=cancel";
        send(HttpRequest.newBuilder(URI.create(base + path)).method("PATCH", HttpRequest.BodyPublishers.noBody()), path);
    }

    private JsonNode send(HttpRequest.Builder req, String what) {
        HttpResponse<String> r;
        try {
            r = http.send(req.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ClusterException("Flink REST " + what + " at " + base + " did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while calling Flink REST " + what, e);
        }
        if (r.statusCode() / 100 != 2) {
            throw new ClusterException("Flink REST " + what + " answered " + r.statusCode() + ": " + rootCause(r.body()));
        }
        try {
            return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new ClusterException("Flink REST " + what + " answered no JSON: " + shorten(r.body()), e);
        }
    }

    /** Flink answers errors with whole stack traces; the last "Caused by" says what went wrong. */
    static String rootCause(String body) {
        String text = body;
        try {
            JsonNode errors = JSON.readTree(body).path("errors");
            if (errors.size() > 0) {
                text = errors.get(errors.size() - 1).asText();
            }
        } catch (IOException e) {
            // not JSON: use it as it is
        }
        int at = text.lastIndexOf("Caused by: ");
        String cause = at >= 0 ? text.substring(at + "Caused by: ".length()) : text;
        int end = cause.indexOf("\n\tat ");
        if (end < 0) {
            end = cause.indexOf("\n");
        }
        return shorten(end > 0 ? cause.substring(0, end) : cause);
    }

    private static String shorten(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }
}
