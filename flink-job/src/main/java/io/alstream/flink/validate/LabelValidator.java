package io.alstream.flink.validate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import io.alstream.flink.records.DeadLetterRecord;
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
public final class LabelValidator extends ProcessFunction<RawRecord, LabelRecord> {
    private static final long serialVersionUID = 1L;
    static final String STAGE = "validate-label";

    private final RecordDecoder<ConsolidatedLabel> decoder;
    private final int featureDim;
    private final int numClasses;
    private transient DeadLetters deadLetters;
    private transient Counter valid;

    public LabelValidator(RecordDecoder<ConsolidatedLabel> decoder, int featureDim, int numClasses) {
        this.decoder = decoder;
        this.featureDim = featureDim;
        this.numClasses = numClasses;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        decoder.open();
        deadLetters = new DeadLetters(getRuntimeContext().getMetricGroup());
        valid = getRuntimeContext().getMetricGroup().addGroup("alstream").counter("labels_valid");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<LabelRecord> out) {
        if (raw.value == null) {
            reject(raw, Reasons.NULL_VALUE, "record has no value", ctx);
            return;
        }
        ConsolidatedLabel c;
        try {
            c = decoder.decode(raw.topic, raw.value);
        } catch (RecordDecoder.DecodeFailure f) {
            reject(raw, f.reason(), f.getMessage(), ctx);
            return;
        }
        if (c.getEventId() == null || c.getEventId().isBlank()) {
            reject(raw, Reasons.MISSING_ID, "label has an empty event id", ctx);
            return;
        }
        Integer label = c.getLabel();
        if (label != null && (label < 0 || label >= numClasses)) {
            reject(raw, Reasons.UNKNOWN_LABEL, "event " + c.getEventId() + ": label " + label
                    + " is outside 0.." + (numClasses - 1), ctx);
            return;
        }
        float[] features = null;
        if (label != null) {
            String[] problem = FeatureChecks.problem(c.getFeatures(), featureDim);
            if (problem != null) {
                reject(raw, problem[0], "label of event " + c.getEventId() + ": " + problem[1], ctx);
                return;
            }
            features = FeatureChecks.toArray(c.getFeatures());
        }
        LabelRecord r = new LabelRecord();
        r.eventId = c.getEventId();
        r.requestId = c.getRequestId();
        r.label = label;
        r.confidence = c.getConfidence();
        r.numAnswers = c.getNumAnswers();
        r.method = c.getMethod();
        r.features = features;
        r.modelVersion = c.getModelVersion();
        r.requestedAt = c.getRequestedAt() == null ? null : c.getRequestedAt().toEpochMilli();
        r.labelledAt = c.getLabelledAt().toEpochMilli();
        r.closeReason = c.getCloseReason();
        valid.inc();
        out.collect(r);
    }

    private void reject(RawRecord raw, String reason, String message, Context ctx) {
        deadLetters.count(reason);
        ctx.output(DeadLetters.TAG, DeadLetterRecord.of(raw, reason, message, STAGE, System.currentTimeMillis()));
    }
}
