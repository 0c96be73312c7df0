package io.alstream.bench;

import io.alstream.learner.LearnerConfig;
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
 * What a scoring task pays once per model version: decode the broadcast snapshot, build the scorer
 * (features of T, A^{-1} on the device) and the pool precomputation P = K(U,T) A^{-1}, scoring one batch.
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

    @Setup(Level.Trial)
    public void setUp() {
        cfg = ModelFixture.config(List.of("lookahead_mlmoc", "lookahead_flip"), LearnerConfig.Precision.FLOAT64);
        model = ModelFixture.model(cfg, kernelSize);
        snapshot = model.snapshot().toBytes();
        SplitMix64 rng = new SplitMix64(6);
        candidates = ModelFixture.rows(rng, 256);
        poolRows = ModelFixture.rows(rng, pool);
    }

    @Benchmark
    public ScoredBatch newVersionThenScore() {
        try (Scorer s = Scorer.of(ModelSnapshot.fromBytes(snapshot), cfg)) {
            return s.score(candidates, poolRows);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }
}
