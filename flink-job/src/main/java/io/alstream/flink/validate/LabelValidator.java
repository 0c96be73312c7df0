package io.alstream.flink.validate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;

import io.alstream.connectors.limits.InputLimits;
import io.alstream.flink.records.DeadLetterRecord.Reasons;
import io.alstream.flink.records.LabelRecord;
import io.alstream.flink.records.RawRecord;
import io.alstream.schemas.ConsolidatedLabel;

/**
 * Decodes and checks each consolidated label before the trainer sees it. Bad input goes to the
 * dead-letter side output: undecodable bytes (codec reason), empty event id ({@code missing-id}), a
 * class outside 0..num-classes-1 ({@code unknown-label}), features of the wrong length or not finite.
 * A label with {@code label == null} is valid: the request closed unlabelled, and the trainer drops
 * its pending entry.
 */
public final class LabelValidator extends DecodingValidator<ConsolidatedLabel, LabelRecord> {
    private static final long serialVersionUID = 1L;
    static final String STAGE = "validate-label";

    private final int featureDim;
    private final int numClasses;
    private transient Counter valid;

    public LabelValidator(RecordDecoder<ConsolidatedLabel> decoder, int featureDim, int numClasses) {
        super(decoder, STAGE);
        this.featureDim = featureDim;
        this.numClasses = numClasses;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        super.open(ctx);
        valid = getRuntimeContext().getMetricGroup().addGroup("alstream").counter("labels_valid");
    }

    @Override
    Rejection check(ConsolidatedLabel c) {
        Rejection id = IdChecks.problem(c.getEventId(), "label");
        if (id != null) {
            return id;
        }
        Rejection limits = IdChecks.limits(InputLimits.label(c), "label of event " + c.getEventId());
        if (limits != null) {
            return limits;
        }
        Integer label = c.getLabel();
        if (label == null) {
            return null;
        }
        if (label < 0 || label >= numClasses) {
            return new Rejection(Reasons.UNKNOWN_LABEL, "event " + c.getEventId() + ": label " + label
                    + " is outside 0.." + (numClasses - 1));
        }
        return Rejection.of(FeatureChecks.problem(c.getFeatures(), featureDim), "label of event " + c.getEventId() + ": ");
    }

    @Override
    LabelRecord convert(ConsolidatedLabel c, RawRecord raw) {
        LabelRecord r = new LabelRecord();
        r.eventId = c.getEventId();
        r.requestId = c.getRequestId();
        r.label = c.getLabel();
        r.confidence = c.getConfidence();
        r.numAnswers = c.getNumAnswers();
        r.method = c.getMethod();
        r.features = c.getLabel() == null ? null : FeatureChecks.toArray(c.getFeatures());
        r.modelVersion = c.getModelVersion();
        r.requestedAt = c.getRequestedAt() == null ? null : c.getRequestedAt().toEpochMilli();
        r.labelledAt = c.getLabelledAt().toEpochMilli();
        r.closeReason = c.getCloseReason();
        valid.inc();
        return r;
    }
}
