package io.alstream.local.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;

/**
 * Watches what the loop writes, as a dashboard would: label requests, consolidated labels, model
 * updates and dead letters, read_committed (only what the exactly-once sinks committed). Thread-safe
 * snapshots for the progress line and the summary.
 */
public final class LoopMonitor implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopMonitor.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroWireCodec<LabelRequest> requests;
    private final AvroWireCodec<ConsolidatedLabel> labels;
    private final AvroWireCodec<ModelUpdate> updates;
    private final AvroWireCodec<DeadLetter> deadLetters;
    private volatile boolean running = true;
    private final String requestsTopic;
    private final String labelsTopic;
    private final String updatesTopic;
    private final String deadLetterTopic;
    /** How many of the newest label requests {@link Snapshot#recentRequests()} keeps. */
    static final int RECENT_REQUESTS = 15;

    // state, guarded by this
    private final Set<String> requestedIds = new HashSet<>();
    private final Map<String, Integer> requestsByStrategy = new TreeMap<>();
    private int duplicateRequests;
    private final Set<String> labelledIds = new HashSet<>();
    private int labelsUnlabelled;
    private int labelsCorrect;
    private final List<Long> labelLatencies = new ArrayList<>();
    private final Map<String, Long> labelledAt = new HashMap<>();
    private final List<Long> foldLatencies = new ArrayList<>();
    private final List<String> foldedIds = new ArrayList<>();
    private final List<ModelUpdate> modelUpdates = new ArrayList<>();
    private final Map<String, Integer> deadLettersByReason = new TreeMap<>();
    private final Map<String, Integer> truth;
    private final java.util.ArrayDeque<RecentRequest> recentRequests = new java.util.ArrayDeque<>();

    public LoopMonitor(String bootstrap, SchemaRegistryClient registry, Map<String, Integer> truth) {
        this(bootstrap, Map.of(), registry, truth, Topics.LABEL_REQUESTS, Topics.LABELS, Topics.MODEL_UPDATES,
                Topics.DEAD_LETTER);
    }

    /**
     * Watches topics named otherwise than the defaults (the job's {@code topics.*} settings), with further
     * consumer settings (the job's {@code kafka.client.*}: security and the like).
     */
    public LoopMonitor(String bootstrap, Map<String, String> clientSettings, SchemaRegistryClient registry,
                       Map<String, Integer> truth, String requestsTopic, String labelsTopic, String updatesTopic,
                       String deadLetterTopic) {
        this.requestsTopic = requestsTopic;
        this.labelsTopic = labelsTopic;
        this.updatesTopic = updatesTopic;
        this.deadLetterTopic = deadLetterTopic;
        Properties p = new Properties();
        p.putAll(clientSettings);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "alstream-demo-monitor-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(requestsTopic, labelsTopic, updatesTopic, deadLetterTopic));
        requests = AvroWireCodec.specific(LabelRequest.class, registry);
        labels = AvroWireCodec.specific(ConsolidatedLabel.class, registry);
        updates = AvroWireCodec.specific(ModelUpdate.class, registry);
        deadLetters = AvroWireCodec.specific(DeadLetter.class, registry);
        this.truth = truth;
    }

    @Override
    public void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        take(r);
                    } catch (RuntimeException e) {
                        LOG.warn("monitor could not read {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private synchronized void take(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        if (topic.equals(requestsTopic)) {
            LabelRequest q = requests.decode(r.value());
            if (!requestedIds.add(q.getEventId())) {
                duplicateRequests++;
            }
            requestsByStrategy.merge(q.getStrategy(), 1, Integer::sum);
            recentRequests.addFirst(new RecentRequest(r.timestamp(), q.getEventId(), q.getStrategy(), q.getScore(),
                    q.getModelVersion()));
            if (recentRequests.size() > RECENT_REQUESTS) {
                recentRequests.removeLast();
            }
        } else if (topic.equals(labelsTopic)) {
            ConsolidatedLabel l = labels.decode(r.value());
            if (l.getLabel() == null) {
                labelsUnlabelled++;
            } else if (labelledIds.add(l.getEventId())) {
                labelledAt.put(l.getEventId(), l.getLabelledAt().toEpochMilli());
                Integer t = truth.get(l.getEventId());
                if (t != null && t.intValue() == l.getLabel()) {
                    labelsCorrect++;
                }
                if (l.getRequestedAt() != null) {
                    labelLatencies.add(l.getLabelledAt().toEpochMilli() - l.getRequestedAt().toEpochMilli());
                }
            }
        } else if (topic.equals(updatesTopic)) {
            ModelUpdate u = updates.decode(r.value());
            modelUpdates.add(u);
            foldedIds.addAll(u.getFoldedEventIds());
            for (String id : u.getFoldedEventIds()) {
                Long at = labelledAt.get(id);
                if (at != null) {
                    // the update is published at most job.model-broadcast-interval-ms after the fold: an upper bound
                    foldLatencies.add(u.getCreatedAt().toEpochMilli() - at);
                }
            }
        } else if (topic.equals(deadLetterTopic)) {
            deadLettersByReason.merge(deadLetters.decode(r.value()).getErrorClass(), 1, Integer::sum);
        }
    }

    /** What has been seen so far. */
    public synchronized Snapshot snapshot() {
        ModelUpdate last = modelUpdates.isEmpty() ? null : modelUpdates.get(modelUpdates.size() - 1);
        return new Snapshot(requestedIds.size(), duplicateRequests, new TreeMap<>(requestsByStrategy), labelledIds.size(),
                labelsUnlabelled, labelsCorrect, foldedIds.size(), new HashSet<>(foldedIds).size(), last,
                new ArrayList<>(modelUpdates), new TreeMap<>(deadLettersByReason), new ArrayList<>(labelLatencies),
                new ArrayList<>(foldLatencies), List.copyOf(recentRequests));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }

    /** One label request as the monitor read it (newest first in {@link Snapshot#recentRequests()}). */
    public record RecentRequest(long writtenAt, String eventId, String strategy, double score, long modelVersion) {
    }

    /** A consistent view of the loop's outputs. */
    public record Snapshot(int requests, int duplicateRequests, Map<String, Integer> requestsByStrategy, int labels,
                           int closedUnlabelled, int labelsCorrect, int foldedTotal, int foldedDistinct,
                           ModelUpdate lastUpdate, List<ModelUpdate> updates, Map<String, Integer> deadLetters,
                           List<Long> labelLatenciesMs, List<Long> foldLatenciesMs, List<RecentRequest> recentRequests) {

        public int deadLetterCount() {
            return deadLetters.values().stream().mapToInt(Integer::intValue).sum();
        }

        public Double heldOutAccuracy() {
            for (int i = updates.size() - 1; i >= 0; i--) {
                Double a = updates.get(i).getMetrics().get("heldout_accuracy");
                if (a != null) {
                    return a;
                }
            }
            return null;
        }

        public Map<String, Double> firstHeldOut() {
            Map<String, Double> m = new HashMap<>();
            for (ModelUpdate u : updates) {
                Double a = u.getMetrics().get("heldout_accuracy");
                if (a != null) {
                    m.put("accuracy", a);
                    m.put("labels", (double) u.getLabelsFolded());
                    return m;
                }
            }
            return m;
        }

        public long medianLatencyMs() {
            return quantile(labelLatenciesMs, 0.5);
        }

        /** From the broker's consolidated label to the model version that holds it (an upper bound). */
        public long foldLatencyMs(double q) {
            return quantile(foldLatenciesMs, q);
        }

        public static long quantile(List<Long> values, double q) {
            if (values.isEmpty()) {
                return -1;
            }
            List<Long> s = new ArrayList<>(values);
            s.sort(Long::compare);
            return s.get(Math.min(s.size() - 1, (int) Math.floor(q * s.size())));
        }
    }
}
