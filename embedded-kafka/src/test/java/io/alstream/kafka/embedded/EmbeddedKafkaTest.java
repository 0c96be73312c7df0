package io.alstream.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @Test
    void transactionalWritesAreVisibleOnlyWhenCommittedAndSurviveARestart(@TempDir Path dir) throws Exception {
        String topic = "t";
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir).start()) {
            kafka.createTopic(topic, 2, Map.of());
            try (Admin admin = kafka.admin()) {
                FeatureMetadata features = admin.describeFeatures().featureMetadata().get();
                assertEquals(1, features.finalizedFeatures().get("transaction.version").maxVersionLevel(),
                        "the log must be formatted with transaction.version=1");
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(kafka, "tx-1"))) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "k1", "committed"));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "k2", "aborted"));
                producer.flush();
                producer.abortTransaction();
            }
            assertEquals(List.of("committed"), readCommitted(kafka, topic, 1));

            kafka.stop();
            assertFalse(kafka.isRunning());
            kafka.start();
            assertTrue(kafka.topics().contains(topic), "topic must survive a restart on the same data directory");
            assertEquals(List.of("committed"), readCommitted(kafka, topic, 1));
        }
        assertTrue(Files.exists(dir), "a given data directory is kept on close");
    }

    @Test
    void temporaryDataDirectoryIsDeletedOnClose() {
        Path dir;
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            dir = kafka.dataDir();
            assertTrue(Files.exists(dir));
        }
        assertFalse(Files.exists(dir));
    }

    private static Properties producerProps(EmbeddedKafka kafka, String txId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId);
        return p;
    }

    private static List<String> readCommitted(EmbeddedKafka kafka, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 20_000;
            // read until the expected records arrived, then a little longer to catch anything extra
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                if (values.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 1000;
                }
            }
        }
        return values;
    }
}
