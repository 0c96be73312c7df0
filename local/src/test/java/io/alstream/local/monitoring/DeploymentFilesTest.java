package io.alstream.local.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files as their own tools read them: {@code promtool} checks the shipped Prometheus configuration and
 * alert rules, Debian's {@code docker-compose} validates the compose file (no container engine runs here: this checks
 * the file, not the images), and every Flink configuration shipped for a cluster carries the Prometheus reporter the
 * dashboard reads. Without promtool or docker-compose the test fails when {@code CI} is set and is skipped otherwise.
 */
class DeploymentFilesTest {
    private static final String REPORTER = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    @Test
    void promtoolAcceptsTheShippedConfigurationAndRules() throws Exception {
        Path promtool = PrometheusProcess.binary("promtool", "PROMTOOL");
        ShippedMonitoring shipped = ShippedMonitoring.find();
        Run config = run(shipped.root, promtool.toString(), "check", "config", "ops/prometheus/prometheus.yml");
        assertEquals(0, config.exit, config.output);
        Run rules = run(shipped.root, promtool.toString(), "check", "rules", "ops/prometheus/alerts.yml");
        assertEquals(0, rules.exit, rules.output);
        assertTrue(rules.output.contains("SUCCESS: " + shipped.alertExpressions().size() + " rules found"), rules.output);
    }

    @Test
    void dockerComposeValidatesTheComposeFile(@TempDir Path tmp) throws Exception {
        Path compose = PrometheusProcess.binary("docker-compose", "DOCKER_COMPOSE");
        ShippedMonitoring shipped = ShippedMonitoring.find();
        Run quiet = run(shipped.root, compose.toString(), "-f", "docker/compose.yaml", "config", "-q");
        assertEquals(0, quiet.exit, quiet.output);
        // and what it resolved: every Flink service carries the reporter, Prometheus mounts the rules beside its config
        Run resolved = run(shipped.root, compose.toString(), "-f", "docker/compose.yaml", "config");
        assertEquals(0, resolved.exit, resolved.output);
        JsonNode services = new YAMLMapper().readTree(resolved.output).path("services");
        for (String flink : List.of("jobmanager", "taskmanager")) {
            String props = services.path(flink).path("environment").path("FLINK_PROPERTIES").asText();
            assertTrue(props.contains("metrics.reporter.prom.factory.class: " + REPORTER), flink + ": " + props);
            assertTrue(props.contains("metrics.reporter.prom.port: 9249"), flink + ": " + props);
        }
        List<String> mounts = new ArrayList<>();
        services.path("prometheus").path("volumes").forEach(v -> mounts.add(v.isTextual() ? v.asText() : v.path("target").asText()));
        assertTrue(mounts.stream().anyMatch(m -> m.contains("/etc/prometheus/alerts.yml")), "prometheus mounts: " + mounts);
        assertTrue(mounts.stream().anyMatch(m -> m.contains("/etc/prometheus/prometheus.yml")), "prometheus mounts: " + mounts);
    }

    @Test
    void everyShippedFlinkConfigurationCarriesThePrometheusReporter() throws Exception {
        ShippedMonitoring shipped = ShippedMonitoring.find();
        YAMLMapper yaml = new YAMLMapper();
        Set<String> kinds = new TreeSet<>();
        for (JsonNode doc : yaml.readValues(yaml.getFactory().createParser(
                shipped.root.resolve("ops/kubernetes/flinkdeployment.yaml").toFile()), JsonNode.class).readAll()) {
            kinds.add(doc.path("kind").asText());
            if (doc.path("kind").asText().equals("FlinkDeployment")) {
                JsonNode conf = doc.path("spec").path("flinkConfiguration");
                assertEquals(REPORTER, conf.path("metrics.reporter.prom.factory.class").asText(), "FlinkDeployment: " + conf);
                assertEquals("9249", conf.path("metrics.reporter.prom.port").asText(), "FlinkDeployment: " + conf);
            }
        }
        assertTrue(kinds.contains("FlinkDeployment"), "kinds: " + kinds);
        String compose = Files.readString(shipped.root.resolve("docker/compose.yaml"));
        assertTrue(compose.contains("metrics.reporter.prom.factory.class: " + REPORTER), "docker/compose.yaml's Flink settings");
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
