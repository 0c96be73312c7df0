package io.alstream.connectors.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The live page's server and chart alignment, over real HTTP. */
class LivePageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> get(URI uri, String path, String method) throws Exception {
        return http.send(HttpRequest.newBuilder(uri.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageItsScriptsAndAFreshViewOnEveryPoll() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        try (LivePageServer server = LivePageServer.start("127.0.0.1", 0, () -> LiveView.builder("t", "s")
                .tile("polls", "polls", String.valueOf(polls.incrementAndGet()), null).build())) {
            assertTrue(server.uri().toString().startsWith("http://127.0.0.1:"));
            HttpResponse<String> page = get(server.uri(), "/", "GET");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<script src=\"uPlot.iife.min.js\"></script>"), page.body());
            assertEquals("default-src 'self'; style-src 'self'; img-src 'self' data:",
                    page.headers().firstValue("Content-Security-Policy").orElseThrow());
            for (String file : List.of("/live.js", "/live.css", "/uPlot.iife.min.js", "/uPlot.min.css")) {
                HttpResponse<String> r = get(server.uri(), file, "GET");
                assertEquals(200, r.statusCode(), file);
                assertTrue(r.body().length() > 500, file + " has its content");
            }
            assertTrue(get(server.uri(), "/uPlot.iife.min.js", "GET").body().contains("uPlot"));
            JsonNode first = JSON.readTree(get(server.uri(), "/api", "GET").body());
            JsonNode second = JSON.readTree(get(server.uri(), "/api", "GET").body());
            assertEquals("1", first.at("/tiles/0/value").asText());
            assertEquals("2", second.at("/tiles/0/value").asText());
            assertEquals("no-store", get(server.uri(), "/api", "GET").headers().firstValue("Cache-Control").orElseThrow());
        }
    }

    @Test
    void unknownPathsWritesAndBrokenViewsGetJsonErrors() throws Exception {
        try (LivePageServer server = LivePageServer.start("127.0.0.1", 0, () -> {
            throw new IllegalStateException("no monitor");
        })) {
            HttpResponse<String> missing = get(server.uri(), "/../../etc/passwd", "GET");
            assertEquals(404, missing.statusCode());
            assertEquals("not-found", JSON.readTree(missing.body()).get("error").asText());
            HttpResponse<String> post = get(server.uri(), "/api", "POST");
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
            HttpResponse<String> broken = get(server.uri(), "/api", "GET");
            assertEquals(500, broken.statusCode());
            assertEquals("view-failed", JSON.readTree(broken.body()).get("error").asText());
        }
    }

    @Test
    void aMountedPageRedirectsItsBarePrefixAndServesNothingOutsideIt() {
        LivePage page = new LivePage("/live", () -> null);
        assertTrue(page.serves("/live"));
        assertTrue(page.serves("/live/api"));
        assertTrue(!page.serves("/lively") && !page.serves("/worker"));
    }

    @Test
    void chartLinesAreAlignedOnTheUnionOfTheirXValuesWithGapsAsNull() {
        ChartSeries c = new ChartSeries("acc", "Accuracy", "labels", "accuracy", false, 100);
        c.add("held-out", 10, 0.5);
        c.add("held-out", 30, 0.7);
        c.add("prequential", 20, 0.6);
        c.add("prequential", 30, 0.65);
        c.add("prequential", 40, Double.NaN);
        LiveView.Chart chart = c.chart();
        assertEquals(List.of(10.0, 20.0, 30.0), chart.x());
        assertEquals(Arrays.asList(0.5, null, 0.7), chart.series().get(0).y());
        assertEquals(Arrays.asList(null, 0.6, 0.65), chart.series().get(1).y());
        assertEquals("held-out", chart.series().get(0).name());
    }

    @Test
    void aFullLineThinsItsOlderHalfAndKeepsTheNewestPoints() {
        ChartSeries c = new ChartSeries("t", "T", "x", "y", true, 10);
        for (int i = 0; i < 1000; i++) {
            c.add("line", i, i);
        }
        LiveView.Chart chart = c.chart();
        assertTrue(chart.x().size() <= 10, "bounded: " + chart.x().size());
        assertEquals(999.0, chart.x().get(chart.x().size() - 1));
        assertEquals(0.0, chart.x().get(0), "the first point stays: the line still starts where it started");
        for (int i = 1; i < chart.x().size(); i++) {
            assertTrue(chart.x().get(i) > chart.x().get(i - 1));
        }
        assertNull(new ChartSeries("e", "E", "x", "y", false, 4).chart().series().stream().findFirst().orElse(null));
    }
}
