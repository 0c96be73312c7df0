package io.alstream.local.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.Topics;
import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.client.SimulatedCrowd;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.flink.AlstreamJob;
import io.alstream.flink.config.JobConfig;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.local.EmbeddedStack;
import io.alstream.local.demo.EventReplayer;
import io.alstream.local.metrics.MetricsEndpoint;

/**
 * The shipped monitoring against a real Prometheus: the job (on the MiniCluster, with the metrics endpoint of
 * {@code alstream run}/{@code demo}), the label broker and the schema registry stream a short digits run while
 * Debian's Prometheus scrapes all three, with the shipped alert rules loaded. Every query of the Grafana dashboard must
 * return a number, every metric name in {@code ops/METRICS.md} must be in Prometheus, the dashboard and alerts may
 * use no other, and a burst of malformed events must make the dead-letter alert's condition hold (Prometheus reports
 * it pending).
 */
class PrometheusMonitoringTest {
    private static final Logger LOG = LoggerFactory.getLogger(PrometheusMonitoringTest.class);
    /** More than the run needs: events stream until every query is answered (the selection scores need events that
     *  arrive after the model is warm), then stop. */
    private static final int EVENTS = 1200;
    private static final String DEAD_LETTER_ALERT = "AlstreamDeadLettersRising";

    @Test
    void everyDashboardQueryAndDocumentedNameIsAnsweredByARealPrometheus(@TempDir Path tmp) throws Exception {
        PrometheusProcess.binary("prometheus", "PROMETHEUS"); // fail (CI) or skip before starting anything
        ShippedMonitoring shipped = ShippedMonitoring.find();
        Map<String, String> dashboard = shipped.dashboardQueries();
        Map<String, String> alerts = shipped.alertExpressions();
        assertTrue(dashboard.size() >= 20, "dashboard queries found: " + dashboard.size());
        assertTrue(alerts.containsKey(DEAD_LETTER_ALERT), "alerts: " + alerts.keySet());

        LabelledDataset.Split split = LabelledDataset.digits().scaled(16f).split(0.2, 7);
        LabelledDataset all = split.stream();
        LabelledDataset stream = new LabelledDataset("digits", java.util.Arrays.copyOf(all.features(), EVENTS),
                java.util.Arrays.copyOf(all.labels(), EVENTS), 10);
        BrokerConfig broker = BrokerConfig.builder().minAnswers(2).maxAnswers(3).leaseDuration(Duration.ofSeconds(20)).build();
        MetricsEndpoint metrics = new MetricsEndpoint("127.0.0.1", 0);
        try (EmbeddedStack stack = EmbeddedStack.start(tmp.resolve("data"), 2, 1, 2, broker, metrics.flinkConfiguration())) {
            assertTrue(metrics.boundPort() > 0, "the MiniCluster's Prometheus reporter started");
            Path config = prometheusConfig(tmp, shipped, "127.0.0.1:" + metrics.boundPort(),
                    stack.broker().httpUri().getAuthority(), URI.create(stack.registry().url()).getAuthority());
            try (PrometheusProcess prometheus = PrometheusProcess.start(config, tmp)) {
                JobID id = submit(stack, tmp, split);
                // the registry's errors are counted: a lookup of a subject nobody registered
                HttpResponse<String> missing = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(stack.registry().url() + "/subjects/no-such-subject/versions")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(404, missing.statusCode());

                EventReplayer replayer = new EventReplayer(stack.kafka().bootstrapServers(), stack.registryClient(), Topics.EVENTS,
                        stream, "prom", 30, 5);
                Map<String, Integer> truth = new HashMap<>();
                for (int i = 0; i < EVENTS; i++) {
                    truth.put(replayer.id(i), stream.labels()[i]);
                }
                SimulatedCrowd.Builder crowd = SimulatedCrowd.builder().baseUri(stack.broker().httpUri())
                        .truth(t -> truth.getOrDefault(t.eventId, 0)).seed(3)
                        .thinkTime(Duration.ofMillis(20), Duration.ofMillis(100));
                for (int w = 0; w < 4; w++) {
                    crowd.worker("w" + w, WorkerTokens.derive(EmbeddedStack.DEMO_TOKEN_SECRET, "w" + w), 0.8 + 0.05 * w);
                }
                Map<String, String> unanswered;
                try (SimulatedCrowd workers = crowd.build().start()) {
                    Thread events = new Thread(replayer, "events");
                    events.start();
                    // a query is answered once it has returned a finite number (a gauge may be NaN before its first
                    // value, and a Kafka lag gauge between fetches)
                    unanswered = new LinkedHashMap<>(dashboard);
                    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
                    while (System.nanoTime() < deadline && !unanswered.isEmpty()) {
                        Thread.sleep(2000);
                        for (var it = unanswered.entrySet().iterator(); it.hasNext(); ) {
                            if (prometheus.query(it.next().getValue()).stream().anyMatch(Double::isFinite)) {
                                it.remove();
                            }
                        }
                        assertEquals(null, replayer.failure());
                        assertTrue(!stack.flink().status(id).isGloballyTerminalState(), "the job ended: " + stack.flink().status(id));
                    }
                    replayer.stop();
                    events.join();
                }
                LOG.info("dashboard queries without data after the run: {}", unanswered);

                // the dead-letter alert's condition, provoked: a burst of values without the wire format's magic byte
                floodBadRecords(stack.kafka().bootstrapServers(), 60);
                Thread.sleep(4000); // every subtask's bad-magic-byte series scraped at a low count first
                floodBadRecords(stack.kafka().bootstrapServers(), 3000);
                String deadLetterCondition = alerts.get(DEAD_LETTER_ALERT);
                List<Double> condition = List.of();
                String state = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && (condition.isEmpty() || state == null)) {
                    Thread.sleep(1000);
                    condition = prometheus.query(deadLetterCondition);
                    state = prometheus.alertState(DEAD_LETTER_ALERT).orElse(null);
                }

                Set<String> scraped = new TreeSet<>(prometheus.names());
                Set<String> documented = shipped.documentedNames();
                Set<String> used = shipped.usedNames();
                Set<String> missingNames = new TreeSet<>(documented);
                missingNames.removeAll(scraped);
                Set<String> undocumented = new TreeSet<>(used);
                undocumented.removeAll(documented);
                Set<String> usedScraped = new TreeSet<>(used);
                usedScraped.retainAll(scraped);
                LOG.info("{} of {} metric names the dashboard and alerts use are in Prometheus; {} documented names, {} missing",
                        usedScraped.size(), used.size(), documented.size(), missingNames);

                assertEquals(Map.of(), unanswered, "dashboard queries that never returned a number (Prometheus log: "
                        + prometheus.log() + ")");
                assertEquals(Set.of(), undocumented, "names the dashboard or alerts use that ops/METRICS.md does not list");
                assertEquals(Set.of(), missingNames, "names ops/METRICS.md lists that no scrape delivered");
                assertEquals(used, usedScraped, usedScraped.size() + " of " + used.size() + " used names scraped");
                assertTrue(!condition.isEmpty(), DEAD_LETTER_ALERT + "'s condition does not hold after the burst: "
                        + deadLetterCondition + " -> " + prometheus.query("sum(flink_taskmanager_job_task_operator_alstream_reason_dead_letters)"));
                assertTrue("pending".equals(state) || "firing".equals(state), DEAD_LETTER_ALERT + " state " + state);
                // the other alerts hold only on a condition this healthy run does not meet, and METRICS.md says so
                Set<String> conditionOnly = shipped.conditionOnlyAlerts();
                assertEquals(alerts.keySet(), conditionOnly, "ops/METRICS.md lists every alert with its condition");
                for (String alert : alerts.keySet()) {
                    if (!alert.equals(DEAD_LETTER_ALERT)) {
                        assertTrue(prometheus.alertState(alert).isEmpty(), alert + " is active on a healthy run");
                    }
                }
                // the shipped rules evaluate without errors
                prometheus.api("rules").path("groups").forEach(g -> g.path("rules").forEach(r ->
                        assertEquals("ok", r.path("health").asText(), r.path("name").asText() + ": " + r.path("lastError").asText())));
                stack.flink().cancel(id);
            }
        }
    }

    /** A Prometheus configuration scraping the three endpoints every second, with the shipped alert rules. */
    private static Path prometheusConfig(Path dir, ShippedMonitoring shipped, String flink, String broker, String registry)
            throws Exception {
        Files.copy(shipped.alertsFile(), dir.resolve("alerts.yml"));
        String yaml = """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [alerts.yml]
                scrape_configs:
                  - job_name: flink
                    static_configs: [{targets: ["%s"]}]
                  - job_name: label-broker
                    static_configs: [{targets: ["%s"]}]
                  - job_name: registry
                    static_configs: [{targets: ["%s"]}]
                """.formatted(flink, broker, registry);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, yaml);
        return config;
    }

    private static JobID submit(EmbeddedStack stack, Path tmp, LabelledDataset.Split split) throws Exception {
        Path heldOut = tmp.resolve("held-out.csv");
        split.heldOut().writeCsv(heldOut);
        Map<String, String> s = new TreeMap<>();
        s.put("kafka.bootstrap-servers", stack.kafka().bootstrapServers());
        s.put("registry.url", stack.registry().url());
        s.put("data.feature-dim", "64");
        s.put("data.num-classes", "10");
        s.put("data.held-out-path", heldOut.toString());
        s.put("job.parallelism", "2");
        s.put("job.checkpoint-interval-ms", "1000");
        s.put("job.batch-size", "16");
        s.put("job.batch-max-delay-ms", "150");
        s.put("job.redundancy", "2");
        // the budget AlstreamBudgetOff is written for (its expression says 0.1): a healthy run must not trip it
        s.put("learner.budget", "0.1");
        s.put("learner.warmup-labels", "20");
        s.put("learner.hidden-widths", "32");
        s.put("learner.train-epochs", "30");
        s.put("learner.reference-pool", "64");
        s.put("learner.posterior-samples", "8");
        AlstreamJob job = AlstreamJob.onKafka(JobConfig.of(s));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.configure(env);
        job.build(env);
        JobID id = stack.flink().submit(env, "alstream-prometheus");
        stack.flink().awaitRunning(id, Duration.ofSeconds(90));
        return id;
    }

    private static void floodBadRecords(String bootstrap, int n) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                sent.add(producer.send(new ProducerRecord<>(Topics.EVENTS, ("flood-" + i).getBytes(StandardCharsets.UTF_8),
                        "not the wire format".getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
        }
        for (var f : sent) {
            try {
                f.get();
            } catch (Exception e) {
                fail("could not produce a bad record: " + e);
            }
        }
    }
}
