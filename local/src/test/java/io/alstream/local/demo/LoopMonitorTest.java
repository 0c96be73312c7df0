package io.alstream.local.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.local.cluster.TruthOracle;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;

/**
 * The monitor behind the live pages, on a real broker and registry: a bounded one ({@code alstream run}'s) keeps
 * counting while it remembers only the newest updates, and still catches a duplicate request inside its window.
 */
class LoopMonitorTest {

    @Test
    void aBoundedMonitorCountsEverythingAndRemembersOnlyTheNewest(@TempDir Path tmp) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(tmp.resolve("kafka")).start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
            for (String t : List.of(Topics.LABEL_REQUESTS, Topics.LABELS, Topics.MODEL_UPDATES, Topics.DEAD_LETTER)) {
                kafka.createTopic(t, 1, Map.of());
            }
            SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
            AvroWireCodec<LabelRequest> requests = AvroWireCodec.specific(LabelRequest.class, client);
            AvroWireCodec<ModelUpdate> updates = AvroWireCodec.specific(ModelUpdate.class, client);
            Instant now = Instant.now();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TruthOracle.producerProperties(kafka.bootstrapServers()))) {
                for (int i = 0; i < 30; i++) {
                    // the last request asks for ev-28 again: the window (10 x 2 ids) still holds it
                    String id = i < 29 ? "ev-" + i : "ev-28";
                    LabelRequest q = LabelRequest.newBuilder().setRequestId("req-" + i).setEventId(id)
                            .setFeatures(List.of(0.5f)).setStrategy("balent").setScore(i).setModelVersion(1L)
                            .setCreatedAt(now).setDeadline(now.plusSeconds(60)).setNumClasses(2).build();
                    producer.send(new ProducerRecord<>(Topics.LABEL_REQUESTS, requests.encode(Topics.LABEL_REQUESTS, q)));
                }
                for (int v = 1; v <= 5; v++) {
                    ModelUpdate u = ModelUpdate.newBuilder().setVersion(v).setLabelsFolded(v).setRefreshCount(0)
                            .setCreatedAt(now).setFoldedEventIds(List.of("ev-" + v)).build();
                    producer.send(new ProducerRecord<>(Topics.MODEL_UPDATES, updates.encode(Topics.MODEL_UPDATES, u)));
                }
                producer.flush();
            }
            try (LoopMonitor monitor = new LoopMonitor(kafka.bootstrapServers(), client, Map.of()).bounded(2)) {
                Thread t = new Thread(monitor, "monitor");
                t.setDaemon(true);
                t.start();
                LoopMonitor.Snapshot s = monitor.snapshot();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && !(s.updatesTotal() == 5 && s.requests() + s.duplicateRequests() == 30)) {
                    Thread.sleep(100);
                    s = monitor.snapshot();
                }
                assertEquals(29, s.requests(), "distinct requests counted past the window");
                assertEquals(1, s.duplicateRequests(), "the repeat inside the window is caught");
                assertEquals(5, s.updatesTotal());
                assertEquals(List.of(4L, 5L), s.updates().stream().map(ModelUpdate::getVersion).toList(),
                        "only the newest two updates remembered");
                assertEquals(5, s.foldedTotal());
                assertEquals(5, s.foldedDistinct());
                assertEquals(5L, s.lastUpdate().getVersion());
                assertTrue(s.recentRequests().size() <= LoopMonitor.RECENT_REQUESTS);
            }
        }
    }

    /**
     * A monitor that stalls (a long GC pause, a machine under load) must not count what it read before the stall a
     * second time. A consumer-group reader, as the monitor was, is put out of its group by a stall longer than its
     * poll interval; when it rejoins, its partitions start again from its last committed offset and it re-reads
     * everything since (here: all of it, counted as 20 repeated requests and 5 repeated folds). The same fall-back
     * follows a Kafka outage longer than the session. The stall is made by holding the monitor's lock while its
     * reader hands it the first record; the poll interval is shortened through the consumer settings so that the
     * stall is short.
     */
    @Test
    void aMonitorStalledPastItsPollIntervalCountsNothingTwice(@TempDir Path tmp) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(tmp.resolve("kafka")).start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
            for (String t : List.of(Topics.LABEL_REQUESTS, Topics.LABELS, Topics.MODEL_UPDATES, Topics.DEAD_LETTER)) {
                kafka.createTopic(t, 1, Map.of());
            }
            SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
            AvroWireCodec<LabelRequest> requests = AvroWireCodec.specific(LabelRequest.class, client);
            AvroWireCodec<ModelUpdate> updates = AvroWireCodec.specific(ModelUpdate.class, client);
            Instant now = Instant.now();
            Map<String, String> settings = Map.of("max.poll.interval.ms", "1500", "session.timeout.ms", "6000",
                    "heartbeat.interval.ms", "300");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TruthOracle.producerProperties(kafka.bootstrapServers()));
                 LoopMonitor monitor = new LoopMonitor(kafka.bootstrapServers(), settings, client, Map.of(),
                         Topics.LABEL_REQUESTS, Topics.LABELS, Topics.MODEL_UPDATES, Topics.DEAD_LETTER)) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(Topics.LABEL_REQUESTS, requests.encode(Topics.LABEL_REQUESTS, request(i, now))));
                }
                for (int v = 1; v <= 5; v++) {
                    producer.send(new ProducerRecord<>(Topics.MODEL_UPDATES, updates.encode(Topics.MODEL_UPDATES, update(v, now))));
                }
                producer.flush();
                Thread t = new Thread(monitor, "monitor");
                t.setDaemon(true);
                synchronized (monitor) {
                    t.start();
                    // the reader fetches the records and blocks on the first; 8 s is well past its 1.5 s poll interval
                    Thread.sleep(8_000);
                }
                // one record more on each topic: once the monitor has it, it has read whatever came before it again
                producer.send(new ProducerRecord<>(Topics.LABEL_REQUESTS, requests.encode(Topics.LABEL_REQUESTS, request(20, now))));
                producer.send(new ProducerRecord<>(Topics.MODEL_UPDATES, updates.encode(Topics.MODEL_UPDATES, update(6, now))));
                producer.flush();
                LoopMonitor.Snapshot s = monitor.snapshot();
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (System.nanoTime() < deadline && !(s.lastUpdate() != null && s.lastUpdate().getVersion() == 6
                        && s.recentRequests().stream().anyMatch(r -> r.eventId().equals("ev-20")))) {
                    Thread.sleep(100);
                    s = monitor.snapshot();
                }
                assertEquals(21, s.requests(), "every request counted");
                assertEquals(0, s.duplicateRequests(), "no request counted twice");
                assertEquals(6, s.updatesTotal(), "each model update counted once");
                assertEquals(6, s.foldedTotal(), "each fold counted once");
                assertEquals(6, s.foldedDistinct());
            }
        }
    }

    private static LabelRequest request(int i, Instant now) {
        return LabelRequest.newBuilder().setRequestId("req-" + i).setEventId("ev-" + i).setFeatures(List.of(0.5f))
                .setStrategy("balent").setScore(i).setModelVersion(1L).setCreatedAt(now).setDeadline(now.plusSeconds(60))
                .setNumClasses(2).build();
    }

    private static ModelUpdate update(int v, Instant now) {
        return ModelUpdate.newBuilder().setVersion(v).setLabelsFolded(v).setRefreshCount(0).setCreatedAt(now)
                .setFoldedEventIds(List.of("ev-" + v)).build();
    }
}
