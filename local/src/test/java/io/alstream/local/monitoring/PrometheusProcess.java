package io.alstream.local.monitoring;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) started on a temporary configuration, and its HTTP
 * API. Without the binary the test fails when {@code CI} is set (CI installs it) and is skipped with the install
 * command otherwise.
 */
final class PrometheusProcess implements AutoCloseable {
    static final String INSTALL = "bash local/src/test/prometheus/install.sh (Debian: apt-get install prometheus)";

    private final Process process;
    private final URI base;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    private PrometheusProcess(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** The binary: {@code $PROMETHEUS}, else {@code prometheus} on the PATH; fails in CI when there is none. */
    static Path binary(String name, String envVariable) {
        String given = System.getenv(envVariable);
        if (given != null && !given.isBlank() && Files.isExecutable(Path.of(given))) {
            return Path.of(given);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(name + " is not installed, and CI is set: the monitoring tests need it. Install it with " + INSTALL);
        }
        Assumptions.assumeTrue(false, name + " is not installed; install it with " + INSTALL);
        return null;
    }

    /** Starts Prometheus on {@code config} (a prometheus.yml), its data in {@code dir}, on a free port of 127.0.0.1. */
    static PrometheusProcess start(Path config, Path dir) throws Exception {
        Path bin = binary("prometheus", "PROMETHEUS");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(bin.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusProcess prom = new PrometheusProcess(p, URI.create("http://127.0.0.1:" + port + "/"), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + p.exitValue() + ": " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = prom.http.send(HttpRequest.newBuilder(prom.base.resolve("-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return prom;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        prom.close();
        throw new IllegalStateException("prometheus not ready within 30 s: " + Files.readString(log));
    }

    /** {@code GET /api/v1/<path>}'s {@code data}, failing on an error status. */
    JsonNode api(String pathAndQuery) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("api/v1/" + pathAndQuery))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = json.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IllegalStateException("prometheus answered " + r.statusCode() + " to " + pathAndQuery + ": " + r.body());
        }
        return body.path("data");
    }

    /** The values of an instant query's result (one per series; NaN and infinities as Java doubles). */
    List<Double> query(String promql) throws Exception {
        JsonNode data = api("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        List<Double> values = new ArrayList<>();
        String type = data.path("resultType").asText();
        if (type.equals("scalar")) {
            values.add(parse(data.path("result").get(1).asText()));
        } else {
            for (JsonNode series : data.path("result")) {
                values.add(parse(series.path("value").get(1).asText()));
            }
        }
        return values;
    }

    private static double parse(String v) {
        return switch (v) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    /** Every metric name Prometheus holds samples of. */
    List<String> names() throws Exception {
        List<String> names = new ArrayList<>();
        api("label/__name__/values").forEach(n -> names.add(n.asText()));
        return names;
    }

    /** The state of alert {@code name}: firing, pending, or empty when its condition does not hold. */
    Optional<String> alertState(String name) throws Exception {
        for (JsonNode a : api("alerts").path("alerts")) {
            if (name.equals(a.path("labels").path("alertname").asText())) {
                return Optional.of(a.path("state").asText());
            }
        }
        return Optional.empty();
    }

    Path log() {
        return log;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
