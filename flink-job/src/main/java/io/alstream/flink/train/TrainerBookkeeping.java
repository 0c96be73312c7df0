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

    void prequential(boolean hit, double decay) {
        prequentialHits = decay * prequentialHits + (hit ? 1 : 0);
        prequentialWeight = decay * prequentialWeight + 1;
    }

    Double prequentialAccuracy() {
        return prequentialWeight == 0 ? null : prequentialHits / prequentialWeight;
    }
}
