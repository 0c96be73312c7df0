package io.alstream.local.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many records a topic holds, as the sum of its partitions' end offsets (committed transactions'
 * markers included, so an upper bound on events by a few per transaction): the live page's "events" for
 * {@code alstream run}, where this process does not write the events itself. Asks the broker at most once a
 * second; the last answer is kept when the broker cannot be reached.
 */
public final class TopicSize implements LongSupplier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSize.class);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private long last;
    private long askedAt;

    public TopicSize(String bootstrap, Map<String, String> clientSettings, String topic) {
        Properties p = new Properties();
        p.putAll(clientSettings);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(p);
        this.topic = topic;
    }

    @Override
    public synchronized long getAsLong() {
        long now = System.currentTimeMillis();
        if (now - askedAt < 1000) {
            return last;
        }
        askedAt = now;
        try {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(2))) {
                parts.add(new TopicPartition(topic, info.partition()));
            }
            long sum = 0;
            for (Long end : consumer.endOffsets(parts, Duration.ofSeconds(2)).values()) {
                sum += end;
            }
            last = sum;
        } catch (RuntimeException e) {
            LOG.debug("could not read the size of {}: {}", topic, e.toString());
        }
        return last;
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
