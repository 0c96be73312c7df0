package io.alstream.flink.validate;

import java.util.HashMap;
import java.util.Map;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.OutputTag;

import io.alstream.flink.records.DeadLetterRecord;

/** The side output every validation step writes rejected records to, and their counters by reason. */
public final class DeadLetters {
    public static final OutputTag<DeadLetterRecord> TAG = new OutputTag<>("dead-letters") {
    };

    private final MetricGroup group;
    private final Map<String, Counter> byReason = new HashMap<>();

    public DeadLetters(MetricGroup operatorGroup) {
        this.group = operatorGroup.addGroup("alstream");
    }

    /** Counts a rejection as {@code alstream_dead_letters{reason=...}}. */
    public void count(String reason) {
        byReason.computeIfAbsent(reason, r -> group.addGroup("reason", r).counter("dead_letters")).inc();
    }
}
