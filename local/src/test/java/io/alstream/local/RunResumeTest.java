package io.alstream.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.flink.RetainedCheckpoints;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.local.cli.AlstreamCli;
import io.alstream.local.cluster.TruthOracle;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;
import io.alstream.schemas.UnlabeledEvent;

/**
 * {@code alstream run} as its own process, killed with SIGKILL mid-stream and started again with the same
 * arguments: the second process resumes from the newest retained checkpoint. Read_committed from the outputs: the
 * model's version and labels continue (no new model, no second warm-up), no label is folded twice, no event is
 * requested twice.
 */
class RunResumeTest {
    private static final Logger LOG = LoggerFactory.getLogger(RunResumeTest.class);

    @Test
    void aKilledRunResumesFromItsCheckpoint(@TempDir Path tmp) throws Exception {
        LabelledDataset digits = LabelledDataset.digits().scaled(16f);
        Path checkpoints = tmp.resolve("checkpoints");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(tmp.resolve("kafka")).start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
            for (String t : List.of(Topics.EVENTS, Topics.LABEL_REQUESTS, Topics.LABELS, Topics.MODEL_UPDATES, Topics.DEAD_LETTER)) {
                kafka.createTopic(t, 1, Map.of());
            }
            // a free metrics port (never a fixed one in a test); the log lines in the process's output for the messages below
            List<String> args = List.of("run", "--slots", "2", "--checkpoint-dir", checkpoints.toUri().toString(),
                    "--live-port", "0",
                    "--metrics-port", "0", "--verbose", "--log-file", tmp.resolve("alstream-run.log").toString(),
                    "--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--set", "registry.url=" + registry.url(),
                    "--set", "data.feature-dim=64", "--set", "data.num-classes=10",
                    "--set", "job.checkpoint-interval-ms=1000", "--set", "job.batch-size=16",
                    "--set", "job.batch-max-delay-ms=100", "--set", "job.model-broadcast-interval-ms=200",
                    "--set", "learner.warmup-labels=20", "--set", "learner.hidden-widths=32",
                    "--set", "learner.train-epochs=20", "--set", "learner.reference-pool=64",
                    "--set", "learner.posterior-samples=8");
            SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
            AvroWireCodec<UnlabeledEvent> events = AvroWireCodec.specific(UnlabeledEvent.class, client);
            AvroWireCodec<ModelUpdate> updateCodec = AvroWireCodec.specific(ModelUpdate.class, client);
            AvroWireCodec<LabelRequest> requestCodec = AvroWireCodec.specific(LabelRequest.class, client);
            Map<String, Integer> truth = new HashMap<>();
            Map<String, float[]> features = new HashMap<>();
            for (int i = 0; i < digits.size(); i++) {
                truth.put("ev-" + i, digits.labels()[i]);
                features.put("ev-" + i, digits.features()[i]);
            }
            List<ModelUpdate> updates = new ArrayList<>();
            List<Long> updateSeenAt = new ArrayList<>();
            Process first = start(args, tmp.resolve("run-1.log"));
            Process second = null;
            try (TruthOracle oracle = new TruthOracle(kafka.bootstrapServers(), client, Topics.LABEL_REQUESTS, Topics.LABELS,
                    truth::get, features::get).start();
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TruthOracle.producerProperties(kafka.bootstrapServers()));
                 KafkaConsumer<byte[], byte[]> updateReader = new KafkaConsumer<>(
                         TruthOracle.committedReaderProperties(kafka.bootstrapServers(), "resume-updates"))) {
                updateReader.subscribe(List.of(Topics.MODEL_UPDATES));
                int next = 0;
                // first life: stream until the model is warm, has folded labels and a checkpoint holds them
                long deadline = System.currentTimeMillis() + 180_000;
                while (System.currentTimeMillis() < deadline
                        && !(maxFolded(updates) >= 40 && RetainedCheckpoints.latest(checkpoints).isPresent())) {
                    next = send(producer, events, digits, next, 25);
                    poll(updateReader, updateCodec, updates, updateSeenAt, 400);
                    assertTrue(first.isAlive(), "the first run died: " + Files.readString(tmp.resolve("run-1.log")));
                }
                assertTrue(maxFolded(updates) >= 40, "the first run folded " + maxFolded(updates) + " labels in 3 min");
                // the process serves the job's metrics for Prometheus at the URL it printed
                String printed = Files.readString(tmp.resolve("run-1.log"));
                java.util.regex.Matcher url = java.util.regex.Pattern.compile("metrics at (http://\\S+/metrics)").matcher(printed);
                assertTrue(url.find(), "no metrics URL printed:\n" + printed);
                String scrape = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url.group(1))).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(scrape.contains("flink_taskmanager_job_task_operator_alstream_labels_folded{"), scrape);
                // a little more stream, then SIGKILL in the middle of it
                next = send(producer, events, digits, next, 50);
                poll(updateReader, updateCodec, updates, updateSeenAt, 1500);
                first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                long killedAt = System.currentTimeMillis();
                poll(updateReader, updateCodec, updates, updateSeenAt, 1500);
                long foldedBefore = maxFolded(updates);
                long versionBefore = updates.stream().mapToLong(ModelUpdate::getVersion).max().orElse(0);
                int updatesBefore = updates.size();
                LOG.info("run 1 killed after {} events: {} labels folded, version {}", next, foldedBefore, versionBefore);

                second = start(args, tmp.resolve("run-2.log"));
                deadline = System.currentTimeMillis() + 180_000;
                while (System.currentTimeMillis() < deadline && !Files.readString(tmp.resolve("run-2.log")).contains(" running; ")) {
                    assertTrue(second.isAlive(), "the second run died: " + Files.readString(tmp.resolve("run-2.log")));
                    Thread.sleep(500);
                }
                while (System.currentTimeMillis() < deadline && maxFolded(updates) < foldedBefore + 30) {
                    next = send(producer, events, digits, next, 25);
                    poll(updateReader, updateCodec, updates, updateSeenAt, 400);
                    assertTrue(second.isAlive(), "the second run died: " + Files.readString(tmp.resolve("run-2.log")));
                }
                String log2 = Files.readString(tmp.resolve("run-2.log"));
                assertTrue(log2.contains("resumed from checkpoint"), "the second run did not resume:\n" + log2);
                assertTrue(maxFolded(updates) >= foldedBefore + 30, "the second run folded too little: " + maxFolded(updates));
                assertLivePage(log2, next, foldedBefore);

                // the model continued: the second life's first version holds the first life's labels (up to the last
                // checkpoint) and a version number beyond the first life's start; a new model would start near 0
                List<ModelUpdate> afterRestart = updates.subList(updatesBefore, updates.size());
                ModelUpdate firstAfter = afterRestart.get(0);
                LOG.info("run 2 first committed version {} with {} labels (run 1 ended at version {} with {})",
                        firstAfter.getVersion(), firstAfter.getLabelsFolded(), versionBefore, foldedBefore);
                assertTrue(firstAfter.getLabelsFolded() >= 20 && firstAfter.getRefreshCount() >= 1,
                        "the second run started a new model: " + firstAfter);
                for (int i = 1; i < updates.size(); i++) {
                    assertTrue(updates.get(i).getLabelsFolded() >= updates.get(i - 1).getLabelsFolded()
                            || updates.get(i).getFoldedEventIds().isEmpty(), "labels folded went down at update " + i);
                }
                // each label folded exactly once over both lives (committed output only)
                List<String> folded = new ArrayList<>();
                updates.forEach(u -> folded.addAll(u.getFoldedEventIds()));
                assertEquals(folded.size(), new HashSet<>(folded).size(), "a label was folded twice across the restart");

                // no event requested twice, and no second warm-up after the restart
                Set<String> requested = new HashSet<>();
                int warmupAfter = 0;
                try (KafkaConsumer<byte[], byte[]> requests = new KafkaConsumer<>(
                        TruthOracle.committedReaderProperties(kafka.bootstrapServers(), "resume-requests"))) {
                    requests.subscribe(List.of(Topics.LABEL_REQUESTS));
                    long end = System.currentTimeMillis() + 5000;
                    while (System.currentTimeMillis() < end) {
                        for (ConsumerRecord<byte[], byte[]> r : requests.poll(Duration.ofMillis(300))) {
                            LabelRequest req = requestCodec.decode(r.value());
                            assertTrue(requested.add(req.getEventId()), "event requested twice: " + req.getEventId());
                            if (req.getStrategy().equals("warmup") && req.getCreatedAt().toEpochMilli() > killedAt) {
                                warmupAfter++;
                            }
                        }
                    }
                }
                assertEquals(0, warmupAfter, "the resumed run asked for warm-up labels again");
            } finally {
                if (second != null) {
                    second.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
                first.destroyForcibly();
            }
        }
    }

    private static Process start(List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), AlstreamCli.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int send(KafkaProducer<byte[], byte[]> producer, AvroWireCodec<UnlabeledEvent> codec,
                            LabelledDataset data, int from, int count) throws InterruptedException {
        int to = Math.min(data.size(), from + count);
        for (int i = from; i < to; i++) {
            String id = "ev-" + i;
            List<Float> f = new ArrayList<>();
            for (float v : data.features()[i]) {
                f.add(v);
            }
            UnlabeledEvent e = UnlabeledEvent.newBuilder().setId(id).setEventTime(Instant.now()).setFeatures(f).build();
            producer.send(new ProducerRecord<>(Topics.EVENTS, id.getBytes(StandardCharsets.UTF_8), codec.encode(Topics.EVENTS, e)));
        }
        producer.flush();
        Thread.sleep(300);
        return to;
    }

    /**
     * The run's live page (its URL printed at start, on this machine only) shows the events topic's size and the
     * labels folded, as read from the topics.
     */
    private static void assertLivePage(String log, int eventsSent, long foldedSeen) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("live page: (http://127\\.0\\.0\\.1:\\d+/)").matcher(log);
        assertTrue(m.find(), "no live page URL on 127.0.0.1 printed:\n" + log);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 30_000;
        Map<String, String> tiles = new HashMap<>();
        while (System.currentTimeMillis() < deadline) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(m.group(1) + "api")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            var view = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
            assertEquals("alstream run", view.get("title").asText());
            view.get("tiles").forEach(t -> tiles.put(t.get("id").asText(), t.get("value").asText()));
            // the monitor reads the topics from the start; it may still be catching up
            if (Long.parseLong(tiles.get("events")) >= eventsSent && Long.parseLong(tiles.get("labels-folded")) >= foldedSeen) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the live page never showed " + eventsSent + " events and " + foldedSeen
                + " labels folded: " + tiles);
    }

    private static void poll(KafkaConsumer<byte[], byte[]> reader, AvroWireCodec<ModelUpdate> codec, List<ModelUpdate> into,
                             List<Long> seenAt, long ms) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(ms))) {
            into.add(codec.decode(r.value()));
            seenAt.add(System.currentTimeMillis());
        }
    }

    private static long maxFolded(List<ModelUpdate> updates) {
        return updates.stream().mapToLong(ModelUpdate::getLabelsFolded).max().orElse(0);
    }
}
