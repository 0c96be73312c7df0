package io.alstream.local.cluster.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.local.cluster.TruthOracle;

/**
 * What a downstream reader of the job's and the broker's outputs sees: every record of some topics, read
 * {@code read_committed} from their start on a thread of its own, kept raw (decoded only at the end, when the
 * registry is surely up) with the time it became visible here. It rides out Kafka outages as any consumer does.
 */
final class CommittedLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommittedLog.class);

    /** One committed record as read. */
    record Entry(String topic, int partition, long offset, byte[] key, byte[] value, long visibleAt) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Entry> entries = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;
    private volatile Exception failure;

    CommittedLog(String bootstrap, List<String> topics) {
        Properties p = TruthOracle.committedReaderProperties(bootstrap, "failure-run-observer");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        this.consumer = new KafkaConsumer<>(p);
        consumer.subscribe(topics);
        this.thread = new Thread(this::run, "committed-log");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Entry e = new Entry(r.topic(), r.partition(), r.offset(), r.key(), r.value(), System.currentTimeMillis());
                    synchronized (entries) {
                        entries.add(e);
                    }
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

    Exception failure() {
        return failure;
    }

    @Override
    public void close() {
        stop = true;
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
