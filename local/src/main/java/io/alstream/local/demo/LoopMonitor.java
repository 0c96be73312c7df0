package io.alstream.local.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.local.kafka.CommittedTopicReader;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;

/**
 * Watches what the loop writes, as a dashboard would: label requests, consolidated labels, model
 * updates and dead letters, read_committed (only what the exactly-once sinks committed), each record once
 * ({@link CommittedTopicReader}: no consumer group whose position could fall back after a stall or an outage and
 * count records again). Thread-safe snapshots for the progress line and the summary.
 */
public final class LoopMonitor implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopMonitor.class);

    private final CommittedTopicReader reader;
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

    /** How much a bounded monitor ({@link #bounded(int)}) remembers; 0 = everything (the demo's). */
    private int keep;

    // state, guarded by this
    private final Set<String> requestedIds = boundedSet();
    private int requestsDistinct;
    private final Map<String, Integer> requestsByStrategy = new TreeMap<>();
    private int duplicateRequests;
    private final Set<String> labelledIds = boundedSet();
    private int labelsDistinct;
    private int labelsUnlabelled;
    private int labelsCorrect;
    private final java.util.ArrayDeque<Long> labelLatencies = new java.util.ArrayDeque<>();
    private final Map<String, Long> labelledAt = boundedMap();
    private final java.util.ArrayDeque<Long> foldLatencies = new java.util.ArrayDeque<>();
    private final Set<String> foldedIds = boundedSet();
    private int foldedTotal;
    private int foldedDistinct;
    private final java.util.ArrayDeque<ModelUpdate> modelUpdates = new java.util.ArrayDeque<>();
    private long updatesTotal;
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
        reader = new CommittedTopicReader(bootstrap, clientSettings,
                List.of(requestsTopic, labelsTopic, updatesTopic, deadLetterTopic));
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
                reader.poll(Duration.ofMillis(200), this::takeOrWarn);
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            reader.close();
        }
    }

    private void takeOrWarn(ConsumerRecord<byte[], byte[]> r) {
        try {
            take(r);
        } catch (RuntimeException e) {
            LOG.warn("monitor could not read {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
        }
    }

    private synchronized void take(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        if (topic.equals(requestsTopic)) {
            LabelRequest q = requests.decode(r.value());
            if (requestedIds.add(q.getEventId())) {
                requestsDistinct++;
            } else {
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
                labelsDistinct++;
                labelledAt.put(l.getEventId(), l.getLabelledAt().toEpochMilli());
                Integer t = truth.get(l.getEventId());
                if (t != null && t.intValue() == l.getLabel()) {
                    labelsCorrect++;
                }
                if (l.getRequestedAt() != null) {
                    append(labelLatencies, l.getLabelledAt().toEpochMilli() - l.getRequestedAt().toEpochMilli());
                }
            }
        } else if (topic.equals(updatesTopic)) {
            ModelUpdate u = updates.decode(r.value());
            append(modelUpdates, u);
            updatesTotal++;
            for (String id : u.getFoldedEventIds()) {
                foldedTotal++;
                if (foldedIds.add(id)) {
                    foldedDistinct++;
                }
            }
            for (String id : u.getFoldedEventIds()) {
                Long at = labelledAt.get(id);
                if (at != null) {
                    // the update is published at most job.model-broadcast-interval-ms after the fold: an upper bound
                    append(foldLatencies, u.getCreatedAt().toEpochMilli() - at);
                }
            }
        } else if (topic.equals(deadLetterTopic)) {
            deadLettersByReason.merge(deadLetters.decode(r.value()).getErrorClass(), 1, Integer::sum);
        }
    }

    /** What has been seen so far. */
    public synchronized Snapshot snapshot() {
        ModelUpdate last = modelUpdates.peekLast();
        return new Snapshot(requestsDistinct, duplicateRequests, new TreeMap<>(requestsByStrategy), labelsDistinct,
                labelsUnlabelled, labelsCorrect, foldedTotal, foldedDistinct, last,
                new ArrayList<>(modelUpdates), new TreeMap<>(deadLettersByReason), new ArrayList<>(labelLatencies),
                new ArrayList<>(foldLatencies), List.copyOf(recentRequests), updatesTotal);
    }

    @Override
    public void close() {
        running = false;
        reader.wakeup();
    }

    /**
     * Remembers only the newest {@code n} model updates and latencies and the newest {@code 10 n} ids, so a monitor
     * of a service that runs for days ({@code alstream run}'s live page) stays small: counts go on, duplicates are
     * caught within that window. Call before {@link #run()}. The demo keeps everything (its stream is finite).
     */
    public LoopMonitor bounded(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("a bounded monitor keeps at least one of each, not " + n);
        }
        this.keep = n;
        return this;
    }

    private <T> Set<T> boundedSet() {
        return java.util.Collections.newSetFromMap(boundedMap());
    }

    private <K, V> Map<K, V> boundedMap() {
        return new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return keep > 0 && size() > 10L * keep;
            }
        };
    }

    private <T> void append(java.util.ArrayDeque<T> q, T value) {
        q.addLast(value);
        if (keep > 0 && q.size() > keep) {
            q.removeFirst();
        }
    }

    /** One label request as the monitor read it (newest first in {@link Snapshot#recentRequests()}). */
    public record RecentRequest(long writtenAt, String eventId, String strategy, double score, long modelVersion) {
    }

    /**
     * A consistent view of the loop's outputs. {@code updates} are the model updates remembered (all of them, or
     * the newest of a {@link #bounded(int)} monitor), {@code updatesTotal} how many were read.
     */
    public record Snapshot(int requests, int duplicateRequests, Map<String, Integer> requestsByStrategy, int labels,
                           int closedUnlabelled, int labelsCorrect, int foldedTotal, int foldedDistinct,
                           ModelUpdate lastUpdate, List<ModelUpdate> updates, Map<String, Integer> deadLetters,
                           List<Long> labelLatenciesMs, List<Long> foldLatenciesMs, List<RecentRequest> recentRequests,
                           long updatesTotal) {

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
