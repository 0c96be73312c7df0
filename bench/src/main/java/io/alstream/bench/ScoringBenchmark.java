package io.alstream.bench;

import io.alstream.learner.LearnerConfig;
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
 * Scoring one batch of candidates with one acquisition function configured, steady state (model version
 * and pool unchanged, so the pool precomputation is cached). "lookahead" computes flip and mlmoc together
 * (one pass); the sample-based functions include drawing the posterior samples. events/s = batch / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ScoringBenchmark {
    @Param({"lookahead", "balent", "bald", "entropy", "margin", "least_confident", "variation_ratios", "mean_std", "random"})
    public String function;
    @Param({"256", "1024"})
    public int batch;
    @Param({"256", "1024", "4096"})
    public int kernelSize;
    @Param({"512", "2048"})
    public int pool;
    /** FLOAT32 against FLOAT64 in one run: the speed side of PrecisionSelectionTest's identical-selection count. */
    @Param({"FLOAT64", "FLOAT32"})
    public String precision;

    private OnlineModel model;
    private Scorer scorer;
    private float[][] candidates;
    private float[][] poolRows;

    @Setup(Level.Trial)
    public void setUp() {
        List<String> fns = function.equals("lookahead") ? List.of("lookahead_flip", "lookahead_mlmoc") : List.of(function);
        LearnerConfig cfg = ModelFixture.config(fns, LearnerConfig.Precision.valueOf(precision));
        model = ModelFixture.model(cfg, kernelSize);
        scorer = Scorer.of(model.snapshot(), cfg);
        SplitMix64 rng = new SplitMix64(5);
        candidates = ModelFixture.rows(rng, batch);
        poolRows = function.equals("lookahead") ? ModelFixture.rows(rng, pool) : new float[0][];
        scorer.score(candidates, poolRows); // builds the pool cache
    }

    @Benchmark
    public ScoredBatch score() {
        return scorer.score(candidates, poolRows);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scorer.close();
        model.close();
    }
}
