package io.alstream.flink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.alstream.connectors.serde.AvroWireCodec;

/** Reads a whole topic from the start, read_committed, decoding values with the wire codec. */
final class TopicReader<T> implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroWireCodec<T> codec;
    private final List<T> values = new ArrayList<>();

    TopicReader(String bootstrap, String topic, AvroWireCodec<T> codec) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(topic));
        this.codec = codec;
    }

    /** Polls once (up to {@code ms}) and returns what arrived in this poll. */
    List<T> poll(long ms) {
        List<T> fresh = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(ms))) {
            T v = codec.decode(r.value());
            fresh.add(v);
            values.add(v);
        }
        return fresh;
    }

    /** Everything read so far. */
    List<T> all() {
        return values;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
