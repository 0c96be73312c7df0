package io.alstream.flink.validate;

import io.alstream.connectors.limits.InputLimits;
import io.alstream.flink.records.RawRecord;
import io.alstream.flink.records.TrainerInput;
import io.alstream.schemas.LabelRequest;

/**
 * Reads the job's own label requests back from their topic and turns each into a pending entry for
 * the trainer (DESIGN 4.4, pending-aware selection). Going through the topic closes the loop from the
 * scorers back to the trainer without a cycle in the job graph, and only committed requests count.
 * Requests another producer wrote with the wrong dimension go to the dead-letter topic.
 */
public final class PendingFeedback extends DecodingValidator<LabelRequest, TrainerInput> {
    private static final long serialVersionUID = 1L;
    static final String STAGE = "pending-feedback";

    private final int featureDim;

    public PendingFeedback(RecordDecoder<LabelRequest> decoder, int featureDim) {
        super(decoder, STAGE);
        this.featureDim = featureDim;
    }

    @Override
    Rejection check(LabelRequest r) {
        Rejection id = IdChecks.problem(r.getEventId(), "label request");
        if (id != null) {
            return id;
        }
        Rejection features = Rejection.of(FeatureChecks.problem(r.getFeatures(), featureDim), "request for event " + r.getEventId() + ": ");
        if (features != null) {
            return features;
        }
        return IdChecks.limits(InputLimits.request(r), "request for event " + r.getEventId());
    }

    @Override
    TrainerInput convert(LabelRequest r, RawRecord raw) {
        TrainerInput t = TrainerInput.pending(r.getEventId(), FeatureChecks.toArray(r.getFeatures()), r.getCreatedAt().toEpochMilli());
        t.shard = r.getShard();
        t.shardEventsSeen = r.getShardEventsSeen();
        t.shardLabelsRequested = r.getShardLabelsRequested();
        return t;
    }
}
