package io.alstream.local.cluster.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.local.kafka.CommittedTopicReader;

/**
 * What a downstream reader of the job's and the broker's outputs sees: every record of some topics, read
 * {@code read_committed} from their start on a thread of its own, kept raw (decoded only at the end, when the
 * registry is surely up) with the time it became visible here. It rides out Kafka outages as any consumer does.
 *
 * <p>Each record is kept once: {@link CommittedTopicReader} takes every partition itself (no consumer group), so a
 * broker outage cannot cost it its position, and hands on a record at an offset it has already read (a fetch position
 * moved back) only once, counting the re-read. A group reader with auto-committed offsets, as this was first, reads
 * again after an outage longer than its session the records it read since its last offset commit: the first full
 * failure matrix counted those as repeated outputs.
 */
final class CommittedLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommittedLog.class);

    /** One committed record as read. */
    record Entry(String topic, int partition, long offset, byte[] key, byte[] value, long visibleAt) {
    }

    private final CommittedTopicReader reader;
    private final List<Entry> entries = new ArrayList<>();
    private final Thread thread;
    private volatile long rereads;
    private volatile boolean stop;
    private volatile Exception failure;

    CommittedLog(String bootstrap, List<String> topics) {
        this.reader = new CommittedTopicReader(bootstrap, Map.of(), topics);
        try {
            reader.requireTopics(Duration.ofMinutes(2));
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        this.thread = new Thread(this::run, "committed-log");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop) {
                reader.poll(Duration.ofMillis(200), r -> keep(new Entry(r.topic(), r.partition(), r.offset(), r.key(),
                        r.value(), System.currentTimeMillis())));
                rereads = reader.rereads();
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (Exception e) {
            failure = e;
            LOG.error("the committed-output reader failed", e);
        } finally {
            reader.close();
        }
    }

    private void keep(Entry e) {
        synchronized (entries) {
            entries.add(e);
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
        return rereads;
    }

    Exception failure() {
        return failure;
    }

    @Override
    public void close() {
        stop = true;
        reader.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
