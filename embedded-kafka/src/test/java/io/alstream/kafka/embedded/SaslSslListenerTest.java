package io.alstream.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker's SASL_SSL listener: TLS with a self-signed identity, SCRAM-SHA-512 logins, for real. */
class SaslSslListenerTest {

    private static Properties client(String bootstrap, Map<String, String> security) {
        Properties p = new Properties();
        p.putAll(security);
        p.put("bootstrap.servers", bootstrap);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        return p;
    }

    @Test
    void aUserLogsInOverTlsAndAWrongPasswordIsRefused(@TempDir Path tmp) throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(tmp.resolve("tls"), "store-pass-1");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().saslSsl(tls, Map.of("alice", "alice-secret")).start()) {
            kafka.createTopic("secure", 1, Map.of());
            Properties pp = client(kafka.secureBootstrapServers(), kafka.secureClientSettings("alice", "alice-secret"));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("secure", "k", "over tls")).get();
            }
            Properties cp = client(kafka.secureBootstrapServers(), kafka.secureClientSettings("alice", "alice-secret"));
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "g");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("secure"));
                String got = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (got == null && System.nanoTime() < deadline) {
                    ConsumerRecords<String, String> rs = consumer.poll(Duration.ofMillis(200));
                    if (!rs.isEmpty()) {
                        got = rs.iterator().next().value();
                    }
                }
                assertEquals("over tls", got);
            }

            Properties wrong = client(kafka.secureBootstrapServers(), kafka.secureClientSettings("alice", "not-her-password"));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(wrong, new StringSerializer(), new StringSerializer())) {
                Exception e = assertThrows(Exception.class, () -> producer.send(new ProducerRecord<>("secure", "k", "v")).get());
                Throwable cause = e;
                boolean sasl = false;
                while (cause != null) {
                    sasl |= cause instanceof SaslAuthenticationException;
                    cause = cause.getCause();
                }
                assertTrue(sasl, "refused by SCRAM: " + e);
            }

            // a client that does not speak TLS gets nothing from the TLS port
            Map<String, String> plain = Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                    "sasl.jaas.config", kafka.secureClientSettings("alice", "alice-secret").get("sasl.jaas.config"));
            Properties noTls = client(kafka.secureBootstrapServers(), plain);
            noTls.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "4000");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(noTls, new StringSerializer(), new StringSerializer())) {
                assertThrows(Exception.class, () -> producer.send(new ProducerRecord<>("secure", "k", "v")).get());
            }
        }
    }
}
