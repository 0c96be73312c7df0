package io.alstream.local.kafka;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each partition a reader has handed on: records of a partition come in offset order, so the offset
 * after the last one handed on is all it needs. A record below it is a re-read (a fetch position that moved back) and
 * is counted, not handed on again. Not thread-safe.
 */
public final class ReadOffsets {
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private long rereads;

    /** Whether the record at {@code offset} is read for the first time; records it as read if so. */
    public boolean firstRead(String topic, int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        if (offset < next.getOrDefault(tp, 0L)) {
            rereads++;
            return false;
        }
        next.put(tp, offset + 1);
        return true;
    }

    /** Records fetched again at an offset already handed on. */
    public long rereads() {
        return rereads;
    }
}
