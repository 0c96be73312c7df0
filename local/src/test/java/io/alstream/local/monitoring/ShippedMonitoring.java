package io.alstream.local.monitoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The monitoring files the repository ships, read as an operator's Prometheus and Grafana would: the dashboards'
 * queries (Grafana variables replaced by their values), the alert rules' expressions, and the documented metric
 * names of {@code ops/METRICS.md}.
 */
final class ShippedMonitoring {
    /** Metric names in PromQL: ours and Flink's (a selector, not a function or a label). */
    private static final Pattern METRIC = Pattern.compile("\\b((?:flink|alstream)_[A-Za-z0-9_]+)\\b");
    /** A name in METRICS.md's tables: the first cell, in backticks. */
    private static final Pattern DOCUMENTED = Pattern.compile("^\\| `((?:flink|alstream)_[A-Za-z0-9_]+)` \\|");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z0-9_]+)\\}?");

    final Path root;

    private ShippedMonitoring(Path root) {
        this.root = root;
    }

    /** The repository these tests run in (Maven runs them in the module's folder). */
    static ShippedMonitoring find() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("ops/prometheus/alerts.yml"))) {
                return new ShippedMonitoring(dir);
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no ops/prometheus/alerts.yml above " + Path.of("").toAbsolutePath());
    }

    Path alertsFile() {
        return root.resolve("ops/prometheus/alerts.yml");
    }

    /** Every dashboard panel's query, keyed "dashboard file / panel title / refId", variables substituted. */
    Map<String, String> dashboardQueries() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(root.resolve("ops/grafana/dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode d = json.readTree(f.toFile());
                Map<String, String> vars = new LinkedHashMap<>();
                for (JsonNode v : d.path("templating").path("list")) {
                    String value = v.path("current").path("value").asText(v.path("query").asText());
                    vars.put(v.path("name").asText(), value);
                }
                collect(d, f.getFileName().toString(), "", vars, out);
            }
        }
        return out;
    }

    private static void collect(JsonNode node, String file, String panel, Map<String, String> vars, Map<String, String> out) {
        if (node.isObject()) {
            String title = node.has("title") && node.has("type") ? node.path("title").asText() : panel;
            if (node.has("expr")) {
                String expr = substitute(node.path("expr").asText(), vars);
                out.put(file + " / " + title + " / " + node.path("refId").asText("?"), expr);
            }
            node.fields().forEachRemaining(e -> collect(e.getValue(), file, title, vars, out));
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, file, panel, vars, out));
        }
    }

    private static String substitute(String expr, Map<String, String> vars) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = vars.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException("dashboard query uses $" + m.group(1) + ", which the dashboard does not define: " + expr);
            }
            m.appendReplacement(b, Matcher.quoteReplacement(v));
        }
        return m.appendTail(b).toString();
    }

    /** Every alert rule's expression, by alert name. */
    Map<String, String> alertExpressions() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode rules = new YAMLMapper().readTree(alertsFile().toFile());
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    out.put(rule.path("alert").asText(), rule.path("expr").asText());
                }
            }
        }
        return out;
    }

    /** The metric names METRICS.md lists. */
    Set<String> documentedNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(root.resolve("ops/METRICS.md"))) {
            Matcher m = DOCUMENTED.matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The alerts METRICS.md lists as firing only on a condition. */
    Set<String> conditionOnlyAlerts() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern alert = Pattern.compile("^\\| `(Alstream[A-Za-z]+)` \\|");
        for (String line : Files.readAllLines(root.resolve("ops/METRICS.md"))) {
            Matcher m = alert.matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The metric names an expression selects. */
    static Set<String> metricNames(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The metric names the dashboards and the alerts use. */
    Set<String> usedNames() throws IOException {
        Set<String> names = new TreeSet<>();
        List<String> exprs = new ArrayList<>(dashboardQueries().values());
        exprs.addAll(alertExpressions().values());
        exprs.forEach(e -> names.addAll(metricNames(e)));
        return names;
    }
}
