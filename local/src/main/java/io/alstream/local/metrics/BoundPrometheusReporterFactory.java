package io.alstream.local.metrics;

import java.util.Properties;

import org.apache.flink.metrics.prometheus.BoundPrometheusReporter;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Makes {@link BoundPrometheusReporter}s from {@code metrics.reporter.<name>.host} and {@code .port} (found by Flink
 * through {@code META-INF/services}). {@link MetricsEndpoint} writes those settings.
 */
public final class BoundPrometheusReporterFactory implements MetricReporterFactory {
    static final String HOST = "host";
    static final String PORT = "port";

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        String host = properties.getProperty(HOST, "127.0.0.1");
        int port = Integer.parseInt(properties.getProperty(PORT, "0"));
        BoundPrometheusReporter reporter = new BoundPrometheusReporter(host, port);
        MetricsEndpoint.bound(reporter.port());
        return reporter;
    }
}
