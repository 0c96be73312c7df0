package io.alstream.flink.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.flink.records.ModelBroadcast;
import io.alstream.flink.records.ModelUpdateRecord;
import io.alstream.flink.records.TrainerInput;
import io.alstream.learner.FoldResult;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelInput;
import io.alstream.learner.ModelStats;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.util.StateChunks;

/**
 * The one model of the job (parallelism 1): folds each consolidated label into the online model
 * (rank-one NTK update), keeps requested but unanswered events as pending entries, and publishes the
 * newest version to the scorers and to the model-updates topic at most every
 * {@code job.model-broadcast-interval-ms}.
 *
 * <p>Retraining never runs on the task thread: when the learner's schedule calls for one, a copy of the
 * network trains on a copy of the kept labels on this task's retrain thread while labels keep folding into
 * the current linearisation; a processing-time timer polls it and swaps the new network in (the labels and
 * pending entries that arrived meanwhile are re-applied). A checkpoint taken meanwhile stores the retrain's
 * inputs, and a restore redoes it with the same seed, so it yields the same network.
 *
 * <p>With {@link #batching} the inputs are folded in batches ({@link OnlineModel#apply}: one features pass, one
 * pass over A^{-1} and one block update per batch instead of one per input): a batch is applied when it holds
 * {@code job.trainer-batch-size} inputs, at the latest {@code job.trainer-batch-max-delay-ms} after its first, on
 * every timer, and before every checkpoint, so a checkpoint never leaves an input behind in the buffer.
 *
 * <p>The model lives in a field and is written to state only at checkpoints, so a label costs one O(|T|^2) update,
 * not a serialization. Folding is idempotent by event id (the learner keeps the ids), so a label delivered twice,
 * or replayed after a restore, changes the model once.
 *
 * <p>State (run it with {@link TrainerOperator}, which sets the one key before state is initialized):
 * <ul>
 * <li>{@code online-model} (operator list state): weights, T, A^{-1}, counters, folded ids, a running retrain's
 * inputs - bounded by the kernel cap and the dedup window, written in full at each checkpoint, streamed into pieces
 * of at most {@link StateChunks#DEFAULT_CHUNK_BYTES} (no allocation grows with it).
 * <li>{@code kept-label-chunks} (keyed map state, chunk index to chunk): the kept training labels, up to
 * {@code learner.max-training-labels}, {@link #LABELS_PER_CHUNK} per chunk. A chunk is written once when labels enter
 * it and again only while it is the newest, partly filled one; evicted chunks are removed. With RocksDB and
 * incremental checkpoints a checkpoint uploads only what changed since the last, not every kept label.
 * <li>{@code trainer-bookkeeping} (operator list state): counters and figures besides the model.
 * <li>{@code kept-labels} (operator list state): where versions before the keyed chunks kept them; read at restore
 * and emptied.
 * </ul>
 */
public final class TrainerFunction extends KeyedProcessFunction<Byte, TrainerInput, ModelBroadcast>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainerFunction.class);

    public static final OutputTag<ModelUpdateRecord> MODEL_UPDATES = new OutputTag<>("model-updates") {
    };
    /** All inputs share this key: one model, one key. */
    public static final byte KEY = 0;
    /** Kept labels per keyed-state chunk: 256 x 784 float32 is about 0.8 MB, what a checkpoint rewrites at most. */
    static final int LABELS_PER_CHUNK = 256;

    private final LearnerConfig learnerConfig;
    private final long publishIntervalMs;
    private final double prequentialDecay;
    private final HeldOutSet heldOut;
    private final String modelId;
    private final long snapshotIntervalMs;
    private long heldOutIntervalMs;
    private int batchSize = 1;
    private long batchMaxDelayMs;

    private transient ListState<byte[]> modelState;
    private transient ListState<byte[]> bookkeepingState;
    /** Where earlier versions kept the kept labels (operator state): read at restore, then emptied. */
    private transient ListState<byte[]> legacyKeptLabelsState;
    /** The kept training labels by chunk index (keyed state, the one key). */
    private transient MapState<Long, byte[]> keptChunksState;
    /** Kept labels before this sequence number are in keptChunksState as they are now (the newest chunk may grow). */
    private transient long keptWrittenTo;
    /** The oldest chunk index in keptChunksState (chunks below it are removed). */
    private transient long keptStoredFrom;
    private transient OnlineModel model;
    private transient TrainerBookkeeping book;
    private transient boolean dirty;
    /** Restored from a checkpoint: the model must go out to the scorers at once (see {@link #publishesAtOnce()}). */
    private transient boolean restored;
    private transient ModelPublisher publisher;
    private transient volatile double budgetSpentTotal = Double.NaN;
    /** When the earliest timer this task registered fires (MAX_VALUE: none known). */
    private transient long timerAt;
    private transient ExecutorService retrainThread;
    private transient long lastPublishAt;
    private transient int refreshesCounted;
    private transient int heldOutAtRefresh = -1;
    private transient long labelsAtHeldOut = -1;
    /** When the running retrain started (0 = none), for the metrics thread. */
    private transient volatile long retrainStartedAt;
    /** When the fold now running started (0 = none), for the metrics thread. */
    private transient volatile long foldStartedAt;

    /** Inputs received and not applied yet (at most batchSize; applied before every checkpoint). */
    private transient List<TrainerInput> batch;
    private transient Counter labelsFolded;
    private transient Counter duplicates;
    private transient Counter unlabelled;
    private transient Counter refreshes;
    private transient Histogram labelLatency;
    private transient Histogram foldLatency;
    private transient Histogram batchSizes;

    public TrainerFunction(LearnerConfig learnerConfig, long publishIntervalMs, double prequentialDecay,
                           HeldOutSet heldOut, String modelId) {
        this(learnerConfig, publishIntervalMs, prequentialDecay, heldOut, modelId, 0);
    }

    /** snapshotIntervalMs: deltas between full snapshots at least this often (0 = every version in full). */
    public TrainerFunction(LearnerConfig learnerConfig, long publishIntervalMs, double prequentialDecay,
                           HeldOutSet heldOut, String modelId, long snapshotIntervalMs) {
        this.snapshotIntervalMs = snapshotIntervalMs;
        this.learnerConfig = learnerConfig;
        this.publishIntervalMs = publishIntervalMs;
        this.prequentialDecay = prequentialDecay;
        this.heldOut = heldOut;
        this.modelId = modelId;
    }

    /**
     * Evaluates the held-out set after each retrain and otherwise at most this often, and at the latest this
     * long after the last label (0: at every published version). Default 0.
     */
    public TrainerFunction heldOutEvery(long intervalMs) {
        this.heldOutIntervalMs = intervalMs;
        return this;
    }

    /**
     * Folds inputs in batches of up to size (1: each input at once, the default), applied at the latest
     * maxDelayMs after the first input of a batch arrived.
     */
    public TrainerFunction batching(int size, long maxDelayMs) {
        if (size < 1 || maxDelayMs < 0) {
            throw new IllegalArgumentException("job.trainer-batch-size must be >= 1 and job.trainer-batch-max-delay-ms >= 0, were "
                    + size + " and " + maxDelayMs);
        }
        this.batchSize = size;
        this.batchMaxDelayMs = maxDelayMs;
        return this;
    }

    /** The live model (tests look at it between harness steps). */
    OnlineModel model() {
        return model;
    }

    /** How often the timer looks at a running retrain: often enough that a finished one waits little. */
    private long pollMs() {
        return Math.max(1, Math.min(publishIntervalMs, 100));
    }

    @Override
    public void initializeState(FunctionInitializationContext ctx) throws Exception {
        timerAt = Long.MAX_VALUE;
        retrainThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "alstream-retrain");
            t.setDaemon(true);
            return t;
        });
        modelState = ctx.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("online-model", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        bookkeepingState = ctx.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("trainer-bookkeeping", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        legacyKeptLabelsState = ctx.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("kept-labels", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        keptChunksState = ctx.getKeyedStateStore().getMapState(new MapStateDescriptor<>("kept-label-chunks",
                BasicTypeInfo.LONG_TYPE_INFO, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        List<byte[]> modelPieces = new ArrayList<>();
        modelState.get().forEach(modelPieces::add);
        byte[] bookBytes = first(bookkeepingState.get());
        if (!modelPieces.isEmpty()) {
            List<byte[]> legacy = new ArrayList<>();
            legacyKeptLabelsState.get().forEach(legacy::add);
            List<byte[]> chunks = new ArrayList<>();
            long lowest = Long.MAX_VALUE;
            for (java.util.Map.Entry<Long, byte[]> e : keptChunksState.entries()) {
                chunks.add(e.getValue());
                lowest = Math.min(lowest, e.getKey());
            }
            boolean fromLegacy = !legacy.isEmpty();
            // state of the first version holds its kept labels inline (no chunks; they are ignored then); state of
            // versions before the keyed chunks keeps them in operator state
            model = OnlineModel.restore(learnerConfig, StateChunks.read(modelPieces), fromLegacy ? legacy : chunks,
                    retrainThread);
            book = bookBytes == null ? new TrainerBookkeeping() : TrainerBookkeeping.fromBytes(bookBytes);
            if (!fromLegacy && !chunks.isEmpty()) {
                keptWrittenTo = model.keptLabelsEnd();
                keptStoredFrom = lowest;
            } else { // kept labels restored from elsewhere (or none): all go into keyed chunks at the next checkpoint
                keptWrittenTo = model.keptLabelsHead();
                keptStoredFrom = model.keptLabelsHead() / LABELS_PER_CHUNK;
            }
            LOG.info("trainer restored model version {} ({} labels folded, {} kept{})", model.version(),
                    model.stats().labelsFolded(), model.keptLabelsEnd() - model.keptLabelsHead(),
                    fromLegacy ? ", from the operator state of an earlier version" : "");
            // Scorers keep no model in their checkpoints (it was most of what they wrote at every checkpoint): they
            // wait for this full snapshot, published as soon as the task runs (TrainerOperator registers the timer),
            // not at the next label - which a scorer without a model might never ask for.
            dirty = true;
            restored = true;
            if (model.isRetraining()) {
                LOG.info("trainer restarts the retrain that was running at the checkpoint");
            }
        } else {
            model = OnlineModel.create(learnerConfig);
            model.setRetrainExecutor(retrainThread);
            book = new TrainerBookkeeping();
            keptWrittenTo = 0;
            keptStoredFrom = 0;
            LOG.info("trainer started a new model: {}", learnerConfig);
        }
    }

    private static byte[] first(Iterable<byte[]> it) {
        for (byte[] b : it) {
            return b;
        }
        return null;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        applyBatch(); // inputs already taken from the input channels belong to this checkpoint's state
        List<byte[]> pieces = new ArrayList<>();
        try (StateChunks.Writer w = new StateChunks.Writer(StateChunks.DEFAULT_CHUNK_BYTES, pieces::add)) {
            model.writeWithoutKeptLabels(w);
        }
        modelState.update(pieces);
        writeKeptLabels();
        bookkeepingState.update(List.of(book.toBytes()));
    }

    /**
     * Brings the keyed kept-label chunks up to the model's kept labels: (re)writes the chunks that received labels
     * since the last checkpoint, removes those wholly evicted. Task thread only (the retrain thread never touches
     * state; it trains on its own list of the kept labels).
     */
    private void writeKeptLabels() throws Exception {
        long head = model.keptLabelsHead();
        long end = model.keptLabelsEnd();
        for (long c = Math.max(keptWrittenTo, head) / LABELS_PER_CHUNK; c * LABELS_PER_CHUNK < end; c++) {
            byte[] chunk = model.encodeKeptLabels(c * LABELS_PER_CHUNK, (c + 1) * LABELS_PER_CHUNK);
            if (chunk != null) {
                keptChunksState.put(c, chunk);
            }
        }
        long firstKept = head / LABELS_PER_CHUNK;
        for (long c = keptStoredFrom; c < firstKept; c++) {
            keptChunksState.remove(c);
        }
        keptStoredFrom = Math.max(keptStoredFrom, firstKept);
        keptWrittenTo = end;
        legacyKeptLabelsState.clear();
    }

    @Override
    public void open(OpenContext ctx) {
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("alstream");
        labelsFolded = g.counter("labels_folded");
        duplicates = g.counter("labels_duplicate");
        unlabelled = g.counter("requests_closed_unlabelled");
        refreshes = g.counter("model_refreshes");
        refreshesCounted = model.stats().refreshCount();
        labelLatency = g.histogram("label_latency_ms", new DescriptiveStatisticsHistogram(1024));
        foldLatency = g.histogram("fold_latency_ms", new DescriptiveStatisticsHistogram(1024));
        batch = new ArrayList<>();
        batchSizes = g.histogram("trainer_batch_size", new DescriptiveStatisticsHistogram(1024)); // inputs per applied batch
        g.gauge("model_version", () -> model == null ? -1L : model.version());
        // read by the metrics thread while the task thread folds: how long the current fold (a retrain) has run
        g.gauge("fold_in_progress_ms", () -> {
            long t = foldStartedAt;
            return t == 0 ? 0L : System.currentTimeMillis() - t;
        });
        publisher = new ModelPublisher(snapshotIntervalMs);
        // what model distribution costs: bytes and counts of full snapshots and of deltas sent
        g.gauge("model_snapshots_sent", () -> publisher.snapshotsSent());
        g.gauge("model_deltas_sent", () -> publisher.deltasSent());
        g.gauge("model_snapshot_bytes_sent", () -> publisher.snapshotBytes());
        g.gauge("model_delta_bytes_sent", () -> publisher.deltaBytes());
        g.gauge("retrain_in_progress_ms", () -> {
            long t = retrainStartedAt;
            return t == 0 ? 0L : System.currentTimeMillis() - t;
        });
        g.gauge("kernel_size", () -> model == null ? 0 : model.stats().kernelSize());
        // labels that came while a retrain ran with T at learner.kernel-cap-while-retraining: in the next retrain only
        g.gauge("labels_deferred_to_retrain", () -> model == null ? 0L : model.labelsDeferred());
        g.gauge("pending_requests", () -> model == null ? 0 : model.stats().pendingCount());
        g.gauge("prequential_accuracy", () -> book == null || book.prequentialAccuracy() == null ? Double.NaN : book.prequentialAccuracy());
        // labels requested / events seen over all scoring shards, as their requests report it (updated at each publish)
        g.gauge("budget_spent_total", () -> budgetSpentTotal);
        g.gauge("heldout_accuracy", () -> book == null || book.lastHeldOutAccuracy == null ? Double.NaN : book.lastHeldOutAccuracy);
    }

    @Override
    public void processElement(TrainerInput in, Context ctx, Collector<ModelBroadcast> out) throws Exception {
        if (in.kind != TrainerInput.Kind.PENDING && in.kind != TrainerInput.Kind.LABEL) {
            throw new IllegalStateException("unknown trainer input " + in.kind);
        }
        batch.add(in); // kept past this call: safe while the job leaves Flink's object reuse off (it does)
        if (batch.size() < batchSize) {
            long due = ctx.timerService().currentProcessingTime() + batchMaxDelayMs;
            if (due < timerAt) { // onTimer applies the batch
                ctx.timerService().registerProcessingTimeTimer(due);
                timerAt = due;
            }
            return;
        }
        applyBatch();
        long due = ctx.timerService().currentProcessingTime() + (model.isRetraining() ? pollMs() : publishIntervalMs);
        if (due < timerAt) { // a later timer (a scheduled held-out evaluation) must not hold this version back
            ctx.timerService().registerProcessingTimeTimer(due);
            timerAt = due;
        }
    }

    /** Counts retrains swapped in since the last look and keeps the in-progress gauge current. */
    private void trackRetrain() {
        int n = model.stats().refreshCount();
        if (n > refreshesCounted) {
            refreshes.inc(n - refreshesCounted);
            LOG.info("model refreshed (network retrained; {} labels folded) at version {}", model.stats().labelsFolded(), model.version());
            refreshesCounted = n;
        }
        long started = model.retrainStartedNanos();
        retrainStartedAt = started == 0 ? 0 : System.currentTimeMillis() - (System.nanoTime() - started) / 1_000_000;
    }

    /** Applies the buffered inputs to the model as one batch and does each input's bookkeeping. */
    private void applyBatch() {
        if (batch.isEmpty()) {
            return;
        }
        List<ModelInput> inputs = new ArrayList<>(batch.size());
        for (TrainerInput in : batch) {
            inputs.add(in.kind == TrainerInput.Kind.PENDING ? ModelInput.pending(in.eventId, in.features)
                    : in.label == null ? ModelInput.drop(in.eventId) : ModelInput.label(in.eventId, in.features, in.label));
        }
        foldStartedAt = System.currentTimeMillis();
        List<ModelInput.Result> results;
        try {
            results = model.apply(inputs);
        } finally {
            foldStartedAt = 0;
        }
        batchSizes.update(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            TrainerInput in = batch.get(i);
            ModelInput.Result r = results.get(i);
            if (in.kind == TrainerInput.Kind.PENDING) {
                book.pendingAdded++;
                book.budgetHeard(in.shard, in.shardEventsSeen, in.shardLabelsRequested);
            } else if (in.label == null) {
                if (r.changed()) {
                    unlabelled.inc();
                    book.closedUnlabelled++;
                }
            } else {
                folded(in, r.fold(), r.warmBefore());
            }
        }
        batch.clear();
        dirty = true;
        trackRetrain();
    }

    private void folded(TrainerInput in, FoldResult r, boolean warmBefore) {
        if (r.duplicate()) {
            duplicates.inc();
            book.duplicates++;
            return;
        }
        if (warmBefore) {
            book.prequential(r.predictedBefore() == in.label, prequentialDecay);
        }
        book.labelsFoldedTotal++;
        book.foldedSinceUpdate.add(in.eventId);
        long now = System.currentTimeMillis();
        book.lastLabelAt = now;
        labelsFolded.inc();
        if (in.requestedAt != null) {
            labelLatency.update(Math.max(0, now - in.requestedAt));
        }
        foldLatency.update(Math.max(0, now - in.at)); // consolidated by the broker -> in the model
    }

    /**
     * True after a restore: the operator then registers a timer for now, whose {@link #onTimer} publishes the restored
     * model in full (scorers restore without one).
     */
    boolean publishesAtOnce() {
        return restored;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ModelBroadcast> out) throws Exception {
        if (timestamp >= timerAt) {
            timerAt = Long.MAX_VALUE;
        }
        applyBatch();
        if (model.pollRetrain()) {
            dirty = true; // a new network: publish it without waiting for the next label
        }
        trackRetrain();
        if (!dirty && heldOutStale() && timestamp - book.lastHeldOutAt >= heldOutIntervalMs) {
            dirty = true; // labels came in since the last evaluation and then stopped: evaluate the newest model
        }
        if (dirty && timestamp - lastPublishAt >= publishIntervalMs) {
            dirty = false;
            lastPublishAt = timestamp;
            publish(timestamp, ctx, out);
        }
        long next = Long.MAX_VALUE;
        if (model.isRetraining()) {
            next = timestamp + pollMs();
        } else if (dirty) {
            next = lastPublishAt + publishIntervalMs;
        }
        if (heldOutStale()) {
            next = Math.min(next, book.lastHeldOutAt + heldOutIntervalMs);
        }
        next = Math.max(next, timestamp + 1);
        if (next != Long.MAX_VALUE && next < timerAt) {
            ctx.timerService().registerProcessingTimeTimer(next);
            timerAt = next;
        }
    }

    /** Labels have been folded since the last held-out evaluation (scheduled evaluations only). */
    private boolean heldOutStale() {
        return heldOut != null && heldOut.size() > 0 && heldOutIntervalMs > 0 && model.isWarm()
                && model.stats().labelsFolded() != labelsAtHeldOut;
    }

    private void publish(long now, OnTimerContext ctx, Collector<ModelBroadcast> out) {
        ModelStats stats = model.stats();
        ModelBroadcast broadcast = publisher.next(model, now); // a full snapshot or a delta; null if nothing new
        if (broadcast != null) {
            out.collect(broadcast);
        }
        // one ModelUpdate per version: an input that changed nothing (a close for no pending entry) or a restore writes
        // none; the one exception is the held-out evaluation of the newest version once labels stopped (trigger
        // evaluation), written at most once, as its result exists only then
        boolean evaluationOnly = model.version() == book.lastPublishedVersion;
        if (evaluationOnly && !heldOutStale()) {
            return;
        }

        ModelUpdateRecord u = new ModelUpdateRecord();
        u.modelId = modelId;
        u.version = model.version();
        u.labelsFolded = stats.labelsFolded();
        u.kernelSize = stats.kernelSize();
        u.pending = stats.pendingCount();
        u.refreshCount = stats.refreshCount();
        u.prequentialAccuracy = book.prequentialAccuracy();
        u.budgetSpent = book.budgetSpent();
        budgetSpentTotal = u.budgetSpent == null ? Double.NaN : u.budgetSpent;
        u.createdAt = now;
        u.lastLabelAt = book.lastLabelAt;
        u.foldedEventIds = new ArrayList<>(book.foldedSinceUpdate);
        // the values documented in ModelUpdate.avsc; the warm-up training is also the first refresh, and says warmup
        u.trigger = evaluationOnly ? "evaluation" : model.isWarm() && !book.lastPublishedWarm ? "warmup"
                : (stats.refreshCount() > book.lastPublishedRefreshes ? "refresh" : (u.foldedEventIds.isEmpty() ? "pending" : "label"));
        u.metrics.put("duplicates", (double) book.duplicates);
        u.metrics.put("closed_unlabelled", (double) book.closedUnlabelled);
        u.metrics.put("pending_added", (double) book.pendingAdded);
        if (broadcast != null && !evaluationOnly) { // what this version cost the wire to each scorer, and in which form
            u.metrics.put("broadcast_bytes", (double) broadcast.snapshot.length);
            u.metrics.put("broadcast_delta", broadcast.delta ? 1.0 : 0.0);
        }
        // held-out evaluation costs a prediction per held-out row on this thread: after each retrain (a new
        // network) and otherwise on a schedule, not at every version
        boolean evaluate = heldOut != null && heldOut.size() > 0 && model.isWarm()
                && (evaluationOnly || heldOutIntervalMs <= 0 || stats.refreshCount() != heldOutAtRefresh
                        || now - book.lastHeldOutAt >= heldOutIntervalMs);
        if (evaluate) {
            book.lastHeldOutAccuracy = model.accuracy(heldOut.features(), heldOut.labels());
            book.lastHeldOutAt = now;
            heldOutAtRefresh = stats.refreshCount();
            labelsAtHeldOut = stats.labelsFolded();
            u.metrics.put("heldout_accuracy", book.lastHeldOutAccuracy); // only when measured on this version
        }
        ctx.output(MODEL_UPDATES, u);

        book.foldedSinceUpdate.clear();
        book.lastPublishedVersion = model.version();
        book.lastPublishedRefreshes = stats.refreshCount();
        book.lastPublishedWarm = model.isWarm();
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close(); // cancels a running retrain at its next step
        }
        if (retrainThread != null) {
            retrainThread.shutdownNow();
        }
    }
}
