package io.alstream.bench;

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
 * Cost of one label update as |T| grows: an entry enters T by the block-inverse update and leaves by the
 * reverse one (addPending + dropPending), which keeps |T| constant across iterations; a fold costs the same
 * append (its confirm path is O(1)). Reported per pair.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LabelUpdateBenchmark {
    @Param({"256", "1024", "4096"})
    public int kernelSize;

    private OnlineModel model;
    private float[] x;
    private long n;

    @Setup(Level.Trial)
    public void setUp() {
        model = ModelFixture.model(ModelFixture.config(List.of("entropy"), LearnerConfig.Precision.FLOAT64), kernelSize);
        x = ModelFixture.rows(new SplitMix64(9), 1)[0];
    }

    @Benchmark
    public boolean appendAndRemove() {
        String id = "b" + (n++);
        model.addPending(id, x);
        return model.dropPending(id);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }
}
