package io.alstream.connectors.live;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live page: one HTML page, its script and style, the uPlot chart library (bundled from its npm
 * package's WebJar, no CDN) and a JSON view ({@code api}) that the page polls every second. What the
 * page shows is whatever {@link LiveView} the process gives it: tiles (a figure and a line under it),
 * charts (aligned x/y series) and tables. Mount it under a prefix on any JDK {@code HttpServer}
 * ({@link LivePageServer} does for the command line; the label broker mounts it at {@code /live}).
 *
 * <p>Every response carries a Content-Security-Policy of {@code 'self'} only: no inline script, no
 * third-party origin.
 */
public final class LivePage implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(LivePage.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
    private static final String OWN = "/io/alstream/connectors/live/";
    /** Served path (after the prefix) to the class-path resource and its content type. */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {OWN + "index.html", "text/html; charset=utf-8"},
            "/live.js", new String[] {OWN + "live.js", "text/javascript; charset=utf-8"},
            "/live.css", new String[] {OWN + "live.css", "text/css; charset=utf-8"},
            "/uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private final String prefix;
    private final Supplier<LiveView> view;

    /**
     * @param prefix the path it is mounted under: "" for the root, or like "/live"
     * @param view   what to show; called once per poll, from the server's threads
     */
    public LivePage(String prefix, Supplier<LiveView> view) {
        this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.view = view;
    }

    /** Whether this page serves the request's path. */
    public boolean serves(String path) {
        return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!serves(path)) {
                send(ex, 404, "application/json", error("not-found", "no such page"));
                return;
            }
            String sub = path.substring(prefix.length());
            if (sub.isEmpty() && !prefix.isEmpty()) {
                // a relative script path needs the trailing slash
                ex.getResponseHeaders().add("Location", prefix + "/");
                send(ex, 308, "text/plain; charset=utf-8", new byte[0]);
                return;
            }
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                send(ex, 405, "application/json", error("method-not-allowed", "the live page is read only"));
                return;
            }
            if ("/api".equals(sub)) {
                byte[] body;
                try {
                    body = JSON.writeValueAsBytes(view.get());
                } catch (RuntimeException e) {
                    LOG.warn("live view failed: {}", e.toString());
                    send(ex, 500, "application/json", error("view-failed", e.getClass().getSimpleName()));
                    return;
                }
                ex.getResponseHeaders().add("Cache-Control", "no-store");
                send(ex, 200, "application/json", body);
                return;
            }
            String[] file = FILES.get(sub);
            if (file == null) {
                send(ex, 404, "application/json", error("not-found", "no such file: " + sub));
                return;
            }
            byte[] body;
            try (InputStream in = LivePage.class.getResourceAsStream(file[0])) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + file[0]);
                }
                body = in.readAllBytes();
            }
            send(ex, 200, file[1], body);
        }
    }

    private static byte[] error(String code, String message) {
        return JSON.createObjectNode().put("error", code).put("message", message).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The uPlot version bundled (from the WebJar's Maven metadata on the class path). */
    static String uplotVersion() {
        try (InputStream in = LivePage.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        throw new IllegalStateException("the uPlot WebJar (org.webjars.npm:uplot) is not on the class path");
    }
}
