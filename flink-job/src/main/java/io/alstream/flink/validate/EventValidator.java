package io.alstream.flink.validate;

import java.util.HashMap;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;

import io.alstream.connectors.limits.InputLimits;
import io.alstream.flink.records.EventRecord;
import io.alstream.flink.records.RawRecord;
import io.alstream.schemas.UnlabeledEvent;

/**
 * Decodes and checks each event. Every bad input goes to the dead-letter side output with its reason;
 * none stops the job:
 * <ul>
 *   <li>no value (tombstone) → {@code null-value}</li>
 *   <li>not the wire format / unknown schema id / undecodable / incompatible writer → the codec's reason</li>
 *   <li>empty id → {@code missing-id}; an id over {@value IdChecks#MAX_ID_BYTES} UTF-8 bytes → {@code id-too-long}</li>
 *   <li>features of another length than {@code data.feature-dim} → {@code wrong-dimension}</li>
 *   <li>a NaN or infinite feature → {@code non-finite}</li>
 * </ul>
 */
public final class EventValidator extends DecodingValidator<UnlabeledEvent, EventRecord> {
    private static final long serialVersionUID = 1L;
    static final String STAGE = "validate-event";

    private final int featureDim;
    private transient Counter valid;

    public EventValidator(RecordDecoder<UnlabeledEvent> decoder, int featureDim) {
        super(decoder, STAGE);
        this.featureDim = featureDim;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        super.open(ctx);
        valid = getRuntimeContext().getMetricGroup().addGroup("alstream").counter("events_valid");
    }

    @Override
    Rejection check(UnlabeledEvent e) {
        Rejection id = IdChecks.problem(e.getId(), "event");
        if (id != null) {
            return id;
        }
        Rejection features = Rejection.of(FeatureChecks.problem(e.getFeatures(), featureDim), "event " + e.getId() + ": ");
        if (features != null) {
            return features;
        }
        return IdChecks.limits(InputLimits.event(e), "event " + e.getId());
    }

    @Override
    EventRecord convert(UnlabeledEvent e, RawRecord raw) {
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
        return r;
    }
}
