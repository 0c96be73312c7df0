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
    private final ModelSnapshot snapshot;
    private final NDManager manager;
    private final DeviceMlp net;
    private final KernelRegressionState state;
    private final PosteriorSampler sampler;
    private final List<String> functions;
    private final boolean needsLookahead;
    private final boolean needsSamples;
    // pool cache
    private float[][] cachedPoolRows;
    private int cachedPoolHash;
    private NtkFeatures cachedPool;
    private LookaheadScorer cachedLookahead;

    private Scorer(ModelSnapshot snapshot, LearnerConfig config) {
        this.config = config;
        this.snapshot = snapshot;
        this.manager = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
        this.net = new DeviceMlp(manager, snapshot.weights(), ComputeDevice.dataType(config.precision()));
        this.state = new KernelRegressionState(manager, new EmpiricalNtk(net, config.kernelKind()), config.ridgeLambda());
        state.restore(snapshot.entries(), snapshot.inverse());
        this.sampler = new PosteriorSampler(config, net);
        List<String> names = new ArrayList<>();
        for (String f : config.acquisitionFunctions()) {
            names.add(Acquisitions.canonical(f));
        }
        this.functions = names;
        this.needsLookahead = names.stream().anyMatch(Acquisitions::isLookahead);
        this.needsSamples = names.stream().anyMatch(n -> !Acquisitions.isLookahead(n));
    }

    public static Scorer of(ModelSnapshot snapshot, LearnerConfig config) {
        return new Scorer(snapshot, config);
    }

    public long version() { return snapshot.version(); }
    public boolean isWarm() { return snapshot.isWarm(); }
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
                LookaheadScorer la = lookahead(pool, poolKey);
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

    private LookaheadScorer lookahead(double[][] pool, float[][] poolKey) {
        if (pool.length == 0) {
            return null;
        }
        int h = Arrays.deepHashCode(poolKey != null ? poolKey : pool);
        boolean same = cachedLookahead != null && h == cachedPoolHash
                && (poolKey != null ? Arrays.deepEquals(poolKey, cachedPoolRows) : false);
        if (!same) {
            closePoolCache();
            NtkFeatures features = state.featuresOf(pool);
            features.attachTo(manager);
            cachedPool = features;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                cachedLookahead = new LookaheadScorer(state, cachedPool, config.lookaheadReference(),
                        config.pseudoLabelSource(), config.lookaheadChunk());
            }
            cachedPoolHash = h;
            cachedPoolRows = poolKey == null ? null : deepCopy(poolKey);
        }
        return cachedLookahead;
    }

    private void closePoolCache() {
        if (cachedLookahead != null) {
            cachedLookahead.close();
            cachedPool.close();
            cachedLookahead = null;
            cachedPool = null;
            cachedPoolRows = null;
        }
    }

    @Override
    public void close() {
        closePoolCache();
        state.close();
        net.close();
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
