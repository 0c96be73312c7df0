package io.alstream.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.local.cli.AlstreamCli;

/**
 * `alstream registry` and `alstream broker` as their own processes, given every secret they take by
 * reference ({@code ${env:..}}, {@code ${file:..}}): no secret on their command lines (what {@code ps} shows,
 * read from {@code /proc/PID/cmdline}) or in anything they print, and the secrets still work: the registry
 * refuses a request without credentials and takes one with them, the broker takes a token derived from its
 * secret and refuses one derived from another.
 */
class SecretsOffTheCommandLineTest {
    private static final String REGISTRY_PASSWORD = "reg-pw-Zq81x";
    private static final String TOKEN_SECRET = "token-secret-Hk27v-0123456789";

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process start(List<String> args, Map<String, String> env, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), AlstreamCli.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String cmdline(Process p) throws Exception {
        Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        return new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> await(String url, String authorization, Process p, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            assertTrue(p.isAlive(), "the process died:\n" + Files.readString(log));
            try {
                HttpResponse<String> r = get(url, authorization);
                if (r.statusCode() < 500) {
                    return r;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new AssertionError("no answer from " + url + ":\n" + Files.readString(log));
    }

    @Test
    void secretsGivenByReferenceStayOffCommandLinesAndOutOfLogsAndStillWork(@TempDir Path tmp) throws Exception {
        assertTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc to read command lines as ps does");
        Path secretFile = tmp.resolve("token-secret");
        Files.writeString(secretFile, TOKEN_SECRET + "\n");
        Map<String, String> env = Map.of("ALSTREAM_REGISTRY_USER", "svc:" + REGISTRY_PASSWORD);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(tmp.resolve("kafka")).start()) {
            int registryPort = freePort();
            Path registryLog = tmp.resolve("registry.log");
            Process registry = start(List.of("registry", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--host", "127.0.0.1", "--port", Integer.toString(registryPort), "--user", "${env:ALSTREAM_REGISTRY_USER}"),
                    env, registryLog);
            Process broker = null;
            Path brokerLog = tmp.resolve("broker.log");
            try {
                String registryUrl = "http://127.0.0.1:" + registryPort;
                String basic = "Basic " + Base64.getEncoder().encodeToString(("svc:" + REGISTRY_PASSWORD).getBytes(StandardCharsets.UTF_8));
                assertEquals(401, await(registryUrl + "/subjects", null, registry, registryLog).statusCode(),
                        "the registry refuses a request without credentials");
                assertEquals(200, get(registryUrl + "/subjects", basic).statusCode(), "and takes the referenced ones");

                int brokerPort = freePort();
                broker = start(List.of("broker", "--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registryUrl,
                        "--registry-user", "${env:ALSTREAM_REGISTRY_USER}", "--token-secret", "${file:" + secretFile + "}",
                        "--host", "127.0.0.1", "--port", Integer.toString(brokerPort),
                        "--state-dir", tmp.resolve("broker-state").toString()), env, brokerLog);
                String api = "http://127.0.0.1:" + brokerPort;
                String good = "Bearer " + WorkerTokens.derive(TOKEN_SECRET, "ann");
                String bad = "Bearer " + WorkerTokens.derive("another-secret-0123456789", "ann");
                long deadline = System.currentTimeMillis() + 120_000;
                while (System.currentTimeMillis() < deadline
                        && await(api + "/health", null, broker, brokerLog).statusCode() != 200) {
                    Thread.sleep(300);
                }
                assertEquals(200, get(api + "/v1/workers/ann/stats", good).statusCode(),
                        "a token derived from the file's secret is taken");
                assertEquals(401, get(api + "/v1/workers/ann/stats", bad).statusCode(), "one from another secret is not");

                for (Process p : List.of(registry, broker)) {
                    String line = cmdline(p);
                    assertTrue(line.contains("${env:ALSTREAM_REGISTRY_USER}"), "the reference is what ps shows: " + line);
                    assertFalse(line.contains(REGISTRY_PASSWORD) || line.contains(TOKEN_SECRET), "a secret on a command line: " + line);
                }
            } finally {
                for (Process p : new Process[] {broker, registry}) {
                    if (p != null) {
                        p.destroy();
                        if (!p.waitFor(20, TimeUnit.SECONDS)) {
                            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                        }
                    }
                }
            }
            for (Path log : List.of(registryLog, brokerLog)) {
                String text = Files.readString(log);
                assertFalse(text.isBlank(), log + " is empty: the processes said nothing at all");
                assertFalse(text.contains(REGISTRY_PASSWORD) || text.contains(TOKEN_SECRET), "a secret in " + log + ":\n" + text);
            }
        }
    }
}
