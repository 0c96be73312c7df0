package io.alstream.flink.score;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.flink.records.EventRecord;
import io.alstream.flink.records.ModelBroadcast;
import io.alstream.flink.records.RequestRecord;
import io.alstream.flink.train.LearnerBridge;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelDelta;
import io.alstream.learner.ModelReplica;
import io.alstream.learner.ModelSnapshot;
import io.alstream.learner.ReferencePool;
import io.alstream.learner.ScoredBatch;
import io.alstream.learner.Scorer;
import io.alstream.learner.selection.SelectionPolicy;

/**
 * Scores events in batches with the newest model the trainer broadcast, and asks for a label when the
 * budgeted selection policy says so (DESIGN 4.3, 4.4).
 *
 * <p>State: per shard (keyed) the batch buffer, its flush timer and the budget policies; per task
 * (operator state) the reference pool of recent unlabeled events that look-ahead scores over. The model arrives on
 * the broadcast input and is not checkpointed (it was tens of MB per task at every checkpoint): a restored task has
 * none until the restored trainer's full snapshot, which it publishes as soon as it runs; meanwhile events take the
 * cold path below and its backlog is scored when the model arrives. Each task keeps one {@link ModelReplica}: a full snapshot rebuilds it (of a new linearisation) or re-anchors it in place (of the one held: T's changes and A^-1 taken from it), a delta updates it in place when it starts at the
 * version held; after a gap it ignores deltas until the next snapshot ({@code model_deltas_skipped}). The
 * look-ahead's reference pool is read from the reservoir once per full snapshot, so its NTK features are
 * computed once per linearisation instead of once per batch (every event enters the reservoir).
 *
 * <p>Cold start (DESIGN 4.4): until the trainer reports a warm model, selection is random within the
 * budget and requests say strategy {@code warmup} — but only until the shards together have asked for
 * about the seed set ({@code learner.warmup-labels}); more random labels would be spent before the
 * network can use any. Events that pass meanwhile still count against the budget and wait in a
 * bounded per-shard backlog ({@code job.cold-backlog}); at the shard's first batch with a warm model the
 * backlog is scored and the labels saved during the cold start go to its most informative events (a
 * timer checks every second while a shard holds a backlog, so this happens even if the stream pauses).
 * Should the seed set not come back (requests closed unlabelled), each shard asks for one more random
 * label per {@value #COLD_EVENTS_PER_EXTRA_WARMUP} cold events. A shard that has scored with a warm model (keyed
 * state, so it survives a restore) asks for none at random while it waits for a restored trainer's snapshot: its
 * events wait in the cold backlog, whose best get the labels saved meanwhile once the model is back.
 */
public final class ScoringFunction extends KeyedBroadcastProcessFunction<Integer, EventRecord, ModelBroadcast, RequestRecord>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ScoringFunction.class);
    public static final String WARMUP = "warmup";
    static final int COLD_EVENTS_PER_EXTRA_WARMUP = 400;

    public static final MapStateDescriptor<String, ModelBroadcast> MODEL_STATE =
            new MapStateDescriptor<>("model", TypeInformation.of(String.class), TypeInformation.of(ModelBroadcast.class));

    private final LearnerConfig learnerConfig;
    private final RequestSettings settings;

    private transient ListState<EventRecord> buffer;
    private transient ValueState<Integer> buffered;
    private transient ValueState<Long> flushTimer;
    private transient ValueState<byte[]> policyState;
    private transient ValueState<byte[]> warmupPolicyState;
    /** Per shard: {warm-up requests sent, events seen while the model was cold, events in the cold backlog}. */
    private transient ValueState<long[]> coldCounts;
    private transient ListState<EventRecord> coldBacklog;
    private transient ValueState<Long> coldTimer;
    /** Per shard: it has scored with a warm model (kept across restores, so a restored shard never warms up again). */
    private transient ValueState<Boolean> warmSeen;
    static final long COLD_CHECK_MS = 1000;
    private transient ListState<byte[]> poolState;

    private transient ReferencePool pool;
    /**
     * A look-ahead function is scored (learner.select-by or learner.acquisition-functions): only then do events enter
     * the reference pool. Otherwise it stays empty: every event was copied into it and it was checkpointed every
     * checkpoint on the scoring thread, for no function that reads it.
     */
    private transient boolean feedsPool;
    private transient ModelReplica replica;
    /** The reference pool as scored: read from the reservoir once per full snapshot (built or re-anchored). */
    private transient float[][] frozenPool;
    private transient Scorer frozenPoolFor;
    private transient long frozenPoolAtSnapshot;

    private transient Counter eventsScored;
    private transient Counter modelBytesReceived;
    private transient Counter modelVersionsReceived;
    private transient Counter modelSnapshotBytesReceived;
    private transient Counter modelDeltaBytesReceived;
    /** Task-thread time following the model: decoding and installing full snapshots, applying waiting deltas. */
    private transient Counter snapshotInstallMicros;
    private transient Counter deltaApplyMicros;
    private transient Histogram snapshotInstallMs;
    private transient Counter requests;
    private transient Counter warmupRequests;
    private transient Counter coldBacklogRequests;
    private transient Histogram selectionScores;
    private transient volatile long modelVersion = -1;
    /** Key of the shard being processed (set on each element and timer), for the requests' budget fields. */
    private transient Integer currentShard;
    private transient long eventsSeen;
    private transient long requestsSent;

    public ScoringFunction(LearnerConfig learnerConfig, RequestSettings settings) {
        this.learnerConfig = learnerConfig;
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        var rc = getRuntimeContext();
        buffer = rc.getListState(new ListStateDescriptor<>("batch", TypeInformation.of(EventRecord.class)));
        buffered = rc.getState(new ValueStateDescriptor<>("batch-size", Integer.class));
        flushTimer = rc.getState(new ValueStateDescriptor<>("flush-timer", Long.class));
        policyState = rc.getState(new ValueStateDescriptor<>("policy", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        warmupPolicyState = rc.getState(new ValueStateDescriptor<>("warmup-policy", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        coldCounts = rc.getState(new ValueStateDescriptor<>("cold-counts", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        coldBacklog = rc.getListState(new ListStateDescriptor<>("cold-backlog", TypeInformation.of(EventRecord.class)));
        coldTimer = rc.getState(new ValueStateDescriptor<>("cold-timer", Long.class));
        warmSeen = rc.getState(new ValueStateDescriptor<>("warm-seen", Boolean.class));

        MetricGroup g = rc.getMetricGroup().addGroup("alstream");
        eventsScored = g.counter("events_scored");
        // what model distribution costs each scorer: bytes and versions received on the broadcast input
        modelBytesReceived = g.counter("model_bytes_received");
        modelVersionsReceived = g.counter("model_versions_received");
        modelSnapshotBytesReceived = g.counter("model_snapshot_bytes_received");
        modelDeltaBytesReceived = g.counter("model_delta_bytes_received");
        g.gauge("model_snapshots_applied", () -> replica == null ? 0L : replica.snapshotsApplied());
        // of them, snapshots of the linearisation held: the scorer kept, only T's changes and A^-1 taken from it
        g.gauge("model_snapshots_reanchored", () -> replica == null ? 0L : replica.snapshotsReanchored());
        // what following the model costs the task thread: a full snapshot decoded and installed, deltas applied
        snapshotInstallMicros = g.counter("model_snapshot_install_us");
        deltaApplyMicros = g.counter("model_delta_apply_us");
        snapshotInstallMs = g.histogram("model_snapshot_install_ms", new DescriptiveStatisticsHistogram(256));
        g.gauge("model_deltas_applied", () -> replica == null ? 0L : replica.deltasApplied());
        // the deltas that arrived between two scored batches enter the scorer as one update (ModelReplica)
        g.gauge("model_updates_in_place", () -> replica == null ? 0L : replica.updatesInPlace());
        // deltas ignored because one before them was missed: the replica waits for the next full snapshot
        g.gauge("model_deltas_skipped", () -> replica == null ? 0L : replica.deltasSkipped());
        requests = g.counter("label_requests");
        warmupRequests = g.counter("warmup_requests");
        coldBacklogRequests = g.counter("cold_backlog_requests");
        selectionScores = g.histogram("selection_score", new DescriptiveStatisticsHistogram(1024));
        g.gauge("model_version", () -> modelVersion);
        g.gauge("budget_spent", () -> eventsSeen == 0 ? 0.0 : (double) requestsSent / eventsSeen);
        g.gauge("reference_pool_size", () -> pool == null ? 0 : pool.size());
    }

    @Override
    public void initializeState(FunctionInitializationContext ctx) throws Exception {
        poolState = ctx.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("reference-pool", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        pool = null;
        for (byte[] bytes : poolState.get()) {
            ReferencePool restored = LearnerBridge.poolFromBytes(bytes);
            if (pool == null) {
                pool = restored;
            } else {
                for (float[] x : restored.snapshot()) { // after a rescale one task may inherit several pools
                    pool.offer(x);
                }
            }
        }
        if (pool == null) {
            int task = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            pool = LearnerBridge.newPool(learnerConfig, task);
        }
        feedsPool = learnerConfig.scoredFunctions().stream().anyMatch(io.alstream.learner.acquisition.Acquisitions::isLookahead);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        poolState.update(List.of(LearnerBridge.poolToBytes(pool)));
    }

    @Override
    public void processBroadcastElement(ModelBroadcast model, Context ctx, Collector<RequestRecord> out) throws Exception {
        if (modelBytesReceived != null && model.snapshot != null) {
            modelBytesReceived.inc(model.snapshot.length);
            modelVersionsReceived.inc();
            (model.delta ? modelDeltaBytesReceived : modelSnapshotBytesReceived).inc(model.snapshot.length);
        }
        BroadcastState<String, ModelBroadcast> state = ctx.getBroadcastState(MODEL_STATE);
        // The model is not kept in the broadcast state: every subtask wrote all of it (the snapshot and the deltas
        // since, tens of MB) at every checkpoint. A restored scorer has no model until the restored trainer's full
        // snapshot, which it publishes at once (TrainerOperator); meanwhile events take the cold path (the cold
        // backlog). State written by an earlier version of the job is dropped here, unread.
        if (state.entries().iterator().hasNext()) {
            List<String> keys = new ArrayList<>();
            for (Map.Entry<String, ModelBroadcast> e : state.entries()) {
                keys.add(e.getKey());
            }
            for (String k : keys) {
                state.remove(k);
            }
        }
        ModelReplica r = replica();
        if (!model.delta) {
            long t0 = System.nanoTime();
            r.offer(ModelSnapshot.fromBytes(model.snapshot)); // ignored when older than the version held
            long us = (System.nanoTime() - t0) / 1000;
            if (snapshotInstallMicros != null) {
                snapshotInstallMicros.inc(us);
                snapshotInstallMs.update(us / 1000);
            }
        } else if (r.offer(ModelDelta.fromBytes(model.snapshot)) == ModelReplica.Outcome.SKIPPED_GAP) {
            LOG.warn("model delta {}->{} skipped: this task holds version {}; scoring with it until the next full snapshot",
                    model.baseVersion, model.version, r.version());
        }
    }

    /** The replica's scorer with the deltas that arrived since the last batch applied (timed: model_delta_apply_us). */
    private Scorer currentScorer() {
        ModelReplica r = replica();
        if (r.deltasWaiting() == 0 || deltaApplyMicros == null) {
            return r.scorer();
        }
        long t0 = System.nanoTime();
        Scorer s = r.scorer();
        deltaApplyMicros.inc((System.nanoTime() - t0) / 1000);
        return s;
    }

    /** The task's model replica (empty until the first full snapshot arrives, also after a restore). */
    private ModelReplica replica() {
        if (replica == null) {
            replica = new ModelReplica(learnerConfig);
        }
        return replica;
    }

    /** The reference pool for a scorer: frozen while the scorer (the linearisation) stays, empty when no look-ahead is scored. */
    private float[][] referencePool(Scorer s) {
        if (!s.usesReferencePool()) {
            return new float[0][];
        }
        // a re-anchored scorer is the same object: the snapshot count says a full snapshot came, as a rebuild did
        if (frozenPool == null || frozenPoolFor != s || frozenPoolAtSnapshot != replica().snapshotsApplied()) {
            frozenPool = pool.snapshot();
            frozenPoolFor = s;
            frozenPoolAtSnapshot = replica().snapshotsApplied();
        }
        return frozenPool;
    }

    @Override
    public void processElement(EventRecord event, ReadOnlyContext ctx, Collector<RequestRecord> out) throws Exception {
        currentShard = ctx.getCurrentKey();
        if (feedsPool) {
            pool.offer(event.features);
        }
        buffer.add(event);
        int n = (buffered.value() == null ? 0 : buffered.value()) + 1;
        buffered.update(n);
        if (n >= settings.batchSize()) {
            flush(currentScorer(), ctx.timerService().currentProcessingTime(), ctx.timerService(), out);
        } else if (flushTimer.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + settings.batchMaxDelayMs();
            ctx.timerService().registerProcessingTimeTimer(at);
            flushTimer.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RequestRecord> out) throws Exception {
        currentShard = ctx.getCurrentKey();
        Scorer model = currentScorer();
        Long flushAt = flushTimer.value();
        if (flushAt != null && flushAt <= timestamp) {
            flushTimer.clear();
            flush(model, timestamp, ctx.timerService(), out);
        }
        Long coldAt = coldTimer.value();
        if (coldAt != null && coldAt <= timestamp) {
            coldTimer.clear();
            if (cold()[2] > 0) {
                if (model != null && model.isWarm()) {
                    spendColdBacklog(model, model.version(), timestamp, out);
                } else {
                    long at = timestamp + COLD_CHECK_MS;
                    ctx.timerService().registerProcessingTimeTimer(at);
                    coldTimer.update(at);
                }
            }
        }
    }

    private void flush(Scorer model, long now, org.apache.flink.streaming.api.TimerService timers,
                       Collector<RequestRecord> out) throws Exception {
        List<EventRecord> batch = new ArrayList<>();
        for (EventRecord e : buffer.get()) {
            batch.add(e);
        }
        buffer.clear();
        buffered.clear();
        if (batch.isEmpty()) {
            return;
        }
        eventsSeen += batch.size();
        eventsScored.inc(batch.size());
        if (model == null || !model.isWarm()) {
            selectWarmup(batch, model == null ? 0L : model.version(), now, timers, out);
        } else {
            selectScored(batch, model, now, out);
        }
    }

    /** Cold start: random selection (scores from a hash of the id, so a replay decides the same), capped at the seed set. */
    private void selectWarmup(List<EventRecord> batch, long version, long now, org.apache.flink.streaming.api.TimerService timers,
                              Collector<RequestRecord> out) throws Exception {
        SelectionPolicy random = policy(warmupPolicyState);
        SelectionPolicy main = policy(policyState);
        long[] cold = cold();
        int shards = Math.max(1, settings.scoringShards());
        // a shard that scored with a warm model before a restore only waits for the restored trainer's snapshot:
        // its events go to the cold backlog (scored when the model arrives), none is asked for at random
        long cap = Boolean.TRUE.equals(warmSeen.value()) ? 0
                : (learnerConfig.warmupLabels() + shards - 1) / shards + 1 + cold[1] / COLD_EVENTS_PER_EXTRA_WARMUP;
        for (EventRecord e : batch) {
            cold[1]++;
            main.offer(Double.NaN, now); // seen, not requested: the deficit is spent once the model is warm
            double u = LearnerBridge.uniformFromId(e.id, learnerConfig.seed());
            if (cold[0] < cap && random.offer(u, now)) {
                Map<String, Double> scores = new HashMap<>();
                scores.put("random", u);
                main.budget().spend(1);
                emit(e, WARMUP, u, scores, version, now, main, out);
                cold[0]++;
                warmupRequests.inc();
            } else if (cold[2] < settings.coldBacklog()) {
                coldBacklog.add(e);
                cold[2]++;
            }
        }
        if (cold[2] > 0 && coldTimer.value() == null) {
            long at = now + COLD_CHECK_MS;
            timers.registerProcessingTimeTimer(at);
            coldTimer.update(at);
        }
        coldCounts.update(cold);
        warmupPolicyState.update(LearnerBridge.policyToBytes(random));
        policyState.update(LearnerBridge.policyToBytes(main));
    }

    private long[] cold() throws Exception {
        long[] c = coldCounts.value();
        return c == null ? new long[3] : c;
    }

    /**
     * The shard's first warm batch: the labels not spent while the model was cold go to the best events
     * of the cold backlog, by the selecting acquisition function.
     */
    private void spendColdBacklog(Scorer s, long version, long now, Collector<RequestRecord> out) throws Exception {
        long[] cold = cold();
        if (cold[2] == 0) {
            return;
        }
        List<EventRecord> backlog = new ArrayList<>();
        for (EventRecord e : coldBacklog.get()) {
            backlog.add(e);
        }
        coldBacklog.clear();
        cold[2] = 0;
        coldCounts.update(cold);
        SelectionPolicy main = policy(policyState);
        int debt = (int) Math.min(backlog.size(), Math.floor(main.budget().deficit()));
        if (debt <= 0) {
            return;
        }
        String selectBy = learnerConfig.selectBy();
        float[][] pool = referencePool(s);
        double[] best = new double[backlog.size()];
        List<Map<String, Double>> all = new ArrayList<>();
        for (int from = 0; from < backlog.size(); from += settings.batchSize()) {
            int to = Math.min(backlog.size(), from + settings.batchSize());
            float[][] x = new float[to - from][];
            for (int i = from; i < to; i++) {
                x[i - from] = backlog.get(i).features;
            }
            ScoredBatch scored = s.score(x, pool);
            double[] sel = scored.scores(selectBy);
            for (int i = from; i < to; i++) {
                best[i] = sel[i - from];
                Map<String, Double> m = new HashMap<>();
                for (String fn : scored.functions()) {
                    m.put(fn, scored.scores(fn)[i - from]);
                }
                all.add(m);
            }
        }
        Integer[] order = new Integer[backlog.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(best[b], best[a]));
        main.budget().spend(debt);
        for (int k = 0; k < debt; k++) {
            int i = order[k];
            emit(backlog.get(i), selectBy, best[i], all.get(i), version, now, main, out);
        }
        policyState.update(LearnerBridge.policyToBytes(main));
        coldBacklogRequests.inc(debt);
        LOG.info("model warm: {} labels saved during the cold start requested for the best of {} backlog events",
                debt, backlog.size());
    }

    private void selectScored(List<EventRecord> batch, Scorer s, long now, Collector<RequestRecord> out) throws Exception {
        long version = s.version();
        modelVersion = version;
        if (!Boolean.TRUE.equals(warmSeen.value())) {
            warmSeen.update(true);
        }
        spendColdBacklog(s, version, now, out);
        float[][] x = new float[batch.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = batch.get(i).features;
        }
        ScoredBatch scored = s.score(x, referencePool(s));
        String selectBy = learnerConfig.selectBy();
        double[] selecting = scored.scores(selectBy);
        for (double v : selecting) {
            selectionScores.update(Math.round(v * 1_000_000));
        }
        SelectionPolicy policy = policy(policyState);
        for (int i : policy.offerWindow(selecting, now)) {
            Map<String, Double> all = new HashMap<>();
            for (String fn : scored.functions()) {
                all.put(fn, scored.scores(fn)[i]);
            }
            emit(batch.get(i), selectBy, selecting[i], all, version, now, policy, out);
        }
        policyState.update(LearnerBridge.policyToBytes(policy));
        if (LOG.isDebugEnabled()) {
            long nan = java.util.Arrays.stream(selecting).filter(v -> !Double.isFinite(v)).count();
            double[] sorted = selecting.clone();
            java.util.Arrays.sort(sorted);
            LOG.debug("model v{}: batch {} ({} not finite, min {} median {} max {}), shard seen {} requested {} deficit {}",
                    version, batch.size(), nan, sorted[0], sorted[sorted.length / 2], sorted[sorted.length - 1],
                    policy.seen(), policy.requested(), String.format("%.2f", policy.budget().deficit()));
        }
    }

    private SelectionPolicy policy(ValueState<byte[]> state) throws Exception {
        byte[] bytes = state.value();
        return bytes == null ? LearnerBridge.newPolicy(learnerConfig) : LearnerBridge.policyFromBytes(bytes);
    }

    /** budget: the shard's policy, already counting this request and its batch. */
    private void emit(EventRecord e, String strategy, double score, Map<String, Double> scores, long version, long now,
                      SelectionPolicy budget, Collector<RequestRecord> out) {
        RequestRecord r = new RequestRecord();
        // One request per event: a replay after a restore yields the same id, and the broker de-duplicates by it;
        // keyed, so that no one can guess an open request's id from its event id.
        r.requestId = settings.requestId(e.id);
        r.eventId = e.id;
        r.features = e.features;
        r.payloadUri = e.payloadUri;
        r.payloadText = e.payloadText;
        r.strategy = strategy;
        r.score = score;
        r.scores = scores;
        r.modelVersion = version;
        r.priority = score;
        r.createdAt = now;
        r.deadline = now + settings.deadlineMs();
        r.redundancy = settings.redundancy();
        r.stream = e.stream;
        r.attributes = e.attributes;
        r.shard = currentShard;
        r.shardEventsSeen = budget.seen();
        r.shardLabelsRequested = budget.requested();
        requests.inc();
        requestsSent++;
        out.collect(r);
    }

    @Override
    public void close() throws Exception {
        if (replica != null) {
            replica.close();
            replica = null;
        }
    }
}
