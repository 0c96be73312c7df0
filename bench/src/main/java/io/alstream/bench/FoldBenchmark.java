package io.alstream.bench;

import io.alstream.learner.FoldResult;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.util.SplitMix64;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One label folded at |T| = kernelSize, the whole trainer path: the label's NTK features, its prediction
 * (K(x,T) A^-1 (Y - f0(T))), the block-inverse append. Each call folds a new label, so T grows by one per call;
 * every iteration starts again from a fresh state of kernelSize labels, so it drifts by the labels one iteration
 * folds (under 10% at 4096 with 3 s iterations at ~20 ms).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FoldBenchmark {
    @Param({"1024", "4096"})
    public int kernelSize;

    private OnlineModel model;
    private float[][] xs;
    private int next;

    @Setup(Level.Iteration)
    public void setUp() {
        if (model != null) {
            model.close();
        }
        model = ModelFixture.model(ModelFixture.config(List.of("entropy"), LearnerConfig.Precision.FLOAT64), kernelSize);
        xs = ModelFixture.rows(new SplitMix64(11), 64);
    }

    @Benchmark
    public FoldResult fold() {
        int i = next++;
        return model.fold("f" + i, xs[i & 63], i % ModelFixture.CLASSES);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }
}
