package io.alstream.flink.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** The trainer's figures besides the model itself; checkpointed with it. */
final class TrainerBookkeeping implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Decayed count of correct test-then-train predictions, and the decayed count of predictions. */
    double prequentialHits;
    double prequentialWeight;
    long duplicates;
    long closedUnlabelled;
    long pendingAdded;
    long labelsFoldedTotal;
    Long lastLabelAt;
    long lastPublishedVersion = -1;
    int lastPublishedRefreshes;
    boolean lastPublishedWarm;
    final List<String> foldedSinceUpdate = new ArrayList<>();
    Double lastHeldOutAccuracy;
    long lastHeldOutAt;
    /** Per scoring shard: {events seen, labels requested} from its latest label request (null in older checkpoints). */
    java.util.HashMap<Integer, long[]> budgetByShard;

    /** Keeps the highest counts heard per shard (a replayed request carries older ones). */
    void budgetHeard(Integer shard, Long seen, Long requested) {
        if (shard == null || seen == null || requested == null) {
            return;
        }
        if (budgetByShard == null) {
            budgetByShard = new java.util.HashMap<>();
        }
        long[] c = budgetByShard.computeIfAbsent(shard, k -> new long[2]);
        if (seen >= c[0]) {
            c[0] = seen;
            c[1] = Math.max(c[1], requested);
        }
    }

    /** Labels requested / events seen over all shards heard from; null before any. */
    Double budgetSpent() {
        if (budgetByShard == null) {
            return null;
        }
        long seen = 0;
        long requested = 0;
        for (long[] c : budgetByShard.values()) {
            seen += c[0];
            requested += c[1];
        }
        return seen == 0 ? null : (double) requested / seen;
    }

    void prequential(boolean hit, double decay) {
        prequentialHits = decay * prequentialHits + (hit ? 1 : 0);
        prequentialWeight = decay * prequentialWeight + 1;
    }

    Double prequentialAccuracy() {
        return prequentialWeight == 0 ? null : prequentialHits / prequentialWeight;
    }
}
