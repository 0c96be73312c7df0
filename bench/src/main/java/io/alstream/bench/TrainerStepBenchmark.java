package io.alstream.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelDelta;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.kernel.KernelRegressionState;
import io.alstream.learner.kernel.NtkFeatures;
import io.alstream.learner.util.SplitMix64;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where one trainer step's time goes at |T| = kernelSize (issue 9): the parts of a pending add, a confirmation
 * and a drop, measured one by one on the same state.
 * <ul>
 *   <li>{@code ntkFeatures}: one row's forward/backward pass (what every add and, before batching, every
 *       confirmation computes); {@code ntkFeaturesBatch32}: the same per row when 32 rows go in one pass.</li>
 *   <li>{@code kernelRow}: K(x,T) for one row, copied to the heap.</li>
 *   <li>{@code predictOne}: K(x,T) plus one pass over A^-1 (u = A^-1 K(T,x)) and the prediction: what a fold
 *       computes before its update; for an append the same pass also applies the previous rank-one correction.</li>
 *   <li>{@code pendingAddDrop}: a pending add (features, pseudo-label, append) and its drop (the reverse update):
 *       |T| stays constant across calls.</li>
 *   <li>{@code publishDelta}: the delta of one appended entry as the trainer's publisher builds it.</li>
 * </ul>
 * A confirmation before batching = ntkFeatures + predictOne + a target change (O(C)).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainerStepBenchmark {
    @Param({"1024", "4096"})
    public int kernelSize;

    /** Input features: 784 is the Fashion-MNIST network (784 -> 256 -> 10) the cluster bench runs. */
    @Param({"784"})
    public int dim;

    private OnlineModel model;
    private KernelRegressionState state;
    private float[][] xs;
    private double[][] batch32;
    private NtkFeatures one;
    private List<KernelEntry> before;
    private List<KernelEntry> after;
    private long n;

    @Setup(Level.Trial)
    public void setUp() {
        LearnerConfig config = ModelFixture.config(List.of("entropy"), LearnerConfig.Precision.FLOAT64, dim);
        model = ModelFixture.model(config, kernelSize);
        state = model.kernelState();
        xs = ModelFixture.rows(new SplitMix64(9), 32, dim);
        batch32 = new double[32][];
        for (int i = 0; i < 32; i++) {
            batch32[i] = toDouble(xs[i]);
        }
        one = state.featuresOf(new double[][] {batch32[0]}); // outside any scope: lives with the model
        before = new ArrayList<>(state.entries());
        after = new ArrayList<>(before);
        after.add(new KernelEntry("new", batch32[1], new double[ModelFixture.CLASSES], true));
    }

    @Benchmark
    public double ntkFeatures() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return state.featuresOf(new double[][] {batch32[0]}).outputs().toType(DataType.FLOAT64, false).getDouble(0, 0);
        }
    }

    @Benchmark
    @OperationsPerInvocation(32)
    public double ntkFeaturesBatch32() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return state.featuresOf(batch32).outputs().toType(DataType.FLOAT64, false).getDouble(0, 0);
        }
    }

    @Benchmark
    public double kernelRow() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray k = state.kernelToT(one);
            return k.toType(DataType.FLOAT64, false).toDoubleArray()[0];
        }
    }

    @Benchmark
    public double[] predictOne() {
        return state.predictOne(one);
    }

    @Benchmark
    public boolean pendingAddDrop() {
        String id = "p" + (n++);
        model.addPending(id, xs[1]);
        return model.dropPending(id);
    }

    @Benchmark
    public byte[] publishDelta() {
        return ModelDelta.between(1, before, 2, true, after).toBytes();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
