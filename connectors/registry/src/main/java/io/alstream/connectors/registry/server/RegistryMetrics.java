package io.alstream.connectors.registry.server;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The registry's meters, served on {@code GET /metrics} in the Prometheus text format (the label broker's way:
 * Micrometer's Prometheus registry):
 * <ul>
 *   <li>{@code alstream_registry_requests_total{route, method, status}}: every HTTP request, by route template
 *       ({@code /subjects/{subject}/versions}, never the subject itself) and status</li>
 *   <li>{@code alstream_registry_request_latency_seconds{route, method}}: time to answer (count, sum, max, p50/p99)</li>
 *   <li>{@code alstream_registry_errors_total{route, error_code}}: answers with a Confluent error code (4xx and 5xx)</li>
 *   <li>{@code alstream_registry_schemas}: schema ids this instance has read from the schema topic</li>
 * </ul>
 */
final class RegistryMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    RegistryMetrics(RegistryState state) {
        Gauge.builder("alstream.registry.schemas", state, RegistryState::schemaCount)
                .description("Schema ids read from the schema topic").register(registry);
    }

    void request(String route, String method, int status, int errorCode, long nanos) {
        registry.counter("alstream.registry.requests", "route", route, "method", method, "status", Integer.toString(status))
                .increment();
        Timer.builder("alstream.registry.request.latency").description("Time to answer a request")
                .tags("route", route, "method", method).publishPercentiles(0.5, 0.99)
                .register(registry).record(Duration.ofNanos(nanos));
        if (errorCode != 0) {
            registry.counter("alstream.registry.errors", "route", route, "error_code", Integer.toString(errorCode)).increment();
        }
    }

    String scrape() {
        return registry.scrape();
    }

    /**
     * The route template of a request's path segments: the variable parts (subject, version, id) replaced by their
     * names, so the label's values stay few whatever clients ask for.
     */
    static String route(List<String> p) {
        if (p.isEmpty()) {
            return "/";
        }
        StringBuilder b = new StringBuilder();
        String top = p.get(0);
        for (int i = 0; i < Math.min(p.size(), 5); i++) {
            String seg = p.get(i);
            boolean variable = switch (top) {
                case "subjects" -> i == 1 || i == 3;
                case "schemas" -> i == 2 && "ids".equals(p.get(1));
                case "config", "mode" -> i == 1;
                case "compatibility" -> i == 2 || i == 4;
                case "metrics" -> false;
                default -> i == 0 ? false : true;
            };
            b.append('/').append(variable ? "{" + variableName(top, i) + "}" : known(seg) ? seg : "{other}");
        }
        return p.size() > 5 ? b.append("/...").toString() : b.toString();
    }

    private static String variableName(String top, int i) {
        return switch (top) {
            case "subjects" -> i == 1 ? "subject" : "version";
            case "schemas" -> "id";
            case "compatibility" -> i == 2 ? "subject" : "version";
            case "config", "mode" -> "subject";
            default -> "other";
        };
    }

    private static boolean known(String segment) {
        return switch (segment) {
            case "subjects", "versions", "schema", "schemas", "ids", "types", "config", "mode", "compatibility", "metrics",
                 "referencedby" -> true;
            default -> false;
        };
    }
}
