package io.alstream.bench;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelDelta;
import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.ModelSnapshot;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.ScoredBatch;
import io.alstream.learner.Scorer;
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
 * What a scoring task pays per model version. With a full snapshot: decode it, build the scorer (features of T,
 * A^{-1} on the device) and the pool precomputation P = K(U,T) A^{-1}, scoring one batch. With deltas (the
 * usual case between retrains): one label appended to T in place and one dropped, i.e. two versions.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ModelVersionBenchmark {
    @Param({"256", "1024", "4096"})
    public int kernelSize;
    @Param({"512", "2048"})
    public int pool;

    private LearnerConfig cfg;
    private OnlineModel model;
    private byte[] snapshot;
    private float[][] candidates;
    private float[][] poolRows;
    private Scorer replica;
    private KernelEntry entry;

    @Setup(Level.Trial)
    public void setUp() {
        cfg = ModelFixture.config(List.of("lookahead_mlmoc", "lookahead_flip"), LearnerConfig.Precision.FLOAT64);
        model = ModelFixture.model(cfg, kernelSize);
        snapshot = model.snapshot().toBytes();
        SplitMix64 rng = new SplitMix64(6);
        candidates = ModelFixture.rows(rng, 256);
        poolRows = ModelFixture.rows(rng, pool);
        replica = Scorer.of(ModelSnapshot.fromBytes(snapshot), cfg);
        float[] x = ModelFixture.rows(rng, 1)[0];
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        double[] target = new double[ModelFixture.CLASSES];
        target[3] = 1;
        entry = new KernelEntry("bench-label", xd, target, false);
    }

    /** Two versions by delta: one label appended (features + block update), then dropped (reverse update). */
    @Benchmark
    public long twoVersionsByDelta() {
        long v = replica.version();
        replica.apply(new ModelDelta(v, v + 1, true, List.of(), List.of(), List.of(entry)));
        replica.apply(new ModelDelta(v + 1, v + 2, true, List.of(entry.id()), List.of(), List.of()));
        return replica.version();
    }

    @Benchmark
    public ScoredBatch newVersionThenScore() {
        try (Scorer s = Scorer.of(ModelSnapshot.fromBytes(snapshot), cfg)) {
            return s.score(candidates, poolRows);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        replica.close();
        model.close();
    }
}
