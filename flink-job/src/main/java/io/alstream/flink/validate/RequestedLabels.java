package io.alstream.flink.validate;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.TrainerInput;

/**
 * Provenance before the trainer: a label is folded only for an event this job asked about, so a producer that can write
 * to the labels topic cannot teach the model labels of its own choosing for events of its own choosing. Keyed by event
 * id, it sees both the job's own label requests (read back from their topic, the pending entries) and the labels:
 * <ul>
 *   <li>a pending entry marks its event requested (kept for {@code 2 × job.request-deadline-ms + 1 h}) and passes on;</li>
 *   <li>a label of a requested event passes on (a second copy too: the trainer folds it once and counts the duplicate);</li>
 *   <li>a label of an event not (yet) requested waits up to {@code job.request-deadline-ms} for its request to be read
 *   back (the two topics are read independently), then passes with it — counted in time the job runs: after a restore
 *   a waiting label gets a full grace again; and while this task has read back no request created at or after the
 *   label's {@code requestedAt} (the read-back has not reached the time its request was written), the grace starts
 *   over, for as long as the job keeps a request's mark ({@code 2 × job.request-deadline-ms + 1 h} from
 *   {@code requestedAt}); if none comes it becomes a dead letter {@code unrequested-label} (counted as
 *   {@code alstream_dead_letters{reason="unrequested-label"}});</li>
 *   <li>a closed-unlabelled report (no class) passes on: it only drops a pending entry.</li>
 * </ul>
 * {@code job.accept-external-labels=true} turns the check off (labels from elsewhere, e.g. a platform labelling on its
 * own, are folded as before).
 *
 * <p>The read-back's progress is this task's: the newest creation time among the requests it has read back since it
 * started, from every partition of the requests topic. A partition that lags the others by more than a grace can still
 * leave a label refused; a watermark of the requests' creation times (the slowest partition's) would close that. A
 * label that claims no {@code requestedAt}, or one later than now, waits the grace alone: a forged label cannot make
 * itself wait longer.
 */
public final class RequestedLabels extends KeyedProcessFunction<String, TrainerInput, TrainerInput> {
    private static final long serialVersionUID = 1L;
    public static final String UNREQUESTED_LABEL = "unrequested-label";
    static final String STAGE = "requested-labels";

    private final boolean acceptExternal;
    private final long graceMs;
    private final String labelsTopic;
    private transient ValueState<Boolean> requested;
    private transient ListState<Waiting> waiting;
    private transient DeadLetters deadLetters;
    private transient Counter unrequested;
    /** When this task instance first handled an input or timer (processing time); -1 until then. */
    private transient long startedAt;
    /** The newest creation time among the requests this task instance has read back; -1 until one comes. */
    private transient long readBackTo;

    /**
     * @param graceMs how long a label waits for its request to be read back (the job's request deadline)
     */
    public RequestedLabels(boolean acceptExternal, long graceMs, String labelsTopic) {
        this.acceptExternal = acceptExternal;
        this.graceMs = graceMs;
        this.labelsTopic = labelsTopic;
    }

    @Override
    public void open(OpenContext ctx) {
        ValueStateDescriptor<Boolean> r = new ValueStateDescriptor<>("requested", TypeInformation.of(Boolean.class));
        r.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(requestedTtlMs())).build());
        requested = getRuntimeContext().getState(r);
        waiting = getRuntimeContext().getListState(new ListStateDescriptor<>("waiting-labels", TypeInformation.of(Waiting.class)));
        deadLetters = new DeadLetters(getRuntimeContext().getMetricGroup());
        unrequested = getRuntimeContext().getMetricGroup().addGroup("alstream").counter("labels_unrequested");
        startedAt = -1;
        readBackTo = -1;
    }

    /** How long the job remembers that an event was requested: also the longest a label waits on the read-back. */
    private long requestedTtlMs() {
        return 2 * graceMs + 3_600_000L;
    }

    /** The processing time this task instance started handling records: a restored label's grace counts from here. */
    private long startedAt(long now) {
        if (startedAt < 0) {
            startedAt = now;
        }
        return startedAt;
    }

    @Override
    public void processElement(TrainerInput in, Context ctx, Collector<TrainerInput> out) throws Exception {
        startedAt(ctx.timerService().currentProcessingTime());
        if (in.kind == TrainerInput.Kind.PENDING) {
            if (in.requestedAt != null) {
                readBackTo = Math.max(readBackTo, in.requestedAt);
            }
            requested.update(Boolean.TRUE);
            out.collect(in);
            List<Waiting> held = new ArrayList<>();
            waiting.get().forEach(held::add);
            if (!held.isEmpty()) {
                waiting.clear();
                held.forEach(w -> out.collect(w.label)); // after their pending entry, as if they had come in order
            }
            return;
        }
        if (acceptExternal || in.label == null || Boolean.TRUE.equals(requested.value())) {
            out.collect(in);
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        waiting.add(new Waiting(in, now));
        ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + graceMs);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainerInput> out) throws Exception {
        if (Boolean.TRUE.equals(requested.value())) {
            return; // released when the request came
        }
        List<Waiting> held = new ArrayList<>();
        waiting.get().forEach(held::add);
        List<Waiting> still = new ArrayList<>();
        long now = ctx.timerService().currentProcessingTime();
        long started = startedAt(now);
        long nextDue = Long.MAX_VALUE;
        for (Waiting w : held) {
            // each label waits its own grace (a later copy registered its own timer), counted while this job runs: a
            // label restored from a checkpoint waits a full grace after the restore (its request is read back again
            // from the checkpointed offset), not one that ran out while the job was down
            long due = Math.max(w.arrivedAt, started) + graceMs;
            if (now >= due && readBackBehind(w.label, now)) {
                // its request may still be ahead in the read-back: the grace starts over
                w.arrivedAt = now;
                due = now + graceMs;
            }
            if (now < due) {
                still.add(w);
                nextDue = Math.min(nextDue, due);
                continue;
            }
            TrainerInput l = w.label;
            unrequested.inc();
            deadLetters.count(UNREQUESTED_LABEL);
            DeadLetterRecord d = new DeadLetterRecord();
            d.sourceTopic = labelsTopic;
            d.partition = -1;
            d.offset = -1;
            d.key = l.eventId.getBytes(StandardCharsets.UTF_8);
            d.value = null;
            d.errorClass = UNREQUESTED_LABEL;
            d.errorMessage = "a label (class " + l.label + ") for event '" + io.alstream.connectors.limits.InputLimits.printable(l.eventId, 64)
                    + "', which this job never asked about (no label request read back within " + graceMs + " ms); not folded"
                    + " (job.accept-external-labels=true folds such labels)";
            d.stage = STAGE;
            d.failedAt = now;
            ctx.output(DeadLetters.TAG, d);
        }
        waiting.update(still);
        if (nextDue != Long.MAX_VALUE && nextDue > timestamp) {
            ctx.timerService().registerProcessingTimeTimer(nextDue);
        }
    }

    /**
     * Whether this task's read-back of requests has not yet reached the time the label's request was written (no request
     * created at or after it read back since this task started), within the time the job remembers a request. A label
     * without a {@code requestedAt}, or with one in the future, is never held by this.
     */
    private boolean readBackBehind(TrainerInput label, long now) {
        Long at = label.requestedAt;
        return at != null && at <= now && now < at + requestedTtlMs() && readBackTo < at;
    }

    /** A label waiting for its request, and since when its grace counts (processing time). */
    public static final class Waiting {
        public TrainerInput label;
        public long arrivedAt;

        public Waiting() {
        }

        Waiting(TrainerInput label, long arrivedAt) {
            this.label = label;
            this.arrivedAt = arrivedAt;
        }
    }
}
