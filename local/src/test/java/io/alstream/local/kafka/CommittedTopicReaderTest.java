package io.alstream.local.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.local.cluster.TruthOracle;

/** The shared reader of committed outputs on a real broker. */
class CommittedTopicReaderTest {

    /**
     * A topic the job has not created yet when the reader starts (a live page opened first) is read from its start
     * once it exists, every partition; a group id among the client settings does not make the reader join a group.
     */
    @Test
    void findsATopicCreatedAfterItStartedAndJoinsNoGroup(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka")).start()) {
            kafka.createTopic("early", 1, Map.of());
            List<String> read = new ArrayList<>();
            try (CommittedTopicReader reader = new CommittedTopicReader(kafka.bootstrapServers(),
                    Map.of("group.id", "a-group-from-the-settings"), List.of("early", "late"));
                 KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(TruthOracle.producerProperties(kafka.bootstrapServers()))) {
                p.send(new ProducerRecord<>("early", bytes("e-0"))).get();
                poll(reader, read, 1);
                kafka.createTopic("late", 3, Map.of());
                for (int i = 0; i < 9; i++) {
                    p.send(new ProducerRecord<>("late", i % 3, null, bytes("l-" + i))).get();
                }
                poll(reader, read, 10);
                assertEquals(10, read.stream().distinct().count(), "each record once: " + read);
                assertTrue(read.contains("e-0") && read.contains("l-0") && read.contains("l-8"), read.toString());
                assertEquals(0, reader.rereads());
                try (Admin admin = kafka.admin()) {
                    List<String> groups = admin.listGroups().all().get().stream().map(GroupListing::groupId).toList();
                    assertTrue(groups.isEmpty(), "the reader joined a consumer group: " + groups);
                }
            }
        }
    }

    @Test
    void aReaderThatMustFindItsTopicsSaysWhichIsMissing(@TempDir Path dir) {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir.resolve("kafka"))
                .brokerProperty("auto.create.topics.enable", "false").start();
             CommittedTopicReader reader = new CommittedTopicReader(kafka.bootstrapServers(), Map.of(), List.of("nowhere"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> reader.requireTopics(Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
        }
    }

    private static void poll(CommittedTopicReader reader, List<String> read, int until) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (read.size() < until) {
            assertTrue(System.nanoTime() < deadline, "only " + read + " read within 120 s");
            reader.poll(Duration.ofMillis(200), r -> read.add(new String(r.value(), StandardCharsets.UTF_8)));
        }
        // a few polls more: nothing is handed on twice
        for (int i = 0; i < 5; i++) {
            reader.poll(Duration.ofMillis(200), r -> read.add(new String(r.value(), StandardCharsets.UTF_8)));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
