package io.alstream.connectors.broker.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.api.WorkerPageSettings;

/**
 * The worker page: one HTML file, a script and a style sheet, packaged in the jar under
 * {@code worker-page/} and served as they are. The page is a client of the worker API (the same
 * {@code /v1} routes as any other client); it keeps the token in the tab's sessionStorage and sends it
 * only in the Authorization header. Its Content-Security-Policy allows nothing but this origin's
 * script, style and API: no inline code, no other host, no framing, no form submission, and DOM
 * writes only through text (Trusted Types required, and the script defines no policy).
 */
final class WorkerPage {
    static final String RESOURCE_DIR = "/worker-page/";
    static final String CONTENT_SECURITY_POLICY = String.join("; ",
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "img-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'");

    /** A packaged file and its content type. */
    record Asset(byte[] bytes, String contentType) {
    }

    private final Map<String, Asset> assets;
    private final WorkerPageSettings settings;

    WorkerPage(BrokerConfig config) {
        this.assets = Map.of(
                "worker.html", load("worker.html", "text/html; charset=utf-8"),
                "app.js", load("app.js", "text/javascript; charset=utf-8"),
                "app.css", load("app.css", "text/css; charset=utf-8"));
        this.settings = WorkerPageSettings.of(config.pageImage());
    }

    Asset asset(String name) {
        Asset a = assets.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no page asset " + name);
        }
        return a;
    }

    WorkerPageSettings settings() {
        return settings;
    }

    /** Headers every page response carries (the API's JSON ones do not need them). */
    static Map<String, String> securityHeaders() {
        return Map.of(
                "Content-Security-Policy", CONTENT_SECURITY_POLICY,
                "X-Content-Type-Options", "nosniff",
                "Referrer-Policy", "no-referrer",
                "X-Frame-Options", "DENY",
                "Cross-Origin-Opener-Policy", "same-origin",
                "Cache-Control", "no-cache");
    }

    private static Asset load(String name, String contentType) {
        try (InputStream in = WorkerPage.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("the worker page's " + name + " is not packaged (" + RESOURCE_DIR + name + ")");
            }
            return new Asset(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker page's " + name, e);
        }
    }
}
