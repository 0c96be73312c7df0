package io.alstream.connectors.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.SharedKafka;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.schemas.LabelRequest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The real parts the broker's integration tests share: the module's in-JVM Kafka broker and one
 * schema registry on it, with the Confluent wire-format serdes. Each test takes its own topic names.
 */
final class BrokerTestKafka {
    private static RegistryServer registry;
    private static SchemaRegistryClient client;

    private BrokerTestKafka() {
    }

    static String bootstrap() {
        return SharedKafka.bootstrap();
    }

    static synchronized SchemaRegistryClient registry() {
        if (registry == null) {
            registry = RegistryServer.builder(bootstrap()).port(0).topic("_schemas-broker-" + suffix()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "broker-test-registry-stop"));
            client = SchemaRegistryClient.builder(registry.url()).build();
        }
        return client;
    }

    /** The shared registry's base URL. */
    static synchronized String registryUrl() {
        registry();
        return registry.url();
    }

    static BrokerSerdes serdes() {
        return BrokerSerdes.avro(registry());
    }

    static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Config with topic names and application id of its own. */
    static BrokerConfig.Builder freshConfig(String name) {
        String s = name + "-" + suffix();
        return BrokerConfig.builder()
                .applicationId("broker-" + s)
                .requestsTopic("requests-" + s)
                .answersTopic("answers-" + s)
                .labelsTopic("labels-" + s)
                .deadLetterTopic("dead-letters-" + s);
    }

    /** A started broker on the shared Kafka, its worker API on a free port. */
    static LabelBroker startBroker(BrokerSerdes serdes, BrokerConfig config, WorkerTokens tokens) {
        return LabelBroker.builder()
                .bootstrapServers(bootstrap())
                .serdes(serdes)
                .config(config)
                .tokens(tokens)
                .httpPort(0)
                .start();
    }

    static void produce(BrokerSerdes serdes, String topic, List<LabelRequest> requests) {
        produce(bootstrap(), serdes, topic, requests);
    }

    static void produce(String bootstrap, BrokerSerdes serdes, String topic, List<LabelRequest> requests) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (LabelRequest r : requests) {
                producer.send(new ProducerRecord<>(topic, r.getEventId(), serdes.requests().serializer().serialize(topic, r)));
            }
            producer.flush();
        }
    }

    /** Every record now on a topic, read_committed, from the beginning. */
    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, Duration quiet) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            long deadline = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r);
                }
                boolean done = true;
                for (TopicPartition tp : parts) {
                    if (c.position(tp) < end.get(tp)) {
                        done = false;
                    }
                }
                if (done) {
                    break;
                }
            }
        }
        return out;
    }
}
