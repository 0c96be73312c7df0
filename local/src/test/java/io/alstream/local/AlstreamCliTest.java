package io.alstream.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.alstream.local.cli.AlstreamCli;

/** The command line as a user meets it: help, settings, the acquire tool, and clear errors. */
class AlstreamCliTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = AlstreamCli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpListsEveryCommand() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"demo", "run", "cluster", "registry", "broker", "acquire", "options"}) {
            assertTrue(r.out().contains(c), "help does not mention " + c + ":\n" + r.out());
        }
        Run demo = run("demo", "--help");
        assertEquals(0, demo.code());
        assertTrue(demo.out().contains("--budget") && demo.out().contains("--strategy"), demo.out());
    }

    @Test
    void clusterCommandsSayInOneSentenceWhatTheyCannotDo(@TempDir Path tmp) throws Exception {
        Run status = run("cluster", "status", "--dir", tmp.toString());
        assertEquals(1, status.code());
        assertTrue(status.err().contains("alstream cluster: no cluster was started from " + tmp.toAbsolutePath()), status.err());
        Run kill = run("cluster", "kill-tm", "1", "--dir", tmp.toString());
        assertEquals(1, kill.code());
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Run start = run("cluster", "start", "--dir", tmp.toString(), "--rest-port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, start.code());
            assertTrue(start.err().contains("port " + taken.getLocalPort() + " for Flink REST (--rest-port) on 127.0.0.1 is taken"),
                    start.err());
        }
        Run bad = run("cluster", "submit", "--dir", tmp.toString(), "--set", "data.feature-dim=4", "--set", "data.num-classes=2",
                "--set", "kafka.transaction-timeout-ms=1000");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("kafka.transaction-timeout-ms (1000) must be at least"), bad.err());
    }

    @Test
    void optionsListsJobAndLearnerSettingsWithDefaults() {
        Run r = run("options");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("kafka.bootstrap-servers") && r.out().contains("localhost:9092"), r.out());
        assertTrue(r.out().contains("learner.budget") && r.out().contains("learner.select-by"), r.out());
        Run md = run("options", "--markdown");
        assertTrue(md.out().startsWith("| setting | default | meaning |"), md.out());
    }

    @Test
    void acquireScoresTheReferenceSamples(@TempDir Path tmp) throws Exception {
        // two points, three samples, three classes: a confident point and a contested one
        Path in = tmp.resolve("probs.json");
        Files.writeString(in, "{\"probs\": [[[0.98,0.01,0.01],[0.97,0.02,0.01],[0.99,0.005,0.005]],"
                + "[[0.6,0.3,0.1],[0.2,0.7,0.1],[0.4,0.4,0.2]]]}");
        Run r = run("acquire", "-f", "entropy,bald,balent", in.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        JsonNode entropy = find(json, "entropy");
        JsonNode bald = find(json, "bald");
        assertEquals(2, entropy.size());
        assertTrue(entropy.get(1).asDouble() > entropy.get(0).asDouble(), "the contested point is more uncertain: " + json);
        assertTrue(bald.get(1).asDouble() > bald.get(0).asDouble(), json.toString());
        assertTrue(Double.isFinite(find(json, "balent").get(0).asDouble()));
    }

    /** The scores of one function, wherever the tool's JSON puts them. */
    private static JsonNode find(JsonNode json, String fn) {
        JsonNode n = json.findValue(fn);
        if (n == null) {
            throw new AssertionError("no scores for " + fn + " in " + json);
        }
        return n;
    }

    @Test
    void badInputGetsASentenceAndExitCode2() {
        Run typo = run("run", "--set", "kafka.bootstrap-servrs=x", "--set", "data.feature-dim=4", "--set", "data.num-classes=2");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("unknown setting 'kafka.bootstrap-servrs'"), typo.err());
        Run budget = run("demo", "--budget", "3");
        assertEquals(2, budget.code());
        assertTrue(budget.err().contains("--budget must be a fraction"), budget.err());
        Run missing = run("run", "--set", "data.feature-dim=4");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("data.num-classes is required"), missing.err());
    }

    @Test
    void badWorkerPageOptionsGetASentenceAndExitCode2() {
        Run shape = run("broker", "--bootstrap-servers", "localhost:1", "--registry-url", "http://localhost:1",
                "--token-secret", "0123456789abcdef-secret", "--page-image", "28");
        assertEquals(2, shape.code(), shape.out() + shape.err());
        assertTrue(shape.err().contains("an image shape is WIDTHxHEIGHT"), shape.err());
        Run id = run("demo", "--human", "--human-id", "worker-2");
        assertEquals(2, id.code());
        assertTrue(id.err().contains("--human-id"), id.err());
        assertTrue(run("demo", "--help").out().contains("--human"));
        assertTrue(run("broker", "--help").out().contains("--page-image"));
    }

    @Test
    void theBrokerTakesTheJobsConfigFileAndSaysInOneSentenceWhatIsMissingOrWrong() throws Exception {
        String secret = "0123456789abcdef-secret";
        Run none = run("broker", "--token-secret", secret);
        assertEquals(2, none.code(), none.out() + none.err());
        assertTrue(none.err().contains("--config FILE, or both --bootstrap-servers and --registry-url"), none.err());
        Run missing = run("broker", "--config", "/nonexistent/alstream.properties", "--token-secret", secret);
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        java.nio.file.Path file = java.nio.file.Files.createTempFile("broker", ".properties");
        try {
            java.nio.file.Files.writeString(file, "kafka.bootstrap-servers=localhost:1\nbroker.http-prot=9000\n");
            Run typo = run("broker", "--config", file.toString(), "--token-secret", secret);
            assertEquals(2, typo.code());
            assertTrue(typo.err().contains("unknown broker setting 'broker.http-prot'"), typo.err());
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
        assertTrue(run("broker", "--help").out().contains("--config"));
    }

    @Test
    void aHeldOutFileThatIsNotThereOrATakenMetricsPortIsOneSentence(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("run.log");
        Path nowhere = tmp.resolve("nowhere.csv");
        Run heldOut = run("run", "--verbose", "--log-file", log.toString(), "--metrics-port", "-1", "--checkpoint-dir", tmp.toString(),
                "--set", "data.feature-dim=4", "--set", "data.num-classes=2", "--set", "data.held-out-path=" + nowhere);
        assertEquals(2, heldOut.code(), heldOut.out() + heldOut.err());
        assertTrue(heldOut.err().contains("alstream run: data.held-out-path " + nowhere + ": no readable file there"), heldOut.err());
        assertTrue(!heldOut.err().contains("\tat "), "a stack trace:\n" + heldOut.err());
        Run uri = run("run", "--verbose", "--log-file", log.toString(), "--metrics-port", "-1", "--checkpoint-dir", tmp.toString(),
                "--set", "data.feature-dim=4", "--set", "data.num-classes=2", "--set", "data.held-out-path=" + nowhere.toUri());
        assertEquals(2, uri.code(), uri.out() + uri.err());
        assertTrue(uri.err().contains("no readable file there"), uri.err());
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Run port = run("run", "--verbose", "--log-file", log.toString(), "--checkpoint-dir", tmp.toString(),
                    "--metrics-port", Integer.toString(taken.getLocalPort()),
                    "--set", "data.feature-dim=4", "--set", "data.num-classes=2");
            assertEquals(2, port.code(), port.out() + port.err());
            assertTrue(port.err().contains("the metrics endpoint cannot listen on 127.0.0.1:" + taken.getLocalPort()), port.err());
        }
    }
}
