package io.alstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.alstream.learner.acquisition.Acquisitions;
import io.alstream.learner.acquisition.LookaheadScorer;
import io.alstream.learner.acquisition.ProbabilitySamples;
import io.alstream.learner.kernel.EmpiricalNtk;
import io.alstream.learner.kernel.KernelRegressionState;
import io.alstream.learner.kernel.NtkFeatures;
import io.alstream.learner.nn.DeviceMlp;
import io.alstream.learner.posterior.PosteriorSampler;
import io.alstream.learner.util.ComputeDevice;
import io.alstream.learner.util.SplitMix64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scoring side (DESIGN 1, 4.3): a copy of the model built from a {@link ModelSnapshot} and kept current by
 * {@link ModelDelta}s applied in place, holding DJL resources on the compute device - close it. Scores batches
 * of candidates with the selecting acquisition function and any others the config asks for
 * ({@link LearnerConfig#scoredFunctions()}). Not thread-safe: one per scoring task.
 *
 * <p>Per batch: one forward/backward pass for the candidates' NTK features, K(B,T), the online f(B), and
 * K(B,T) A^{-1} once, shared by the Gaussian posterior's variance and the look-ahead's Schur complements;
 * then the posterior samples for the sample-based functions and the look-ahead over the reference pool. The
 * pool's NTK features depend on the weights only, so they are cached while the same pool contents come back
 * (deltas keep them); the look-ahead's P = K(U,T) A^{-1} and f(U) once per model version. Empty pool: the
 * look-ahead functions score 0 for every candidate. Before warm-up the scores are finite (the random-init
 * network's NTK) but not meaningful; the job should select at random.
 */
public final class Scorer implements AutoCloseable {
    private final LearnerConfig config;
    private long version;                   // snapshot scorer: the version it holds
    private boolean warm;
    private final OnlineModel live;         // null for a snapshot scorer
    private final NDManager manager;
    private final DeviceMlp net;            // null for a live scorer
    private final io.alstream.learner.nn.MlpWeights weights; // the linearisation a snapshot scorer holds; null for a live one
    private final KernelRegressionState ownState;
    private final PosteriorSampler sampler;
    private final List<String> functions;
    private final boolean needsLookahead;
    private final boolean needsSamples;
    // pool cache: the pool's features depend on the linearisation (state) only, the look-ahead's
    // precomputation also on the labels in T (model version)
    private float[][] cachedPoolRows;
    private float[][] cachedPoolCaller;     // the caller's array last seen: the same array, the same pool
    private int cachedPoolHash;
    private KernelRegressionState cachedPoolState;
    private NtkFeatures cachedPool;
    private long cachedVersion;
    private LookaheadScorer cachedLookahead;

    private Scorer(ModelSnapshot snapshot, LearnerConfig config) {
        this.config = config;
        this.version = snapshot.version();
        this.warm = snapshot.isWarm();
        this.live = null;
        this.manager = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
        this.weights = snapshot.weights();
        this.net = new DeviceMlp(manager, snapshot.weights(), ComputeDevice.dataType(config.precision()));
        this.ownState = new KernelRegressionState(manager, new EmpiricalNtk(net, config.kernelKind()), config.ridgeLambda());
        ownState.restore(snapshot.entries(), snapshot.inverse());
        this.sampler = new PosteriorSampler(config, net);
        this.functions = canonical(config);
        this.needsLookahead = functions.stream().anyMatch(Acquisitions::isLookahead);
        this.needsSamples = functions.stream().anyMatch(n -> !Acquisitions.isLookahead(n));
    }

    private Scorer(OnlineModel model) {
        this.config = model.config();
        this.live = model;
        this.manager = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
        this.net = null;
        this.weights = null;
        this.ownState = null;
        this.sampler = new PosteriorSampler(config, model.kernelState().ntk().network());
        this.functions = canonical(config);
        this.needsLookahead = functions.stream().anyMatch(Acquisitions::isLookahead);
        this.needsSamples = functions.stream().anyMatch(n -> !Acquisitions.isLookahead(n));
    }

    private static List<String> canonical(LearnerConfig config) {
        return new ArrayList<>(config.scoredFunctions());
    }

    public static Scorer of(ModelSnapshot snapshot, LearnerConfig config) {
        return new Scorer(snapshot, config);
    }

    /**
     * A scorer that reads the model's current state directly, without a snapshot: for a process that trains
     * and scores in one thread (the in-process benchmark, tools). Each call scores with the model as it is at
     * that moment; it copies nothing, so it must be used from the model's thread and closed before the model.
     */
    public static Scorer live(OnlineModel model) {
        return new Scorer(model);
    }

    public long version() { return live != null ? live.version() : version; }
    public boolean isWarm() { return live != null ? live.isWarm() : warm; }

    KernelRegressionState state() { return live != null ? live.kernelState() : ownState; }

    /**
     * Brings this scorer from {@code delta.baseVersion()} to {@code delta.version()} in place: drops, then
     * confirms, then appends (the appended rows' features computed here, one block update of A^{-1}). Returns
     * false and changes nothing when this scorer does not hold the delta's base version: a delta is never
     * applied to another base. IllegalStateException when the base version matches but an entry the delta
     * names is missing (the scorer is then unusable and must be rebuilt from a snapshot).
     */
    public boolean apply(ModelDelta delta) {
        if (live != null) {
            throw new IllegalStateException("a live scorer reads the model directly; deltas are for snapshot scorers");
        }
        if (delta.baseVersion() != version) {
            return false;
        }
        KernelRegressionState state = ownState;
        for (String id : delta.dropped()) {
            int i = state.indexOf(id);
            if (i < 0) {
                throw new IllegalStateException("delta " + delta.baseVersion() + "->" + delta.version() + " drops " + id
                        + ", which this scorer's T does not hold");
            }
            state.remove(i);
        }
        for (ModelDelta.Confirmed c : delta.confirmed()) {
            int i = state.indexOf(c.id());
            if (i < 0) {
                throw new IllegalStateException("delta " + delta.baseVersion() + "->" + delta.version() + " confirms " + c.id()
                        + ", which this scorer's T does not hold");
            }
            state.setTarget(i, c.target(), c.pending());
        }
        state.appendAll(delta.appended());
        version = delta.version();
        warm = delta.isWarm();
        return true;
    }
    public List<String> functions() { return List.copyOf(functions); }

    /**
     * Brings this scorer to a full snapshot of its own linearisation (the same weights and warm flag, a version not
     * older than the one held) without building a new one ({@link KernelRegressionState#reanchor}): the entries held
     * keep their NTK features, those the snapshot adds since have theirs computed, and the snapshot's A^{-1} replaces
     * the incrementally updated one, so the rounding drift of the deltas applied since is reset as a rebuild resets
     * it; no update of A^{-1} is computed. Returns false, changing nothing, for another linearisation, an older
     * version, an empty T, or a T the snapshot's does not continue (then build a scorer from the snapshot).
     */
    public boolean reanchor(ModelSnapshot snapshot) {
        if (live != null || snapshot.version() < version || snapshot.isWarm() != warm || !weights.equals(snapshot.weights())) {
            return false;
        }
        if (!ownState.reanchor(snapshot.entries(), snapshot.inverseUpperUnsafe())) {
            return false;
        }
        version = snapshot.version();
        return true;
    }


    /** True when a scored function needs the reference pool (the look-ahead); otherwise pass an empty pool. */
    public boolean usesReferencePool() { return needsLookahead; }

    public ScoredBatch score(float[][] candidates, float[][] referencePool) {
        return score(toDouble(candidates), referencePool == null ? new double[0][] : toDouble(referencePool), referencePool);
    }

    /** As {@link #score(float[][], float[][])} for double-precision inputs. */
    public ScoredBatch score(double[][] candidates, double[][] referencePool) {
        return score(candidates, referencePool, null);
    }

    private ScoredBatch score(double[][] candidates, double[][] pool, float[][] poolKey) {
        int b = candidates.length;
        Map<String, double[]> out = new LinkedHashMap<>();
        if (b == 0) {
            for (String f : functions) {
                out.put(f, new double[0]);
            }
            return new ScoredBatch(version(), isWarm(), out, new int[0], new double[0]);
        }
        for (double[] c : candidates) {
            if (c.length != config.inputDim()) {
                throw new IllegalArgumentException("candidate has " + c.length + " features, expected " + config.inputDim());
            }
        }
        KernelRegressionState state = state();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NtkFeatures cand = state.featuresOf(candidates);
            NDArray kbt = state.kernelToT(cand);
            NDArray fB = state.predict(cand, kbt);
            // K(B,T) A^{-1}: the one O(B |T|^2) product of a batch, shared by the posterior and the look-ahead
            boolean gaussian = needsSamples && config.posteriorKind() == LearnerConfig.PosteriorKind.GAUSSIAN;
            NDArray kbtInv = kbt != null && (needsLookahead || gaussian) ? kbt.matMul(state.inverse()) : null;
            NDArray probsOfMean = fB.div(config.softmaxTemperature()).softmax(1);
            int[] predicted = toInts(fB.argMax(1));
            double[] maxProb = probsOfMean.max(new int[] {1}).toType(DataType.FLOAT64, false).toDoubleArray();
            if (needsSamples) {
                NDArray probs = sampler.sample(state, cand, kbt, kbtInv, fB);
                long[] keys = new long[b];
                for (int i = 0; i < b; i++) {
                    keys[i] = hash(candidates[i]);
                }
                ProbabilitySamples samples = new ProbabilitySamples(probs, keys, config.seed());
                for (String f : functions) {
                    if (!Acquisitions.isLookahead(f)) {
                        out.put(f, Acquisitions.sampleBased(f).score(samples).toType(DataType.FLOAT64, false).toDoubleArray());
                    }
                }
            }
            if (needsLookahead) {
                LookaheadScorer la = lookahead(state, pool, poolKey);
                double[][] s = la == null ? new double[][] {new double[b], new double[b]} : la.score(cand, kbt, kbtInv, fB);
                out.put(Acquisitions.LOOKAHEAD_FLIP, s[0]);
                out.put(Acquisitions.LOOKAHEAD_MLMOC, s[1]);
            }
            Map<String, double[]> ordered = new LinkedHashMap<>();
            for (String f : functions) {
                ordered.put(f, out.get(f));
            }
            return new ScoredBatch(version(), isWarm(), ordered, predicted, maxProb);
        }
    }

    private LookaheadScorer lookahead(KernelRegressionState state, double[][] pool, float[][] poolKey) {
        if (pool.length == 0) {
            return null;
        }
        boolean samePool;
        if (cachedPool != null && state == cachedPoolState && poolKey != null && poolKey == cachedPoolCaller) {
            samePool = true; // the caller hands the same frozen array back (it must not change it)
        } else {
            int h = Arrays.deepHashCode(poolKey != null ? poolKey : pool);
            samePool = cachedPool != null && h == cachedPoolHash && state == cachedPoolState
                    && (poolKey != null ? Arrays.deepEquals(poolKey, cachedPoolRows) : false);
            cachedPoolHash = h;
        }
        cachedPoolCaller = poolKey;
        if (!samePool) {
            closePoolCache();
            NtkFeatures features = state.featuresOf(pool);
            features.attachTo(manager);
            cachedPool = features;
            cachedPoolState = state;
            cachedPoolRows = poolKey == null ? null : deepCopy(poolKey);
        }
        if (cachedLookahead == null || cachedVersion != version()) {
            closeLookahead();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                cachedLookahead = new LookaheadScorer(state, cachedPool, config.lookaheadReference(),
                        config.pseudoLabelSource(), config.lookaheadChunk());
            }
            cachedVersion = version();
        }
        return cachedLookahead;
    }

    private void closeLookahead() {
        if (cachedLookahead != null) {
            cachedLookahead.close();
            cachedLookahead = null;
        }
    }

    private void closePoolCache() {
        closeLookahead();
        if (cachedPool != null) {
            cachedPool.close();
            cachedPool = null;
            cachedPoolRows = null;
            cachedPoolCaller = null;
            cachedPoolState = null;
        }
    }

    @Override
    public void close() {
        closePoolCache();
        if (ownState != null) {
            ownState.close();
            net.close();
        }
        manager.close();
    }

    private static long hash(double[] x) {
        long h = SplitMix64.mix(x.length);
        for (double v : x) {
            h = SplitMix64.mix(h + Double.doubleToLongBits(v == 0 ? 0.0 : v));
        }
        return h;
    }

    private static int[] toInts(NDArray a) {
        long[] l = a.toType(DataType.INT64, false).toLongArray();
        int[] i = new int[l.length];
        for (int k = 0; k < l.length; k++) {
            i[k] = (int) l[k];
        }
        return i;
    }

    private static double[][] toDouble(float[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = OnlineModel.toDouble(rows[i]);
        }
        return out;
    }

    private static float[][] deepCopy(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
        }
        return out;
    }
}
