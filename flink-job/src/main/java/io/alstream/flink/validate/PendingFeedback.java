package io.alstream.flink.validate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.DeadLetterRecord.Reasons;
import io.alstream.flink.records.RawRecord;
import io.alstream.flink.records.TrainerInput;
import io.alstream.schemas.LabelRequest;

/**
 * Reads the job's own label requests back from their topic and turns each into a pending entry for
 * the trainer (DESIGN 4.4, pending-aware selection). Going through the topic closes the loop from the
 * scorers back to the trainer without a cycle in the job graph, and only committed requests count.
 * Requests another producer wrote with the wrong dimension go to the dead-letter topic.
 */
public final class PendingFeedback extends ProcessFunction<RawRecord, TrainerInput> {
    private static final long serialVersionUID = 1L;
    static final String STAGE = "pending-feedback";

    private final RecordDecoder<LabelRequest> decoder;
    private final int featureDim;
    private transient DeadLetters deadLetters;

    public PendingFeedback(RecordDecoder<LabelRequest> decoder, int featureDim) {
        this.decoder = decoder;
        this.featureDim = featureDim;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        decoder.open();
        deadLetters = new DeadLetters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<TrainerInput> out) {
        if (raw.value == null) {
            reject(raw, Reasons.NULL_VALUE, "record has no value", ctx);
            return;
        }
        LabelRequest r;
        try {
            r = decoder.decode(raw.topic, raw.value);
        } catch (RecordDecoder.DecodeFailure f) {
            reject(raw, f.reason(), f.getMessage(), ctx);
            return;
        }
        String[] problem = FeatureChecks.problem(r.getFeatures(), featureDim);
        if (problem != null) {
            reject(raw, problem[0], "request for event " + r.getEventId() + ": " + problem[1], ctx);
            return;
        }
        out.collect(TrainerInput.pending(r.getEventId(), FeatureChecks.toArray(r.getFeatures()),
                r.getCreatedAt().toEpochMilli()));
    }

    private void reject(RawRecord raw, String reason, String message, Context ctx) {
        deadLetters.count(reason);
        ctx.output(DeadLetters.TAG, DeadLetterRecord.of(raw, reason, message, STAGE, System.currentTimeMillis()));
    }
}
