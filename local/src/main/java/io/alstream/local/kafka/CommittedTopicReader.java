package io.alstream.local.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a downstream reader of the loop's outputs needs: every record the exactly-once sinks committed
 * ({@code read_committed}) on some topics, from their start, each offset handed on once.
 *
 * <p>The reader takes every partition itself ({@code assign}) and belongs to no consumer group. A group reader with
 * auto-committed offsets, as the live pages' monitor and the benchmark's model-update log were, loses its partitions
 * when it is put out of its group (a stall longer than its poll interval, a Kafka outage longer than its session) and
 * starts them again from its last committed offset, reading again what it had read since: the first full failure
 * matrix counted such re-reads as repeated requests and folds. Here no position can fall back to a committed
 * offset; should a fetch position move back anyway, {@link ReadOffsets} keeps the records already handed on from
 * being handed on again. A topic that does not exist yet is looked for again every few seconds. Not thread-safe,
 * apart from {@link #wakeup()}.
 */
public final class CommittedTopicReader implements AutoCloseable {
    /** How often a topic without partitions (not created yet) is looked for again. */
    private static final Duration LOOK_AGAIN = Duration.ofSeconds(2);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<String> topics;
    private final Set<String> found = new LinkedHashSet<>();
    private final Set<TopicPartition> assigned = new LinkedHashSet<>();
    private final ReadOffsets offsets = new ReadOffsets();
    /** When topics were last looked for (System.nanoTime); the first poll looks at once. */
    private long lookedAt = System.nanoTime() - LOOK_AGAIN.toNanos();

    /**
     * @param clientSettings further consumer settings (security and the like: the job's {@code kafka.client.*}); any
     *                       group or offset-commit setting among them is overridden, the reader has no group
     */
    public CommittedTopicReader(String bootstrap, Map<String, String> clientSettings, List<String> topics) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a reader of no topics");
        }
        this.consumer = new KafkaConsumer<>(properties(bootstrap, clientSettings));
        this.topics = List.copyOf(topics);
    }

    /** read_committed from the start, raw bytes, no consumer group (so no offsets committed and no rebalance), no topic created. */
    static Properties properties(String bootstrap, Map<String, String> clientSettings) {
        Properties p = new Properties();
        p.putAll(clientSettings);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // looking for a topic the job has not created yet must not create it (with the broker's default partitions)
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    /**
     * Waits up to {@code timeout} until every topic has partitions; throws if one has none by then (it does not
     * exist). For readers that must not start on a misspelt topic; the others find their topics as they appear.
     */
    public CommittedTopicReader requireTopics(Duration timeout) {
        for (String t : topics) {
            List<PartitionInfo> info = consumer.partitionsFor(t, timeout);
            if (info == null || info.isEmpty()) {
                throw new IllegalStateException("topic " + t + " has no partitions (does it exist?)");
            }
        }
        lookForPartitions(timeout);
        return this;
    }

    /**
     * Fetches once, waiting up to {@code timeout}, and hands each record at an offset not handed on before to
     * {@code sink}, in offset order per partition; returns how many it handed on. Before the topics have partitions
     * it waits and returns 0.
     */
    public int poll(Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> sink) throws InterruptedException {
        if (found.size() < topics.size() && System.nanoTime() - lookedAt >= LOOK_AGAIN.toNanos()) {
            lookForPartitions(timeout);
        }
        if (assigned.isEmpty()) {
            Thread.sleep(timeout.toMillis());
            return 0;
        }
        int handed = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            if (offsets.firstRead(r.topic(), r.partition(), r.offset())) {
                sink.accept(r);
                handed++;
            }
        }
        return handed;
    }

    private void lookForPartitions(Duration timeout) {
        lookedAt = System.nanoTime();
        List<TopicPartition> fresh = new ArrayList<>();
        for (String t : topics) {
            if (found.contains(t)) {
                continue;
            }
            List<PartitionInfo> info;
            try {
                info = consumer.partitionsFor(t, timeout);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                continue; // Kafka unreachable for now: looked for again later
            }
            if (info != null && !info.isEmpty()) {
                found.add(t);
                info.forEach(p -> fresh.add(new TopicPartition(p.topic(), p.partition())));
            }
        }
        if (!fresh.isEmpty()) {
            assigned.addAll(fresh);
            consumer.assign(assigned); // partitions already assigned keep their positions
            consumer.seekToBeginning(fresh);
        }
    }

    /** Records fetched again at an offset already handed on, and not handed on again. */
    public long rereads() {
        return offsets.rereads();
    }

    /** Ends a {@link #poll} in progress with a {@code WakeupException}: the one call safe from another thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
