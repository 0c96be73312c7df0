package io.alstream.flink.validate;

import java.util.HashMap;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.DeadLetterRecord.Reasons;
import io.alstream.flink.records.EventRecord;
import io.alstream.flink.records.RawRecord;
import io.alstream.schemas.UnlabeledEvent;

/**
 * Decodes and checks each event. Every bad input goes to the dead-letter side output with its reason;
 * none stops the job:
 * <ul>
 *   <li>no value (tombstone) → {@code null-value}</li>
 *   <li>not the wire format / unknown schema id / undecodable / incompatible writer → the codec's reason</li>
 *   <li>empty id → {@code missing-id}</li>
 *   <li>features of another length than {@code data.feature-dim} → {@code wrong-dimension}</li>
 *   <li>a NaN or infinite feature → {@code non-finite}</li>
 * </ul>
 */
public final class EventValidator extends ProcessFunction<RawRecord, EventRecord> {
    private static final long serialVersionUID = 1L;
    static final String STAGE = "validate-event";

    private final RecordDecoder<UnlabeledEvent> decoder;
    private final int featureDim;
    private transient DeadLetters deadLetters;
    private transient Counter valid;

    public EventValidator(RecordDecoder<UnlabeledEvent> decoder, int featureDim) {
        this.decoder = decoder;
        this.featureDim = featureDim;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        decoder.open();
        deadLetters = new DeadLetters(getRuntimeContext().getMetricGroup());
        valid = getRuntimeContext().getMetricGroup().addGroup("alstream").counter("events_valid");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<EventRecord> out) {
        if (raw.value == null) {
            reject(raw, Reasons.NULL_VALUE, "record has no value", ctx);
            return;
        }
        UnlabeledEvent e;
        try {
            e = decoder.decode(raw.topic, raw.value);
        } catch (RecordDecoder.DecodeFailure f) {
            reject(raw, f.reason(), f.getMessage(), ctx);
            return;
        }
        if (e.getId() == null || e.getId().isBlank()) {
            reject(raw, Reasons.MISSING_ID, "event id is empty", ctx);
            return;
        }
        String[] problem = FeatureChecks.problem(e.getFeatures(), featureDim);
        if (problem != null) {
            reject(raw, problem[0], "event " + e.getId() + ": " + problem[1], ctx);
            return;
        }
        EventRecord r = new EventRecord();
        r.id = e.getId();
        r.eventTime = e.getEventTime().toEpochMilli();
        r.features = FeatureChecks.toArray(e.getFeatures());
        r.payloadUri = e.getPayloadUri();
        r.payloadText = e.getPayloadText();
        r.stream = e.getStream();
        r.attributes = e.getAttributes() == null ? new HashMap<>() : new HashMap<>(e.getAttributes());
        r.source = raw.toString();
        valid.inc();
        out.collect(r);
    }

    private void reject(RawRecord raw, String reason, String message, Context ctx) {
        deadLetters.count(reason);
        ctx.output(DeadLetters.TAG, DeadLetterRecord.of(raw, reason, message, STAGE, System.currentTimeMillis()));
    }
}
