package io.alstream.local.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.flink.configuration.Configuration;

/**
 * The Prometheus endpoint of the command line's Flink MiniCluster ({@code alstream run}, {@code alstream demo}):
 * the job's metrics under the names Flink's Prometheus reporter gives them on a cluster
 * ({@code flink_taskmanager_job_task_operator_alstream_*}, {@code flink_jobmanager_job_*}), on {@code host:port}.
 */
public final class MetricsEndpoint {
    /** The reporter's name in Flink's configuration ({@code metrics.reporter.<name>.*}). */
    static final String REPORTER = "prom";
    private static final AtomicInteger BOUND = new AtomicInteger(-1);

    private final String host;
    private final int port;

    /**
     * @param host address to listen on ({@code 127.0.0.1} keeps it on this machine)
     * @param port the port; 0 = a free one
     */
    public MetricsEndpoint(String host, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("the metrics port must be 0..65535, was " + port);
        }
        this.host = host;
        this.port = port;
    }

    /**
     * Fails in one sentence when the port is taken: Flink only logs a reporter that cannot start, and a job running
     * without the metrics it was asked to expose is worse than not starting.
     */
    public MetricsEndpoint checkFree() {
        if (port == 0) {
            return this;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalArgumentException("the metrics endpoint cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another with --metrics-port or metrics.port");
        }
        return this;
    }

    /** The Flink settings that start the reporter in a MiniCluster. */
    public Configuration flinkConfiguration() {
        Configuration conf = new Configuration();
        String prefix = "metrics.reporter." + REPORTER + ".";
        conf.setString(prefix + "factory.class", BoundPrometheusReporterFactory.class.getName());
        conf.setString(prefix + BoundPrometheusReporterFactory.HOST, host);
        conf.setString(prefix + BoundPrometheusReporterFactory.PORT, Integer.toString(port));
        BOUND.set(-1);
        return conf;
    }

    /**
     * The URL scraped, once the MiniCluster started with {@link #flinkConfiguration()} (the port Flink's reporter got,
     * which is the free one picked when 0 was asked); null when the reporter did not start (Flink logged why).
     */
    public String url() {
        int p = BOUND.get();
        if (p < 0) {
            return null;
        }
        String h = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + p + "/metrics";
    }

    /** The port it listens on, -1 when it did not start. */
    public int boundPort() {
        return BOUND.get();
    }

    static void bound(int port) {
        BOUND.set(port);
    }
}
