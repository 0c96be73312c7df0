package io.alstream.flink.validate;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import io.alstream.connectors.limits.InputLimits;
import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.DeadLetterRecord.Reasons;
import io.alstream.flink.records.RawRecord;

/**
 * The shared shape of every validation step: decode the raw value, check the record, and either pass
 * it on or send it to the dead-letter side output with a reason code — never drop it, never fail on it.
 * Subclasses say what makes a decoded record acceptable ({@link #check}).
 */
abstract class DecodingValidator<A extends SpecificRecord, OUT> extends ProcessFunction<RawRecord, OUT> {
    private static final long serialVersionUID = 1L;

    private final RecordDecoder<A> decoder;
    private final String stage;
    private transient DeadLetters deadLetters;

    DecodingValidator(RecordDecoder<A> decoder, String stage) {
        this.decoder = decoder;
        this.stage = stage;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        decoder.open();
        deadLetters = new DeadLetters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public final void processElement(RawRecord raw, Context ctx, Collector<OUT> out) {
        if (raw.value == null) {
            reject(raw, Reasons.NULL_VALUE, "record has no value", ctx);
            return;
        }
        // the same bound as the label broker's (InputLimits): a value a default producer could not copy onwards
        InputLimits.Problem size = InputLimits.recordSize(raw.key, raw.value);
        if (size != null) {
            reject(raw, size.reason(), size.message(), ctx);
            return;
        }
        A decoded;
        try {
            decoded = decoder.decode(raw.topic, raw.value);
        } catch (RecordDecoder.DecodeFailure f) {
            reject(raw, f.reason(), f.getMessage(), ctx);
            return;
        }
        Rejection problem = check(decoded);
        if (problem != null) {
            reject(raw, problem.reason(), problem.message(), ctx);
            return;
        }
        out.collect(convert(decoded, raw));
    }

    /** Null when the record is acceptable, else why not. */
    abstract Rejection check(A record);

    /** The job's own record for an accepted input. */
    abstract OUT convert(A record, RawRecord raw);

    private void reject(RawRecord raw, String reason, String message, Context ctx) {
        deadLetters.count(reason);
        ctx.output(DeadLetters.TAG, DeadLetterRecord.of(raw, reason, message, stage, System.currentTimeMillis()));
    }

    /** A reason code and a sentence. */
    record Rejection(String reason, String message) {
        static Rejection of(String[] codeAndMessage, String prefix) {
            return codeAndMessage == null ? null : new Rejection(codeAndMessage[0], prefix + codeAndMessage[1]);
        }
    }
}
