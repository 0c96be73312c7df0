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
 * The scoring side (DESIGN 1, 4.3): a read-only copy of the model from a {@link ModelSnapshot}, holding DJL
 * resources on the compute device - close it. Scores batches of candidates with every configured
 * acquisition function. Not thread-safe: one per scoring task.
 *
 * <p>Per batch: one forward/backward pass for the candidates' NTK features, K(B,T), the online f(B); then
 * the posterior samples for the sample-based functions and the look-ahead over the reference pool. The
 * pool's precomputation (features, f(U), P = K(U,T) A^{-1}) is cached for as long as the same pool contents
 * come back. Empty pool: the look-ahead functions score 0 for every candidate. Before warm-up the scores
 * are finite (the random-init network's NTK) but not meaningful; the job should select at random.
 */
public final class Scorer implements AutoCloseable {
    private final LearnerConfig config;
    private final ModelSnapshot snapshot;   // null for a live scorer
    private final OnlineModel live;         // null for a snapshot scorer
    private final NDManager manager;
    private final DeviceMlp net;            // null for a live scorer
    private final KernelRegressionState ownState;
    private final PosteriorSampler sampler;
    private final List<String> functions;
    private final boolean needsLookahead;
    private final boolean needsSamples;
    // pool cache: the pool's features depend on the linearisation (state) only, the look-ahead's
    // precomputation also on the labels in T (model version)
    private float[][] cachedPoolRows;
    private int cachedPoolHash;
    private KernelRegressionState cachedPoolState;
    private NtkFeatures cachedPool;
    private long cachedVersion;
    private LookaheadScorer cachedLookahead;

    private Scorer(ModelSnapshot snapshot, LearnerConfig config) {
        this.config = config;
        this.snapshot = snapshot;
        this.live = null;
        this.manager = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
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
        this.snapshot = null;
        this.live = model;
        this.manager = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
        this.net = null;
        this.ownState = null;
        this.sampler = new PosteriorSampler(config, model.kernelState().ntk().network());
        this.functions = canonical(config);
        this.needsLookahead = functions.stream().anyMatch(Acquisitions::isLookahead);
        this.needsSamples = functions.stream().anyMatch(n -> !Acquisitions.isLookahead(n));
    }

    private static List<String> canonical(LearnerConfig config) {
        List<String> names = new ArrayList<>();
        for (String f : config.acquisitionFunctions()) {
            names.add(Acquisitions.canonical(f));
        }
        return names;
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

    public long version() { return live != null ? live.version() : snapshot.version(); }
    public boolean isWarm() { return live != null ? live.isWarm() : snapshot.isWarm(); }

    private KernelRegressionState state() { return live != null ? live.kernelState() : ownState; }
    public List<String> functions() { return List.copyOf(functions); }

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
            NDArray probsOfMean = fB.div(config.softmaxTemperature()).softmax(1);
            int[] predicted = toInts(fB.argMax(1));
            double[] maxProb = probsOfMean.max(new int[] {1}).toType(DataType.FLOAT64, false).toDoubleArray();
            if (needsSamples) {
                NDArray probs = sampler.sample(state, cand, kbt, fB);
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
                double[][] s = la == null ? new double[][] {new double[b], new double[b]} : la.score(cand, kbt, fB);
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
        int h = Arrays.deepHashCode(poolKey != null ? poolKey : pool);
        boolean samePool = cachedPool != null && h == cachedPoolHash && state == cachedPoolState
                && (poolKey != null ? Arrays.deepEquals(poolKey, cachedPoolRows) : false);
        if (!samePool) {
            closePoolCache();
            NtkFeatures features = state.featuresOf(pool);
            features.attachTo(manager);
            cachedPool = features;
            cachedPoolHash = h;
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
