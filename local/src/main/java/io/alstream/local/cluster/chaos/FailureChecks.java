package io.alstream.local.cluster.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.TopicPartition;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;

/**
 * The invariants of a failure run, judged only from what a read_committed reader of the outputs sees (plus the
 * events the run wrote and the job's committed source offsets): every event read and committed by the job, each
 * poisoned record dead-lettered and no valid event; no event counted twice by the scorers; no label request twice;
 * every consolidated label folded exactly once and nothing folded that was not labelled; no request pending past
 * its deadline; the budget spent within ±10%; the job RUNNING at the end.
 */
public final class FailureChecks {
    /** Slack after a request's deadline for the broker's deadline sweep and a checkpoint to make its close visible. */
    static final long DEADLINE_SLACK_MS = 30_000;

    /** What was written and what was read, at one moment. */
    record Snapshot(long eventsAcked, long sendFailures, Set<String> eventIds, List<long[]> poison,
                    Map<TopicPartition, Long> endOffsets, Map<TopicPartition, Long> committedOffsets,
                    List<CommittedLog.Entry> requests, List<CommittedLog.Entry> labels, List<CommittedLog.Entry> updates,
                    List<CommittedLog.Entry> deadLetters, double budget, long now, long readerRereads) {
    }

    /** One invariant, held or not, with the figures behind it. */
    public record Check(String name, boolean passed, String detail) {
    }

    /** All checks and the counts they rest on. */
    public record Verdict(List<Check> checks, Map<String, String> counts, boolean drained, String progress, List<String> duplicates) {
        public boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }

        public Verdict withJobState(String state) {
            List<Check> l = new ArrayList<>(checks);
            l.add(new Check("job RUNNING at the end", "RUNNING".equals(state), "state " + state));
            return new Verdict(List.copyOf(l), counts, drained, progress, duplicates);
        }

        public List<Check> failed() {
            return checks.stream().filter(c -> !c.passed()).toList();
        }
    }

    private final AvroWireCodec<LabelRequest> requestCodec;
    private final AvroWireCodec<ConsolidatedLabel> labelCodec;
    private final AvroWireCodec<ModelUpdate> updateCodec;
    private final AvroWireCodec<DeadLetter> deadLetterCodec;

    FailureChecks(SchemaRegistryClient registry) {
        this.requestCodec = AvroWireCodec.specific(LabelRequest.class, registry);
        this.labelCodec = AvroWireCodec.specific(ConsolidatedLabel.class, registry);
        this.updateCodec = AvroWireCodec.specific(ModelUpdate.class, registry);
        this.deadLetterCodec = AvroWireCodec.specific(DeadLetter.class, registry);
    }

    /** Whether any request was selected by the model (not a warm-up request). */
    static boolean anySelectedRequest(List<CommittedLog.Entry> requests, SchemaRegistryClient registry) {
        AvroWireCodec<LabelRequest> c = AvroWireCodec.specific(LabelRequest.class, registry);
        for (int i = requests.size() - 1; i >= 0; i--) {
            try {
                if (!"warmup".equals(String.valueOf(c.decode(requests.get(i).value()).getStrategy()))) {
                    return true;
                }
            } catch (RuntimeException e) {
                return false; // the registry is not answering: try again later
            }
        }
        return false;
    }

    Verdict judge(Snapshot s) {
        List<Check> checks = new ArrayList<>();
        Map<String, String> counts = new LinkedHashMap<>();
        List<LabelRequest> requests = s.requests().stream().map(e -> requestCodec.decode(e.value())).toList();
        List<ConsolidatedLabel> labels = s.labels().stream().map(e -> labelCodec.decode(e.value())).toList();
        List<ModelUpdate> updates = s.updates().stream().map(e -> updateCodec.decode(e.value())).toList();
        List<DeadLetter> deadLetters = s.deadLetters().stream().map(e -> deadLetterCodec.decode(e.value())).toList();
        long valid = s.eventIds().size();
        counts.put("events written (acknowledged)", s.eventsAcked() + " of " + valid + " sent; " + s.sendFailures() + " sends failed");
        counts.put("poisoned records written", Integer.toString(s.poison().size()));
        counts.put("records the output reader fetched again at an offset it had read (kept once)", Long.toString(s.readerRereads()));

        // 1. every event read, and its effects committed, by the job
        long behind = 0;
        StringBuilder offsets = new StringBuilder();
        List<Map.Entry<TopicPartition, Long>> ends = new ArrayList<>(s.endOffsets().entrySet());
        ends.sort(java.util.Comparator.comparing(e -> e.getKey().toString()));
        for (Map.Entry<TopicPartition, Long> e : ends) {
            long c = s.committedOffsets().getOrDefault(e.getKey(), -1L);
            behind += Math.max(0, e.getValue() - Math.max(0, c));
            offsets.append(e.getKey()).append(": committed ").append(c).append(" of ").append(e.getValue()).append("; ");
        }
        boolean allRead = !s.endOffsets().isEmpty() && behind == 0 && s.sendFailures() == 0 && s.eventsAcked() == valid;
        checks.add(new Check("every event read by the job and committed with a checkpoint", allRead,
                offsets.toString() + behind + " records behind; " + s.eventsAcked() + "/" + valid + " events acknowledged"));

        // 2. each poisoned record dead-lettered, no valid event dead-lettered
        Set<String> poison = new HashSet<>();
        s.poison().forEach(p -> poison.add(p[0] + "@" + p[1]));
        Set<String> deadLettered = new HashSet<>();
        long validDeadLettered = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        for (DeadLetter d : deadLetters) {
            reasons.merge(d.getSourceTopic() + ":" + d.getErrorClass(), 1, Integer::sum);
            if (Topics.EVENTS.equals(String.valueOf(d.getSourceTopic()))) {
                String at = d.getPartition() + "@" + d.getOffset();
                deadLettered.add(at);
                if (!poison.contains(at)) {
                    validDeadLettered++;
                }
            }
        }
        long poisonMissing = poison.stream().filter(p -> !deadLettered.contains(p)).count();
        counts.put("dead letters (topic:reason)", reasons.toString());
        checks.add(new Check("every poisoned record dead-lettered, with its reason", poisonMissing == 0,
                (poison.size() - poisonMissing) + "/" + poison.size() + " poisoned records dead-lettered; reasons " + reasons));
        checks.add(new Check("no valid event dead-lettered", validDeadLettered == 0,
                validDeadLettered + " dead letters for events that were not poisoned"));

        // 3. the scorers counted no event twice: their checkpointed counters stay within the events written
        Map<Integer, Long> seenByShard = new TreeMap<>();
        for (LabelRequest r : requests) {
            if (r.getShard() != null && r.getShardEventsSeen() != null) {
                seenByShard.merge(r.getShard(), r.getShardEventsSeen(), Math::max);
            }
        }
        long seen = seenByShard.values().stream().mapToLong(Long::longValue).sum();
        checks.add(new Check("no event scored twice (shard counters at their last request <= events written)", seen <= valid,
                "events seen by the shards at their last requests " + seen + " (" + seenByShard + ") of " + valid + " valid events"));

        // 4. no label request twice
        Map<String, Integer> perEvent = new HashMap<>();
        Set<String> requestIds = new HashSet<>();
        for (LabelRequest r : requests) {
            perEvent.merge(String.valueOf(r.getEventId()), 1, Integer::sum);
            requestIds.add(String.valueOf(r.getRequestId()));
        }
        long twice = perEvent.values().stream().filter(c -> c > 1).count();
        long unknown = perEvent.keySet().stream().filter(id -> !s.eventIds().contains(id)).count();
        checks.add(new Check("no label request twice", twice == 0 && requestIds.size() == requests.size(),
                requests.size() + " requests, " + perEvent.size() + " distinct events, " + requestIds.size() + " distinct request ids; "
                        + twice + " events requested more than once"));
        checks.add(new Check("requests only for events streamed", unknown == 0, unknown + " requests for unknown event ids"));

        // 5. every consolidated label folded exactly once; nothing else folded
        Map<String, Integer> labelled = new HashMap<>();
        Set<String> closed = new HashSet<>();
        Map<String, Integer> closeReasons = new TreeMap<>();
        for (ConsolidatedLabel l : labels) {
            String id = String.valueOf(l.getEventId());
            if (l.getLabel() != null) {
                labelled.merge(id, 1, Integer::sum);
            } else {
                closed.add(id);
                closeReasons.merge(String.valueOf(l.getCloseReason()), 1, Integer::sum);
            }
        }
        Map<String, Integer> folds = new HashMap<>();
        for (ModelUpdate u : updates) {
            for (CharSequence id : u.getFoldedEventIds()) {
                folds.merge(id.toString(), 1, Integer::sum);
            }
        }
        long notFolded = labelled.keySet().stream().filter(id -> !folds.containsKey(id)).count();
        long foldedTwice = folds.values().stream().filter(c -> c > 1).count();
        long foldedUnlabelled = folds.keySet().stream().filter(id -> !labelled.containsKey(id)).count();
        long labelRecordsTwice = labelled.values().stream().filter(c -> c > 1).count();
        counts.put("consolidated labels", labelled.size() + " labelled events (" + labelRecordsTwice + " with more than one label record), "
                + closed.size() + " closed unlabelled " + closeReasons);
        checks.add(new Check("every consolidated label folded exactly once", notFolded == 0 && foldedTwice == 0,
                labelled.size() + " labelled events; " + notFolded + " never folded, " + foldedTwice + " folded more than once"));
        checks.add(new Check("nothing folded that was not labelled", foldedUnlabelled == 0,
                foldedUnlabelled + " folded event ids without a consolidated label"));

        // 6. no request pending past its deadline
        Set<String> answered = new HashSet<>(labelled.keySet());
        answered.addAll(closed);
        long overdue = 0;
        long open = 0;
        for (LabelRequest r : requests) {
            if (!answered.contains(String.valueOf(r.getEventId()))) {
                open++;
                if (r.getDeadline().toEpochMilli() + DEADLINE_SLACK_MS < s.now()) {
                    overdue++;
                }
            }
        }
        checks.add(new Check("no request pending past its deadline", overdue == 0,
                open + " requests without a consolidated label yet, " + overdue + " of them past their deadline (+"
                        + DEADLINE_SLACK_MS / 1000 + " s)"));

        // 7. budget
        double spent = valid == 0 ? 0 : requests.size() / (double) valid;
        boolean within = Math.abs(spent - s.budget()) <= 0.1 * s.budget();
        ModelUpdate last = updates.isEmpty() ? null : updates.get(updates.size() - 1);
        checks.add(new Check("budget within ±10%", within, String.format("%d requests / %d events = %.4f against budget %.4f%s",
                requests.size(), valid, spent, s.budget(),
                last == null || last.getBudgetSpent() == null ? "" : String.format("; the trainer reports %.4f", last.getBudgetSpent()))));
        if (last != null) {
            counts.put("last model update", "version " + last.getVersion() + ", labels folded " + last.getLabelsFolded()
                    + ", pending " + last.getPending() + ", refreshes " + last.getRefreshCount());
        }
        counts.put("model updates committed", Integer.toString(updates.size()));

        boolean drained = allRead && notFolded == 0 && poisonMissing == 0 && open == 0;
        String progress = String.format("%d behind on events, %d requests (%d open), %d labelled, %d not folded yet, %d poisoned not dead-lettered",
                behind, requests.size(), open, labelled.size(), notFolded, poisonMissing);
        return new Verdict(List.copyOf(checks), counts, drained, progress,
                duplicates(s, requests, labels, updates, perEvent, folds, labelled));
    }


    /** At most this many repeated events are described record by record. */
    static final int DUPLICATES_DESCRIBED = 40;

    /**
     * Every committed record behind a broken "exactly once": for each event requested more than once, each of its
     * requests; for each event folded more than once or labelled more than once, each of its label records and each
     * model update that folded it — with partition, offset, the time it became visible to the reader and the fields
     * that tell which run of the job wrote it (model version, shard counters, creation times).
     */
    private static List<String> duplicates(Snapshot s, List<LabelRequest> requests, List<ConsolidatedLabel> labels,
                                           List<ModelUpdate> updates, Map<String, Integer> perEvent, Map<String, Integer> folds,
                                           Map<String, Integer> labelled) {
        java.util.TreeSet<String> events = new java.util.TreeSet<>();
        perEvent.forEach((id, c) -> {
            if (c > 1) {
                events.add(id);
            }
        });
        folds.forEach((id, c) -> {
            if (c > 1) {
                events.add(id);
            }
        });
        labelled.forEach((id, c) -> {
            if (c > 1) {
                events.add(id);
            }
        });
        List<String> out = new ArrayList<>();
        int described = 0;
        for (String id : events) {
            if (described++ >= DUPLICATES_DESCRIBED) {
                out.add("... and " + (events.size() - DUPLICATES_DESCRIBED) + " more events");
                break;
            }
            out.add(String.format("%s: requested %d, label records %d, folded %d", id, perEvent.getOrDefault(id, 0),
                    labelled.getOrDefault(id, 0), folds.getOrDefault(id, 0)));
            for (int i = 0; i < requests.size(); i++) {
                LabelRequest r = requests.get(i);
                if (id.equals(String.valueOf(r.getEventId()))) {
                    CommittedLog.Entry e = s.requests().get(i);
                    out.add(String.format("  request %s-%d@%d visible %s: requestId %s, strategy %s, model version %s, shard %s "
                                    + "(events seen %s, labels requested %s), created %s", e.topic(), e.partition(), e.offset(),
                            java.time.Instant.ofEpochMilli(e.visibleAt()), r.getRequestId(), r.getStrategy(), r.getModelVersion(),
                            r.getShard(), r.getShardEventsSeen(), r.getShardLabelsRequested(), r.getCreatedAt()));
                }
            }
            for (int i = 0; i < labels.size(); i++) {
                ConsolidatedLabel l = labels.get(i);
                if (id.equals(String.valueOf(l.getEventId()))) {
                    CommittedLog.Entry e = s.labels().get(i);
                    out.add(String.format("  label %s-%d@%d visible %s: requestId %s, label %s, close reason %s, answers %s, "
                                    + "workers %s, requested %s, labelled %s", e.topic(), e.partition(), e.offset(),
                            java.time.Instant.ofEpochMilli(e.visibleAt()), l.getRequestId(), l.getLabel(), l.getCloseReason(),
                            l.getNumAnswers(), l.getWorkerIds(), l.getRequestedAt(), l.getLabelledAt()));
                }
            }
            for (int i = 0; i < updates.size(); i++) {
                ModelUpdate u = updates.get(i);
                if (u.getFoldedEventIds().stream().anyMatch(f -> id.equals(f.toString()))) {
                    CommittedLog.Entry e = s.updates().get(i);
                    out.add(String.format("  folded by model update %s-%d@%d visible %s: version %d, labels folded %d, trigger %s, "
                                    + "created %s", e.topic(), e.partition(), e.offset(), java.time.Instant.ofEpochMilli(e.visibleAt()),
                            u.getVersion(), u.getLabelsFolded(), u.getTrigger(), u.getCreatedAt()));
                }
            }
        }
        return List.copyOf(out);
    }
}
