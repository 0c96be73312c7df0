package io.alstream.connectors.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import io.alstream.connectors.registry.RegistryClientConfig;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.SharedKafka;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.UnlabeledEvent;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kafka serializer and deserializer through a real broker, and the Streams serde in a topology. */
class KafkaAvroSerdeTest {
    static RegistryServer server;
    static SchemaRegistryClient client;

    @BeforeAll
    static void start() {
        server = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic()).start();
        client = SchemaRegistryClient.builder(server.url()).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void producerAndConsumerConfiguredByClassNameRoundTripThroughTheBroker() {
        String topic = "events-" + UUID.randomUUID();
        SharedKafka.get().createTopic(topic, 1, Map.of());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class.getName());
        p.put(RegistryClientConfig.URL, server.url());
        UnlabeledEvent event = SampleRecords.event();
        try (KafkaProducer<String, UnlabeledEvent> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, event.getId(), event));
            producer.send(new ProducerRecord<>(topic, "tombstone", null));
        }
        // a record of garbage between good ones: the consumer must say which and why
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedKafka.bootstrap()), new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topic, "bad".getBytes(), new byte[] {7, 0, 0, 0, 1, 2}));
        }
        assertEquals(1, client.latest(topic + "-value").version(), "registered under <topic>-value");

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
        c.put(AvroDeserializer.SPECIFIC_VALUE_TYPE, UnlabeledEvent.class.getName());
        c.put(RegistryClientConfig.URL, server.url());
        List<ConsumerRecord<String, UnlabeledEvent>> got = new ArrayList<>();
        RecordDeserializationException bad = null;
        try (KafkaConsumer<String, UnlabeledEvent> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            for (int polls = 0; polls < 100 && bad == null; polls++) {
                try {
                    consumer.poll(Duration.ofMillis(200)).forEach(got::add);
                } catch (RecordDeserializationException e) {
                    bad = e;
                }
            }
        }
        assertEquals(2, got.size(), "the event and the tombstone came before the bad record");
        assertEquals(event, got.get(0).value());
        assertNull(got.get(1).value(), "tombstones stay null");
        assertNotNull(bad, "the bad record must surface as a RecordDeserializationException");
        WireFormatException why = assertInstanceOf(WireFormatException.class, bad.getCause());
        assertEquals("bad-magic-byte", why.code());
        assertEquals(2L, bad.offset());
    }

    @Test
    void streamsSerdeInATopology() {
        String in = "requests-in-" + UUID.randomUUID();
        String out = "requests-out-" + UUID.randomUUID();
        Serde<LabelRequest> serde = AvroSerdes.specific(LabelRequest.class, client, false);
        StreamsBuilder b = new StreamsBuilder();
        b.stream(in, Consumed.with(Serdes.String(), serde))
                .mapValues(r -> LabelRequest.newBuilder(r).setPriority(r.getPriority() + 1).build())
                .to(out, Produced.with(Serdes.String(), serde));
        Properties props = new Properties();
        props.put("application.id", "serde-test");
        props.put("bootstrap.servers", "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(b.build(), props)) {
            TestInputTopic<String, LabelRequest> input = driver.createInputTopic(in, Serdes.String().serializer(), serde.serializer());
            TestOutputTopic<String, LabelRequest> output = driver.createOutputTopic(out, Serdes.String().deserializer(), serde.deserializer());
            LabelRequest req = SampleRecords.request();
            input.pipeInput(req.getEventId(), req);
            LabelRequest result = output.readValue();
            assertEquals(req.getPriority() + 1, result.getPriority());
            assertEquals(req.getScores(), result.getScores());
        }
        // both topics' subjects got the class's schema, under one id
        assertEquals(client.latest(in + "-value").id(), client.latest(out + "-value").id());

        Serde<GenericRecord> generic = AvroSerdes.generic(client, false);
        byte[] bytes = serde.serializer().serialize(out, SampleRecords.request());
        assertEquals("req-42-3", generic.deserializer().deserialize(out, bytes).get("requestId").toString());
        assertThrows(WireFormatException.class, () -> generic.deserializer().deserialize(out, new byte[] {0, 1}));
    }
}
