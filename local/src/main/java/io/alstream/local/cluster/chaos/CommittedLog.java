package io.alstream.local.cluster.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.local.cluster.TruthOracle;

/**
 * What a downstream reader of the job's and the broker's outputs sees: every record of some topics, read
 * {@code read_committed} from their start on a thread of its own, kept raw (decoded only at the end, when the
 * registry is surely up) with the time it became visible here. It rides out Kafka outages as any consumer does.
 *
 * <p>Each record is kept once: the reader takes every partition of its topics itself ({@code assign}, no consumer
 * group), so a broker outage cannot cost it its position, and a record at an offset it has already read (a fetch
 * position moved back, e.g. after a log-truncation check) is counted as a re-read and not kept again. A group reader
 * with auto-committed offsets, as this was first, reads again after an outage longer than its session the records it
 * read since its last offset commit: the first full failure matrix counted those as repeated outputs.
 */
final class CommittedLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommittedLog.class);

    /** One committed record as read. */
    record Entry(String topic, int partition, long offset, byte[] key, byte[] value, long visibleAt) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Entry> entries = new ArrayList<>();
    /** Per partition, the offset after the last record kept (guarded by {@code entries}). */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final AtomicLong rereads = new AtomicLong();
    private final Thread thread;
    private volatile boolean stop;
    private volatile Exception failure;

    /** A log that reads nothing by itself: records are handed to {@link #keep}. */
    CommittedLog() {
        this.consumer = null;
        this.thread = null;
    }

    CommittedLog(String bootstrap, List<String> topics) {
        this.consumer = new KafkaConsumer<>(readerProperties(bootstrap));
        List<TopicPartition> partitions = new ArrayList<>();
        for (String t : topics) {
            List<PartitionInfo> info = consumer.partitionsFor(t, Duration.ofMinutes(2));
            if (info == null || info.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + t + " has no partitions (does it exist?)");
            }
            info.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::run, "committed-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** read_committed from the start, no consumer group (so no offsets committed and no rebalance to lose a position). */
    static Properties readerProperties(String bootstrap) {
        Properties p = TruthOracle.committedReaderProperties(bootstrap, "failure-run-observer");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return p;
    }

    private void run() {
        try {
            while (!stop) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    keep(new Entry(r.topic(), r.partition(), r.offset(), r.key(), r.value(), System.currentTimeMillis()));
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (Exception e) {
            failure = e;
            LOG.error("the committed-output reader failed", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Keeps a fetched record unless its partition has already been read past its offset (then it is a re-read of
     * a record kept before, counted in {@link #rereads()}); returns whether it was kept. Records of a partition come
     * in offset order, so the offset after the last kept record is all that is remembered.
     */
    boolean keep(Entry e) {
        TopicPartition tp = new TopicPartition(e.topic(), e.partition());
        synchronized (entries) {
            if (e.offset() < next.getOrDefault(tp, 0L)) {
                rereads.incrementAndGet();
                return false;
            }
            next.put(tp, e.offset() + 1);
            entries.add(e);
            return true;
        }
    }

    List<Entry> of(String topic) {
        synchronized (entries) {
            return entries.stream().filter(e -> e.topic().equals(topic)).toList();
        }
    }

    /** Records of {@code topic} that became visible after {@code t} (epoch ms). */
    long countAfter(String topic, long t) {
        synchronized (entries) {
            return entries.stream().filter(e -> e.topic().equals(topic) && e.visibleAt() > t).count();
        }
    }

    /** Records fetched again at an offset already read, and not kept a second time. */
    long rereads() {
        return rereads.get();
    }

    Exception failure() {
        return failure;
    }

    @Override
    public void close() {
        stop = true;
        if (consumer == null) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<Entry> copy(List<Entry> l) {
        return new ArrayList<>(l);
    }
}
