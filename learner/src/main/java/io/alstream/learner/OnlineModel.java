package io.alstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.alstream.learner.LearnerConfig.PseudoLabelSource;
import io.alstream.learner.kernel.EmpiricalNtk;
import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.kernel.KernelRegressionState;
import io.alstream.learner.kernel.NtkFeatures;
import io.alstream.learner.nn.DeviceMlp;
import io.alstream.learner.nn.InputStandardization;
import io.alstream.learner.nn.LossPlateau;
import io.alstream.learner.nn.MlpNetwork;
import io.alstream.learner.nn.MlpWeights;
import io.alstream.learner.util.ComputeDevice;
import io.alstream.learner.util.SplitMix64;
import io.alstream.learner.util.StateCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The trainer-side model (DESIGN 4.1, 4.4): the network linearised at its last trained weights plus kernel
 * regression on the labels and pending requests since then. Single-threaded; holds DJL resources (close
 * it). Its full state round-trips through {@link #toBytes()} / {@link #fromBytes} (a Flink checkpoint) and
 * continues identically.
 *
 * <p>Life cycle: labels fold in by block-inverse updates (O(|T|^2)); when {@code warmupLabels} have been
 * folded the network is trained for the first time ({@link #isWarm()}); afterwards a refresh retrains it on
 * all kept labels and restarts the linearisation whenever the labels in T reach {@code kernelCap} (pending
 * entries do not count) or every {@code refreshEvery} labels, or (geometric schedule) when the labels folded
 * reach {@code refreshGrowth} times those at the last retraining. A retrain takes at most {@code trainSteps}
 * steps. Pending entries survive a refresh (re-added with fresh pseudo-labels).
 *
 * <p>Retraining runs on the calling thread by default; with {@link #setRetrainExecutor} it runs on an executor
 * while folds continue on the current linearisation, and {@link #pollRetrain()} swaps the result in, re-applying
 * what arrived meanwhile: the same model the synchronous path gives, whatever the timing.
 */
public final class OnlineModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnlineModel.class);
    private static final int MAGIC = 0x414C534D; // "ALSM"
    /**
     * 2: adds the running retrain's inputs; 3: the kept labels may be kept apart (count -1) and their first
     * sequence number follows; 4: the linearisation's input standardisation after its weights, and at the end the
     * feature moments and a running retrain's frozen standardisation. 1 to 3 are still read (raw inputs: what
     * those versions computed with).
     */
    private static final int FORMAT = 4;
    /** The plateau rule's epoch patience and relative improvement: the offline yardstick's. */
    private static final int PLATEAU_EPOCHS = 10;
    private static final double PLATEAU_IMPROVEMENT = 0.01;

    private final LearnerConfig config;
    private final NDManager manager;
    private final MlpNetwork network;
    private DeviceMlp deviceNet;
    private EmpiricalNtk ntk;
    private KernelRegressionState state;
    private KeptLabels kept = new KeptLabels();
    /** Every input seen, for the next linearisation's standardisation; null when standardisation is off. */
    private FeatureMoments moments;
    private final Set<String> foldedIds = new LinkedHashSet<>();
    private long version;
    private long labelsFolded;
    /** Labels folded while a retrain ran and T was at {@link LearnerConfig#kernelCapWhileRetraining()} (this process). */
    private long labelsDeferred;
    private int labelsSinceRefresh;
    private int refreshCount;
    /** Training time and Adam steps of the retrains swapped in since this instance was created or restored. */
    private long retrainMillis;
    private long retrainSteps;
    private boolean warm;
    /** Where retrains run; null = on the calling thread (synchronous, as every fold used to be). */
    private java.util.concurrent.Executor retrainExecutor;
    /** The retrain now running (or due to restart after a restore); null = none. */
    private Retrain retrain;

    private OnlineModel(LearnerConfig config, MlpWeights weights) {
        this.config = config;
        this.manager = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
        this.network = new MlpNetwork(config, weights, ComputeDevice.get());
        this.moments = config.standardizeInputs() ? new FeatureMoments(config.inputDim()) : null;
        linearise(weights);
    }

    /** A fresh model: seeded initial weights, empty T, not warm. */
    public static OnlineModel create(LearnerConfig config) {
        int[] widths = MlpWeights.widths(config.inputDim(), config.hiddenWidths(), config.numClasses());
        return new OnlineModel(config, MlpWeights.initialise(widths, config.activation(), config.seed()));
    }

    /**
     * A model linearised at given weights (e.g. a network trained elsewhere); warm says whether they count
     * as trained.
     */
    public static OnlineModel createWithWeights(LearnerConfig config, MlpWeights weights, boolean warm) {
        OnlineModel m = new OnlineModel(config, weights);
        m.warm = warm;
        return m;
    }

    private void linearise(MlpWeights weights) {
        if (state != null) {
            state.close();
            deviceNet.close();
        }
        deviceNet = new DeviceMlp(manager, weights, ComputeDevice.dataType(config.precision()));
        ntk = new EmpiricalNtk(deviceNet, config.kernelKind());
        state = new KernelRegressionState(manager, ntk, config.ridgeLambda());
    }

    public LearnerConfig config() { return config; }
    public long version() { return version; }
    /** The network has been trained at least once. */
    public boolean isWarm() { return warm; }
    public MlpWeights weights() { return deviceNet.weights(); }

    /** The running feature moments (a copy); null when standardisation is off. */
    public FeatureMoments featureMoments() { return moments == null ? null : moments.copy(); }

    /**
     * Counts unlabelled inputs (e.g. every scored event) into the feature moments the next retrain standardises
     * by. Changes no prediction and no version: the current linearisation keeps its frozen transform. No-op when
     * standardisation is off.
     */
    public void observe(float[]... xs) {
        if (moments == null) {
            return;
        }
        for (float[] x : xs) {
            moments.add(checkDim(x));
        }
    }

    /** Adds a summary of inputs seen elsewhere (a scoring task's moments) to the running moments. */
    public void observe(FeatureMoments seen) {
        if (moments != null) {
            moments.merge(seen);
        }
    }

    private void see(double[] x) {
        if (moments != null) {
            moments.add(x);
        }
    }

    public double[] predict(float[] x) { return predict(toDouble(x)); }

    /** Online f(x) per class. */
    public double[] predict(double[] x) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return state.predictOne(state.featuresOf(new double[][] {checkDim(x)}));
        }
    }

    public int predictClass(float[] x) { return argmax(predict(x)); }

    public int predictClass(double[] x) { return argmax(predict(x)); }

    /** Predictions for many rows at once, [n][C]. */
    public double[][] predictAll(float[][] xs) {
        double[][] out = new double[xs.length][];
        int c = config.numClasses();
        int chunk = 512;
        for (int from = 0; from < xs.length; from += chunk) {
            int to = Math.min(xs.length, from + chunk);
            double[][] rows = new double[to - from][];
            for (int i = from; i < to; i++) {
                rows[i - from] = toDouble(checkDim(xs[i]));
            }
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                double[] flat = state.predict(state.featuresOf(rows)).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
                for (int i = from; i < to; i++) {
                    out[i] = java.util.Arrays.copyOfRange(flat, (i - from) * c, (i - from + 1) * c);
                }
            }
        }
        return out;
    }

    /** Fraction of rows whose predicted class equals the label (held-out evaluation). */
    public double accuracy(float[][] xs, int[] ys) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[][] p = predictAll(xs);
        int right = 0;
        for (int i = 0; i < xs.length; i++) {
            right += argmax(p[i]) == ys[i] ? 1 : 0;
        }
        return right / (double) xs.length;
    }

    public FoldResult fold(String eventId, float[] x, int label) {
        return fold(eventId, toDouble(checkDim(x)), label);
    }

    /**
     * Folds one label. Idempotent by event id: a second fold of the same id returns DUPLICATE and changes
     * nothing. Confirms a pending entry with that id (its pseudo-label becomes the real one; A^{-1} is
     * unchanged) or appends a new entry to T (block-inverse update); bumps the version; then runs the
     * warm-up training or a refresh when due.
     */
    public FoldResult fold(String eventId, double[] x, int label) {
        checkDim(x);
        if (label < 0 || label >= config.numClasses()) {
            throw new IllegalArgumentException("label " + label + " outside [0, " + config.numClasses() + ")");
        }
        if (foldedIds.contains(eventId)) {
            return new FoldResult(FoldResult.Status.DUPLICATE, -1, false, false, version);
        }
        double[] target = oneHot(label);
        int pendingIndex = state.indexOf(eventId);
        boolean confirmed = pendingIndex >= 0;
        int before;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            // one forward/backward pass serves both the prediction before the label and the update
            NtkFeatures f = state.featuresOf(new double[][] {x});
            before = argmax(state.predictOne(f));
            if (confirmed) {
                state.setTarget(pendingIndex, target, false);
            } else if (retrain != null && state.size() >= config.kernelCapWhileRetraining()) {
                labelsDeferred++; // kept for the next retrain only (see apply)
            } else {
                state.append(new KernelEntry(eventId, x, target, false), f);
            }
        }
        rememberFolded(eventId);
        rememberForTraining(x, label);
        see(x);
        labelsFolded++;
        labelsSinceRefresh++;
        version++;
        boolean refresh = refreshDue();
        if (refresh) {
            refreshNow();
        }
        return new FoldResult(FoldResult.Status.FOLDED, before, confirmed, refresh, version);
    }

    /**
     * Folds many labels with one block update of A^{-1} (O(|T|^2 m + m^3) for m new labels instead of m
     * separate updates): for catching up on a backlog and for building large states in benchmarks. Ids
     * already folded (or repeated in the batch) are skipped; pending ids are confirmed. Refreshes at the end
     * if due. Returns how many labels were folded.
     */
    public int foldBatch(String[] eventIds, float[][] xs, int[] labels) {
        if (eventIds.length != xs.length || xs.length != labels.length) {
            throw new IllegalArgumentException("ids, rows and labels must have the same length");
        }
        List<KernelEntry> added = new ArrayList<>();
        int folded = 0;
        for (int i = 0; i < xs.length; i++) {
            double[] x = toDouble(checkDim(xs[i]));
            if (labels[i] < 0 || labels[i] >= config.numClasses()) {
                throw new IllegalArgumentException("label " + labels[i] + " outside [0, " + config.numClasses() + ")");
            }
            if (foldedIds.contains(eventIds[i])) {
                continue;
            }
            rememberFolded(eventIds[i]);
            int pendingIndex = state.indexOf(eventIds[i]);
            if (pendingIndex >= 0) {
                state.setTarget(pendingIndex, oneHot(labels[i]), false);
            } else {
                added.add(new KernelEntry(eventIds[i], x, oneHot(labels[i]), false));
            }
            rememberForTraining(x, labels[i]);
            see(x);
            labelsFolded++;
            labelsSinceRefresh++;
            version++;
            folded++;
        }
        state.appendAll(added);
        if (folded > 0 && refreshDue()) {
            refreshNow();
        }
        return folded;
    }

    /**
     * Applies a batch of the trainer's inputs, in order, to the same end state as one call each
     * ({@link #addPending}, {@link #fold}, {@link #dropPending}; A^{-1} and predictions equal to rounding), with
     * the numerical work done once per batch: one forward/backward pass for the new rows, K(T,B) once, one pass
     * over A^{-1} for V = A^{-1} K(T,B) (every new row's prediction comes from it), and one rank-|B| block update
     * instead of |B| rank-one updates. A confirmation of an entry already in T computes no features: its
     * prediction is y_i - lambda alpha_i (O(|T|)) and only its target changes.
     *
     * <p>Order within the batch is kept where it matters: duplicates, the |T| cap, pending/label/drop of the same
     * id and the retrain schedule are decided input by input as the single calls would. The work is split where
     * the single calls would need the state in between: before a drop of an entry already in T, before a retrain
     * starts, and before each pending add when pseudo-labels come from the online model. A label's
     * {@code predictedBefore} (prequential accuracy) is the prediction of the model as it stood at the start of
     * its part of the batch, so it can miss the labels just before it in the same batch; with batches of one it is
     * exactly {@link #fold}'s.
     */
    public List<ModelInput.Result> apply(List<ModelInput> inputs) {
        ModelInput.Result[] results = new ModelInput.Result[inputs.size()];
        Segment seg = new Segment(warm);
        for (int q = 0; q < inputs.size(); q++) {
            ModelInput in = inputs.get(q);
            String id = in.eventId();
            switch (in.kind()) {
                case PENDING -> {
                    double[] x = toDouble(checkDim(in.x()));
                    if (foldedIds.contains(id) || seg.find(id) != null || state.indexOf(id) >= 0
                            || state.size() + seg.entries.size() >= config.kernelCap()) {
                        results[q] = new ModelInput.Result(false, null, false);
                        continue;
                    }
                    see(x);
                    if (config.pseudoLabelSource() == PseudoLabelSource.ONLINE) {
                        seg = flush(seg, results); // its pseudo-label is the online model's prediction now
                        state.append(new KernelEntry(id, x, oneHot(pseudoLabel(x)), true));
                    } else {
                        seg.entries.add(new SegmentEntry(id, x)); // pseudo-label from f0 of the batch's pass
                    }
                    version++;
                    results[q] = new ModelInput.Result(true, null, false);
                }
                case DROP -> {
                    SegmentEntry e = seg.find(id);
                    int i = e == null ? state.indexOf(id) : -1;
                    if (e != null && e.pending) {
                        seg.entries.remove(e);
                    } else if (e == null && i >= 0 && state.entries().get(i).pending() && !seg.targets.containsKey(i)) {
                        seg = flush(seg, results); // the reverse update needs T as the inputs before left it
                        state.remove(state.indexOf(id));
                    } else {
                        results[q] = new ModelInput.Result(false, null, false);
                        continue;
                    }
                    version++;
                    results[q] = new ModelInput.Result(true, null, false);
                }
                case LABEL -> {
                    double[] x = toDouble(checkDim(in.x()));
                    if (in.label() < 0 || in.label() >= config.numClasses()) {
                        throw new IllegalArgumentException("label " + in.label() + " of " + id + " outside [0, "
                                + config.numClasses() + ")");
                    }
                    if (foldedIds.contains(id)) {
                        results[q] = new ModelInput.Result(false,
                                new FoldResult(FoldResult.Status.DUPLICATE, -1, false, false, version), warm);
                        continue;
                    }
                    double[] target = oneHot(in.label());
                    SegmentEntry e = seg.find(id);
                    int i = e == null ? state.indexOf(id) : -1;
                    boolean confirmed = e != null || i >= 0;
                    if (e != null) {
                        e.target = target;
                        e.pending = false;
                    } else if (i >= 0) {
                        seg.targets.put(i, target);
                        seg.confirmedPendingInT += state.entries().get(i).pending() ? 1 : 0;
                    } else {
                        e = new SegmentEntry(id, x);
                        e.target = target;
                        e.pending = false;
                        // a retrain runs and T is at its bound: the label waits in the training set for the next
                        // retrain (deferred entries stay the segment's last ones: flush appends a prefix)
                        e.deferred = retrain != null && (seg.deferred > 0
                                || state.size() + seg.entries.size() >= config.kernelCapWhileRetraining());
                        seg.deferred += e.deferred ? 1 : 0;
                        labelsDeferred += e.deferred ? 1 : 0;
                        seg.entries.add(e);
                    }
                    rememberFolded(id);
                    rememberForTraining(x, in.label());
                    see(x);
                    labelsFolded++;
                    labelsSinceRefresh++;
                    version++;
                    boolean refresh = refreshDue(state.size() + seg.entries.size() - pendingCount() + seg.confirmedPendingInT
                            - seg.pendingCount());
                    seg.folds.add(new SegmentFold(q, e, i, confirmed, refresh, version));
                    if (refresh) {
                        flush(seg, results);
                        refreshNow();
                        seg = new Segment(warm); // a retrain on this thread has made the model warm by now
                    }
                }
                default -> throw new IllegalStateException("unknown model input " + in.kind());
            }
        }
        flush(seg, results);
        return java.util.Arrays.asList(results);
    }

    /**
     * Does a segment's numerical work (see {@link #apply}): predictions of its labels on the state at its start,
     * then the target changes of entries already in T, then one block append of its new entries. Returns an
     * empty segment that starts from the state now.
     */
    private Segment flush(Segment seg, ModelInput.Result[] results) {
        if (seg.isEmpty()) {
            return seg.warmAtStart == warm ? seg : new Segment(warm);
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<SegmentEntry> es = seg.entries;
            NtkFeatures f = null;
            KernelRegressionState.BatchProducts p = null;
            double[][] predicted = null;
            if (!es.isEmpty()) {
                double[][] xs = new double[es.size()][];
                for (int r = 0; r < xs.length; r++) {
                    xs[r] = es.get(r).x;
                }
                f = state.featuresOf(xs);
                p = state.products(f);
                predicted = state.predictBatch(f, p);
            }
            for (SegmentFold fold : seg.folds) {
                double[] before = fold.entry != null ? predicted[es.indexOf(fold.entry)] : state.predictEntry(fold.indexInT);
                results[fold.input] = new ModelInput.Result(true, new FoldResult(FoldResult.Status.FOLDED, argmax(before),
                        fold.confirmed, fold.refresh, fold.version), seg.warmAtStart);
            }
            for (java.util.Map.Entry<Integer, double[]> t : seg.targets.entrySet()) {
                state.setTarget(t.getKey(), t.getValue(), false);
            }
            if (!es.isEmpty()) {
                double[] f0 = f.outputs().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
                int c = config.numClasses();
                int live = es.size() - seg.deferred; // deferred labels: predicted above, not appended to T
                List<KernelEntry> added = new ArrayList<>(live);
                for (int r = 0; r < live; r++) {
                    SegmentEntry e = es.get(r);
                    // a pending entry's pseudo-label: onehot argmax f0(x) (PseudoLabelSource.NETWORK)
                    double[] target = e.target != null ? e.target
                            : oneHot(argmax(java.util.Arrays.copyOfRange(f0, r * c, (r + 1) * c)));
                    added.add(new KernelEntry(e.id, e.x, target, e.pending));
                }
                if (live == es.size()) {
                    state.appendAll(added, f, p);
                } else if (live > 0) {
                    state.appendAll(added, f.rows(0, live), p.firstColumns(live * config.kernelBlock()));
                }
            }
        }
        return new Segment(warm);
    }

    /** The part of a batch whose numerical work waits for {@link #flush}. */
    private static final class Segment {
        final boolean warmAtStart;
        /** New entries for the end of T, in order (pending ones without a target yet). */
        final List<SegmentEntry> entries = new ArrayList<>();
        /** New targets of entries already in T (labels confirming them), by index in T. */
        final java.util.Map<Integer, double[]> targets = new java.util.LinkedHashMap<>();
        final List<SegmentFold> folds = new ArrayList<>();
        int confirmedPendingInT;
        /** Labels of this segment kept for the next retrain only (the last entries). */
        int deferred;

        Segment(boolean warmAtStart) {
            this.warmAtStart = warmAtStart;
        }

        SegmentEntry find(String id) {
            for (SegmentEntry e : entries) {
                if (e.id.equals(id)) {
                    return e;
                }
            }
            return null;
        }

        int pendingCount() {
            int n = 0;
            for (SegmentEntry e : entries) {
                n += e.pending ? 1 : 0;
            }
            return n;
        }

        boolean isEmpty() {
            return entries.isEmpty() && targets.isEmpty() && folds.isEmpty();
        }
    }

    private static final class SegmentEntry {
        final String id;
        final double[] x;
        double[] target;
        boolean pending = true;
        boolean deferred;

        SegmentEntry(String id, double[] x) {
            this.id = id;
            this.x = x;
        }
    }

    /** A label of the segment: the result slot, and where its prediction comes from (a new row, or entry i of T). */
    private record SegmentFold(int input, SegmentEntry entry, int indexInT, boolean confirmed, boolean refresh, long version) { }

    /** Remembers a folded id; the oldest leaves once the window is full (LinkedHashSet keeps insertion order). */
    private void rememberFolded(String eventId) {
        foldedIds.add(eventId);
        if (foldedIds.size() > config.dedupWindow()) {
            java.util.Iterator<String> oldest = foldedIds.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private boolean refreshDue() {
        // only folded labels count toward the cap: pending entries never trigger a retrain by themselves
        return refreshDue(state.size() - pendingCount());
    }

    private boolean refreshDue(int labelsInT) {
        if (retrain != null) {
            return false; // one retrain at a time; the schedule is looked at again when it is swapped in
        }
        if (!warm) {
            return (config.warmupLabels() > 0 && labelsFolded >= config.warmupLabels()) || labelsInT >= config.kernelCap();
        }
        long atLastRefresh = labelsFolded - labelsSinceRefresh;
        return labelsInT >= config.kernelCap()
                || (config.refreshEvery() > 0 && labelsSinceRefresh >= config.refreshEvery())
                // geometric schedule; a network given warm (pre-trained, no labels yet) has no base to grow from
                || (config.refreshGrowth() > 1 && atLastRefresh > 0 && labelsSinceRefresh > 0
                        && labelsFolded >= Math.ceil(atLastRefresh * config.refreshGrowth()));
    }

    public boolean addPending(String eventId, float[] x) {
        return addPending(eventId, toDouble(checkDim(x)));
    }

    /**
     * Adds a requested point to T with its pseudo-label (onehot argmax of f0 or f, per config) so Sigma
     * shrinks around it until the label arrives (DESIGN 4.4). No-op (false) if the id was already folded or
     * is already pending, or if |T| is at the cap. Bumps the version when added.
     */
    public boolean addPending(String eventId, double[] x) {
        checkDim(x);
        if (foldedIds.contains(eventId) || state.indexOf(eventId) >= 0 || state.size() >= config.kernelCap()) {
            return false;
        }
        state.append(new KernelEntry(eventId, x, oneHot(pseudoLabel(x)), true));
        see(x);
        version++;
        return true;
    }

    /** Drops a pending entry (its request timed out). False if there is no pending entry with that id. */
    public boolean dropPending(String eventId) {
        int i = state.indexOf(eventId);
        if (i < 0 || !state.entries().get(i).pending()) {
            return false;
        }
        state.remove(i);
        version++;
        return true;
    }

    /**
     * Retrains the network on every kept label now and restarts the linearisation (bumps the version). Waits
     * for a retrain already in flight first; with an executor set, waits for this one too.
     */
    public void refresh() {
        awaitRetrain();
        refreshNow();
        awaitRetrain();
        version++;
    }

    /**
     * Runs retrains on this executor from now on (null: on the calling thread, the default). Asynchronous
     * retraining (DESIGN 12): a retrain trains a copy of the network on a copy of the kept labels while folds
     * continue on the current linearisation; {@link #pollRetrain()} swaps the result in on the caller's
     * thread. A retrain restored from {@link #toBytes()} (one was running at the checkpoint) starts here.
     */
    public void setRetrainExecutor(java.util.concurrent.Executor executor) {
        this.retrainExecutor = executor;
        if (retrain != null && retrain.result == null) {
            launch(retrain);
        }
    }

    /**
     * Labels folded (this process) into the training set only, because a retrain was running and T held
     * {@link LearnerConfig#kernelCapWhileRetraining()} entries: the model learns them at the next retrain.
     */
    public long labelsDeferred() { return labelsDeferred; }

    /** A retrain has started and not been swapped in yet. */
    public boolean isRetraining() { return retrain != null; }

    /** A retrain has finished training and waits for {@link #pollRetrain()} to swap it in. */
    public boolean retrainFinished() {
        Retrain r = retrain;
        return r != null && r.result != null && r.result.isDone();
    }

    /** When the running retrain started (System.nanoTime), or 0 if none is running. */
    public long retrainStartedNanos() {
        Retrain r = retrain;
        return r == null ? 0 : r.startedNanos;
    }

    /**
     * Swaps in a finished retrain, if there is one: the model moves to a fresh linearisation at the new
     * weights, the labels and pending entries that arrived during the retrain are re-applied to it, and the
     * version is bumped; a retrain due by then is started. Returns whether a retrain was swapped in.
     * Rethrows (unchecked) a failure of the training itself. Call it on the thread that folds.
     */
    public boolean pollRetrain() {
        if (retrain == null || retrain.result == null || !retrain.result.isDone()) {
            return false;
        }
        finishRetrain();
        version++;
        if (refreshDue()) {
            refreshNow();
        }
        return true;
    }

    /** Waits for the running retrain (if any) and swaps it in; no-op without one. */
    public void awaitRetrain() {
        if (retrain == null) {
            return;
        }
        if (retrain.result == null) {
            launch(retrain);
        }
        try {
            retrain.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a retrain", e);
        } catch (java.util.concurrent.ExecutionException e) {
            // pollRetrain rethrows it
        }
        pollRetrain();
    }

    /** Starts a retrain (and, without an executor, finishes it at once). */
    private void refreshNow() {
        Set<String> superseded = new java.util.HashSet<>();
        for (KernelEntry e : state.entries()) {
            if (!e.pending()) {
                superseded.add(e.id()); // in the training set: the new network learns them, T forgets them
            }
        }
        // the statistics are frozen here: the new linearisation and its training both use them, whenever it finishes
        Retrain r = new Retrain(kept.size(), superseded, moments == null ? null
                : moments.standardization(config.standardizeScale() == LearnerConfig.StandardizeScale.UNIT_NORM));
        retrain = r;
        labelsSinceRefresh = 0;
        if (retrainExecutor == null) {
            launch(r);
            finishRetrain();
        } else {
            launch(r);
        }
    }

    /**
     * Trains a copy of the network on the first {@code r.trainCount} kept labels (kept labels are not evicted
     * while a retrain runs, so after a restore they are the same ones), seeded by the refresh count: the
     * same inputs give the same weights, on any thread, before or after a restore.
     */
    private void launch(Retrain r) {
        long seed = SplitMix64.derive(config.seed(), refreshCount);
        MlpWeights current = network.weights();
        if (config.refreshWarmStart() && warm && !java.util.Objects.equals(deviceNet.weights().input(), r.input)) {
            // the warm start, trained on the last transform's inputs, computes the same function on the new ones
            current = InputStandardization.reexpress(current, deviceNet.weights().input(), r.input);
        }
        MlpWeights start = !config.refreshWarmStart() && warm
                ? MlpWeights.initialise(MlpWeights.widths(config.inputDim(), config.hiddenWidths(), config.numClasses()),
                        config.activation(), seed)
                : current;
        List<float[]> xs = new ArrayList<>(r.trainCount);
        int[] ys = new int[r.trainCount];
        java.util.Iterator<float[]> xi = kept.features();
        java.util.Iterator<Integer> yi = kept.labels();
        for (int i = 0; i < r.trainCount; i++) {
            float[] x = xi.next();
            xs.add(r.input == null ? x : r.input.applyAsFloats(x));
            ys[i] = yi.next();
        }
        // torch's intra-op thread count is per OS thread (OpenMP): a retrain thread left at its default would sum
        // in another order and give other weights than the same retrain on this thread
        int torchThreads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        java.util.function.Supplier<Trained> job = () -> {
            long t0 = System.nanoTime();
            if (ai.djl.pytorch.jni.JniUtils.getNumThreads() != torchThreads) {
                ai.djl.pytorch.jni.JniUtils.setNumThreads(torchThreads);
            }
            try (MlpNetwork copy = new MlpNetwork(config, start, ComputeDevice.get())) {
                MlpNetwork.StopRule plateau = config.trainStop() == LearnerConfig.TrainStop.PLATEAU
                        ? new LossPlateau(config.trainMinSteps(), config.trainPatienceSteps(), PLATEAU_EPOCHS, PLATEAU_IMPROVEMENT)
                        : (epoch, steps, l) -> false;
                long[] steps = {0};
                double loss = copy.train(xs, ys, config.trainEpochsFor(xs.size()), config.trainSteps(), config.learningRate(),
                        config.batchSize(), seed, () -> r.cancelled, (epoch, s, l) -> {
                            steps[0] = s;
                            return plateau.stop(epoch, s, l);
                        });
                return new Trained(copy.weights(), loss, (System.nanoTime() - t0) / 1_000_000, steps[0]);
            }
        };
        r.result = retrainExecutor == null
                ? java.util.concurrent.CompletableFuture.completedFuture(job.get())
                : java.util.concurrent.CompletableFuture.supplyAsync(job, retrainExecutor);
    }

    /**
     * Moves to the linearisation at the retrained weights. T keeps every entry the new network has not been
     * trained on, in its order: pending requests (with fresh pseudo-labels; at most half the cap, the newest)
     * and labels folded since the retrain started, with one block update.
     */
    private void finishRetrain() {
        Retrain r = retrain;
        Trained trained;
        try {
            trained = r.result.join();
        } catch (java.util.concurrent.CompletionException e) {
            retrain = null;
            throw new IllegalStateException("retraining the network failed: " + e.getCause(), e.getCause());
        }
        retrain = null;
        List<KernelEntry> keep = new ArrayList<>();
        int pending = 0;
        for (KernelEntry e : state.entries()) {
            if (!r.superseded.contains(e.id())) {
                keep.add(e);
                pending += e.pending() ? 1 : 0;
            }
        }
        int dropPending = Math.max(0, pending - Math.max(1, config.kernelCap() / 2));
        network.setWeights(trained.weights);
        linearise(network.weights().withInput(r.input));
        List<KernelEntry> readd = new ArrayList<>();
        int readdPending = 0;
        for (KernelEntry e : keep) {
            if (e.pending()) {
                if (dropPending > 0) {
                    dropPending--;
                    continue;
                }
                readd.add(new KernelEntry(e.id(), e.x(), oneHot(pseudoLabel(e.x())), true));
                readdPending++;
            } else {
                readd.add(e);
            }
        }
        state.appendAll(readd);
        refreshCount++;
        retrainMillis += trained.millis;
        retrainSteps += trained.steps;
        warm = true;
        evictTrainingLabels();
        LOG.info("refresh #{}: trained on {} labels ({} steps, last loss {}) in {} ms; {} pending and {} "
                        + "labels folded meanwhile re-added",
                refreshCount, r.trainCount, trained.steps, String.format("%.5f", trained.loss),
                trained.millis, readdPending, readd.size() - readdPending);
    }

    /** A retrain's inputs (what a checkpoint stores to redo it) and its result. */
    private static final class Retrain {
        final int trainCount;
        final Set<String> superseded;
        /** The standardisation frozen for the new linearisation (null: raw inputs). */
        final InputStandardization input;
        final long startedNanos = System.nanoTime();
        volatile boolean cancelled;
        java.util.concurrent.CompletableFuture<Trained> result;

        Retrain(int trainCount, Set<String> superseded, InputStandardization input) {
            this.trainCount = trainCount;
            this.superseded = superseded;
            this.input = input;
        }
    }

    private record Trained(MlpWeights weights, double loss, long millis, long steps) { }

    private int pendingCount() {
        int pending = 0;
        for (KernelEntry e : state.entries()) {
            pending += e.pending() ? 1 : 0;
        }
        return pending;
    }

    private int pseudoLabel(double[] x) {
        if (config.pseudoLabelSource() == PseudoLabelSource.ONLINE) {
            return predictClass(x);
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray f0 = deviceNet.forward(deviceNet.toDevice(new double[][] {x}));
            return argmax(f0.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray());
        }
    }

    private void rememberForTraining(double[] x, int label) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        kept.add(f, label);
        evictTrainingLabels();
    }

    /** Keeps the newest maxTrainingLabels, except while a retrain runs (it trains on the oldest of them). */
    private void evictTrainingLabels() {
        if (retrain != null) {
            return;
        }
        while (kept.size() > config.maxTrainingLabels()) {
            kept.evictOldest();
        }
    }

    public ModelStats stats() {
        int pending = pendingCount();
        return new ModelStats(version, labelsFolded, state.size(), pending, refreshCount, warm, retrainMillis, retrainSteps);
    }

    /** What scorers need, for broadcast. */
    public ModelSnapshot snapshot() {
        return new ModelSnapshot(version, warm, deviceNet.weights(), state.entries(), state.inverseToDoubles());
    }

    /** The kernel state (for tests and benchmarks that inspect A^{-1}). */
    public KernelRegressionState kernelState() { return state; }

    /** Full state: weights, T, A^{-1}, targets, pending set, kept labels, folded ids, counters, version. */
    public byte[] toBytes() {
        return toBytes(true);
    }

    /**
     * The state without the kept labels, which go to {@link #keptLabelChunks()} (a checkpoint stores them
     * apart: full chunks are encoded once, not at every checkpoint). Restore with
     * {@link #fromBytes(LearnerConfig, byte[], Iterable, java.util.concurrent.Executor)}.
     */
    public byte[] toBytesWithoutKeptLabels() {
        return toBytes(false);
    }

    /** The kept labels as consecutive chunks in a versioned encoding (full chunks cached). */
    public List<byte[]> keptLabelChunks() {
        return kept.encodeChunks();
    }

    private byte[] toBytes(boolean withKeptLabels) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            write(out, withKeptLabels);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the state without its kept labels (the bytes of {@link #toBytesWithoutKeptLabels()}) into a stream,
     * A^{-1} row by row: nothing the size of the state is allocated, so a checkpoint can cut the stream into
     * pieces of bounded size as it goes. The kept labels go apart ({@link #encodeKeptLabels}).
     */
    public void writeWithoutKeptLabels(java.io.OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        write(data, false);
        data.flush();
    }

    private void write(DataOutputStream out, boolean withKeptLabels) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeUTF(config.toString());
        out.writeLong(version);
        out.writeLong(labelsFolded);
        out.writeInt(labelsSinceRefresh);
        out.writeInt(refreshCount);
        out.writeBoolean(warm);
        network.weights().write(out);     // training weights (float32 values)
        deviceNet.weights().write(out);   // the linearisation point
        InputStandardization.writeOptional(out, deviceNet.weights().input()); // format 4
        ModelSnapshot.writeEntries(out, state.entries());
        state.writeInverse(out);          // the bytes of StateCodec.writeDoubles(inverseToDoubles()), no n x n copy
        if (withKeptLabels) {
            out.writeInt(kept.size());
            java.util.Iterator<Integer> ys = kept.labels();
            for (java.util.Iterator<float[]> xs = kept.features(); xs.hasNext(); ) {
                StateCodec.writeFloats(out, xs.next());
                out.writeInt(ys.next());
            }
        } else {
            out.writeInt(-1); // kept apart, in chunks
            out.writeInt(kept.size());
        }
        out.writeInt(foldedIds.size());
        for (String id : foldedIds) {
            out.writeUTF(id);
        }
        // a retrain running now is stored as its inputs (never a half-trained network): a restore redoes it
        out.writeBoolean(retrain != null);
        if (retrain != null) {
            out.writeInt(retrain.trainCount);
            out.writeInt(retrain.superseded.size());
            for (String id : new java.util.TreeSet<>(retrain.superseded)) {
                out.writeUTF(id);
            }
        }
        out.writeLong(kept.head()); // format 3
        out.writeBoolean(moments != null); // format 4
        if (moments != null) {
            moments.write(out);
        }
        if (retrain != null) {
            InputStandardization.writeOptional(out, retrain.input);
        }
    }

    /** Sequence number of the oldest kept label (labels are numbered as they are kept, from 0). */
    public long keptLabelsHead() { return kept.head(); }

    /** One past the sequence number of the newest kept label. */
    public long keptLabelsEnd() { return kept.head() + kept.size(); }

    /**
     * The kept labels with sequence numbers in [from, to) (clipped to those kept) as one chunk in the encoding of
     * {@link #keptLabelChunks()}, encoded now and not cached: a checkpoint that stores chunks in keyed state
     * writes each once and keeps no copy of its bytes here. Null if none of them is kept.
     */
    public byte[] encodeKeptLabels(long from, long to) {
        return kept.encodeRange(from, to);
    }

    /**
     * Restores state written by {@link #writeWithoutKeptLabels} (or any earlier format, read from a stream) with
     * kept-label chunks that may also hold labels evicted since they were written (older than the state's first
     * kept label: skipped). A retrain running at the save restarts on the executor (null: here, at once).
     */
    public static OnlineModel restore(LearnerConfig config, java.io.InputStream state, Iterable<byte[]> keptChunks,
                                      java.util.concurrent.Executor executor) {
        return read(config, new DataInputStream(state), keptChunks, executor);
    }

    public static OnlineModel fromBytes(LearnerConfig config, byte[] data) {
        return fromBytes(config, data, null);
    }

    /**
     * Restores a model saved by {@link #toBytes()}; retrains run on the executor (null: on this thread). A
     * retrain that was running when the state was saved starts again with the same inputs and seed, so it
     * yields the same network as the interrupted run would have.
     */
    public static OnlineModel fromBytes(LearnerConfig config, byte[] data, java.util.concurrent.Executor executor) {
        return fromBytes(config, data, null, executor);
    }

    /**
     * Restores state saved by {@link #toBytesWithoutKeptLabels()} with the chunks of {@link #keptLabelChunks()}
     * (chunks may be null for state that holds its kept labels inline).
     */
    public static OnlineModel fromBytes(LearnerConfig config, byte[] data, Iterable<byte[]> keptChunks,
                                        java.util.concurrent.Executor executor) {
        return read(config, new DataInputStream(new ByteArrayInputStream(data)), keptChunks, executor);
    }

    private static OnlineModel read(LearnerConfig config, DataInputStream in, Iterable<byte[]> keptChunks,
                                    java.util.concurrent.Executor executor) {
        try {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not an OnlineModel state");
            }
            int format = in.readInt();
            if (format < 1 || format > FORMAT) {
                throw new IllegalArgumentException("unsupported OnlineModel state format " + format);
            }
            String savedConfig = in.readUTF();
            if (!savedConfig.equals(config.toString())) {
                LOG.warn("restoring state saved under a different config:\n saved {}\n now   {}", savedConfig, config);
            }
            long version = in.readLong();
            long labelsFolded = in.readLong();
            int sinceRefresh = in.readInt();
            int refreshes = in.readInt();
            boolean warm = in.readBoolean();
            MlpWeights training = MlpWeights.read(in);
            MlpWeights linearisation = MlpWeights.read(in);
            if (format >= 4) {
                linearisation = linearisation.withInput(InputStandardization.readOptional(in));
            }
            List<KernelEntry> entries = ModelSnapshot.readEntries(in);
            double[] inverse = StateCodec.readDoubles(in);
            OnlineModel m = new OnlineModel(config, linearisation);
            m.network.setWeights(training);
            m.state.restore(entries, inverse);
            int n = in.readInt();
            int expected = 0;
            if (n == -1 && format >= 3) {
                if (keptChunks == null) {
                    throw new IllegalArgumentException("this state keeps its labels apart: restore it with their chunks");
                }
                expected = in.readInt(); // decoded below, once the first kept label's sequence number is read
            }
            for (int i = 0; i < n; i++) {
                float[] x = StateCodec.readFloats(in);
                m.kept.add(x, in.readInt());
            }
            int ids = in.readInt();
            for (int i = 0; i < ids; i++) {
                m.rememberFolded(in.readUTF());
            }
            Retrain restoredRetrain = null;
            if (format >= 2 && in.readBoolean()) {
                int trainCount = in.readInt();
                int superseded = in.readInt();
                Set<String> ids2 = new java.util.HashSet<>();
                for (int i = 0; i < superseded; i++) {
                    ids2.add(in.readUTF());
                }
                restoredRetrain = new Retrain(trainCount, ids2, null);
            }
            if (format >= 3) {
                long head = in.readLong();
                if (n >= 0) {
                    m.kept.setHead(head);
                } else {
                    m.kept = KeptLabels.decodeChunks(keptChunks, config.inputDim(), head);
                    if (m.kept.size() != expected) {
                        throw new IllegalArgumentException("the state kept " + expected + " labels, its chunks hold " + m.kept.size());
                    }
                    if (expected > 0 && head != m.kept.head()) {
                        throw new IllegalArgumentException("kept-labels chunks start at " + m.kept.head() + ", the state says " + head);
                    }
                }
            }
            if (format >= 4) {
                FeatureMoments saved = in.readBoolean() ? FeatureMoments.read(in, config.inputDim()) : null;
                if (m.moments != null && saved != null) {
                    m.moments = saved;
                }
                if (restoredRetrain != null) {
                    restoredRetrain = new Retrain(restoredRetrain.trainCount, restoredRetrain.superseded,
                            InputStandardization.readOptional(in));
                }
            }
            if (restoredRetrain != null) {
                if (restoredRetrain.trainCount > m.kept.size()) {
                    throw new IllegalArgumentException("corrupt OnlineModel state: a retrain on " + restoredRetrain.trainCount
                            + " labels but only " + m.kept.size() + " kept");
                }
                m.retrain = restoredRetrain;
            }
            m.version = version;
            m.labelsFolded = labelsFolded;
            m.labelsSinceRefresh = sinceRefresh;
            m.refreshCount = refreshes;
            m.warm = warm;
            m.setRetrainExecutor(executor);
            if (executor == null) {
                m.awaitRetrain();
            }
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt OnlineModel state: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (retrain != null) {
            retrain.cancelled = true; // the background copy stops at its next step and is closed there
        }
        state.close();
        deviceNet.close();
        network.close();
        manager.close();
    }

    private double[] oneHot(int label) {
        double[] t = new double[config.numClasses()];
        t[label] = 1;
        return t;
    }

    private <T> T checkDim(T x) {
        int len = x instanceof float[] ? ((float[]) x).length : ((double[]) x).length;
        if (len != config.inputDim()) {
            throw new IllegalArgumentException("feature vector has " + len + " values, expected " + config.inputDim());
        }
        return x;
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
