package org.apache.flink.metrics.prometheus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

import io.prometheus.client.exporter.HTTPServer;

/**
 * Flink's Prometheus reporter, the same collectors and so the same metric names, listening on a chosen address
 * instead of every interface. Flink's own {@link PrometheusReporter} has a port option but no bind address; this
 * class lives in its package because the collector registry it serves is package-private there. Used by the
 * command line's MiniCluster ({@code alstream run}, {@code alstream demo}); a real cluster uses Flink's reporter.
 */
public final class BoundPrometheusReporter extends AbstractPrometheusReporter {
    private final HTTPServer server;

    public BoundPrometheusReporter(String host, int port) {
        try {
            this.server = new HTTPServer(new InetSocketAddress(host, port), registry, true);
        } catch (IOException e) {
            throw new UncheckedIOException("the metrics endpoint cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("Prometheus metrics on http://{}:{}/metrics", host, server.getPort());
    }

    /** The port it listens on (the one asked for, or the free one picked for 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }
}
