package io.alstream.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.alstream.connectors.broker.HeadlessChromium;
import io.alstream.local.demo.DemoRun;

/**
 * The live page of a real demo (embedded Kafka, registry, label broker, Flink, simulated crowd) in a real
 * headless Chromium: the URL is printed at start, the page loads with no console error, its figures move
 * while events stream, uPlot draws its charts, and a screenshot is kept under {@code target/live-page/}.
 *
 * <p>Needs Chromium ({@code .ci/run} installs it); fails instead of skipping when CI is set.
 */
class LivePageBrowserTest {
    private static final Path ARTIFACTS = Path.of("target", "live-page");
    private static final Pattern URL = Pattern.compile("live page: (http://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDemosLivePageShowsTheLoopMovingInABrowser(@TempDir Path tmp) throws Exception {
        Path binary = HeadlessChromium.find();
        if (binary == null) {
            String why = "the live page's browser test needs Chromium: apt-get install chromium (or set CHROMIUM)";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !"false".equalsIgnoreCase(ci)) {
                throw new AssertionError(why + "; CI is set, so this fails instead of skipping");
            }
            Assumptions.abort(why + "; skipped (CI is not set)");
        }
        DemoCommand command = new DemoCommand();
        new CommandLine(command).parseArgs("--events", "400", "--rate", "20", "--workers", "4", "--timeout", "150",
                "--report-dir", tmp.resolve("report").toString(), "--live-port", "0");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        CompletableFuture<Integer> demo = CompletableFuture.supplyAsync(() -> {
            try {
                return new DemoRun(command.settings(), out, command.live.settings(0)).run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        String url = awaitUrl(printed, demo);
        assertTrue(url.startsWith("http://127.0.0.1:"), "the live page binds this machine only by default: " + url);
        HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "api")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, api.statusCode());
        JsonNode view = JSON.readTree(api.body());
        assertEquals("alstream demo", view.get("title").asText());
        List<String> tiles = new ArrayList<>();
        view.get("tiles").forEach(t -> tiles.add(t.get("id").asText()));
        assertEquals(List.of("model-version", "labels-folded", "heldout-accuracy", "prequential-accuracy", "events",
                "budget-spent", "queue", "label-latency", "dead-letters"), tiles);

        try (HeadlessChromium browser = HeadlessChromium.launch(binary, 1280, 1100)) {
            browser.navigate(url);
            // (waitFor takes any number as done, so these answer null until the condition holds)
            long events0 = browser.waitFor("(function(){var e=document.querySelector('#tile-events .value');"
                    + "var n=e ? Number(e.textContent) : 0; return n > 0 ? n : null;})()", Duration.ofSeconds(60)).asLong();
            // the figures move while events stream: more events, then a model version that holds folded labels
            long events1 = browser.waitFor("(function(){var n=Number(document.querySelector('#tile-events .value').textContent);"
                    + "return n > " + events0 + " ? n : null;})()", Duration.ofSeconds(60)).asLong();
            assertTrue(events1 > events0);
            browser.waitFor("Number(document.querySelector('#tile-labels-folded .value').textContent) > 0",
                    Duration.ofSeconds(120));
            browser.waitFor("/^v[0-9]+$/.test(document.querySelector('#tile-model-version .value').textContent)",
                    Duration.ofSeconds(30));
            // uPlot drew the time charts (a canvas each) and the accuracy chart once the held-out figure arrived
            browser.waitFor("document.querySelectorAll('#chart-progress canvas').length > 0"
                    + " && document.querySelectorAll('#chart-budget canvas').length > 0", Duration.ofSeconds(30));
            browser.waitFor("document.querySelectorAll('#chart-accuracy canvas').length > 0", Duration.ofSeconds(120));
            browser.waitFor("document.querySelectorAll('#table-recent-requests tbody tr td').length > 1",
                    Duration.ofSeconds(30));
            String status = browser.eval("document.getElementById('status').className").asText();
            assertEquals("status", status, "the page reached its process");
            browser.screenshot(ARTIFACTS.resolve("demo-live-page.png"));
            List<String> errors = new ArrayList<>();
            for (String line : browser.console()) {
                if (line.startsWith("error") || line.startsWith("exception") || line.startsWith("assert")) {
                    errors.add(line);
                }
            }
            assertEquals(List.of(), errors, "console errors on the live page");
        }
        assertEquals(0, demo.get(), "the demo completed its loop:\n" + printed.toString(StandardCharsets.UTF_8));
    }

    private static String awaitUrl(ByteArrayOutputStream printed, CompletableFuture<Integer> demo) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = URL.matcher(printed.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return m.group(1);
            }
            if (demo.isDone()) {
                throw new AssertionError("the demo ended before printing its live page: exit " + demo.get() + "\n"
                        + printed.toString(StandardCharsets.UTF_8));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no live page URL printed:\n" + printed.toString(StandardCharsets.UTF_8));
    }
}
