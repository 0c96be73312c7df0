package io.alstream.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.alstream.learner.acquisition.Acquisitions;
import io.alstream.learner.acquisition.ProbabilitySamples;
import io.alstream.learner.util.ComputeDevice;
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

import java.util.concurrent.TimeUnit;

/**
 * The part of a float32 batch score that the float64 posterior samples changed (PosteriorSampler, Gaussian
 * posterior): from the per-event f(B) [B, C] and variance [B, 1], the samples f + sqrt(v) eps, the softmax and
 * balent, either all in float32 (what the float32 path did before) or widened to float64 first (what it does now).
 * Read beside ScoringBenchmark's FLOAT32 time for the same batch, the whole score this part belongs to.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SamplePrecisionBenchmark {
    private static final int SAMPLES = 20;
    private static final int CLASSES = 10;
    private static final double TEMPERATURE = 0.1;

    @Param({"256", "1024"})
    public int batch;
    /** FLOAT32: samples, softmax and balent in float32 (before); FLOAT64: widened first (now). */
    @Param({"FLOAT32", "FLOAT64"})
    public String samples;

    private NDManager manager;
    private NDArray mean;     // float32 [B, C]
    private NDArray variance; // float32 [B, 1]
    private NDArray eps;      // float64 [S, 1, C]
    private long[] keys;

    @Setup(Level.Trial)
    public void setUp() {
        manager = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
        SplitMix64 rng = new SplitMix64(11);
        float[] f = new float[batch * CLASSES];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (rng.nextDouble() * 1.2 - 0.1); // regression outputs on one-hot targets
        }
        float[] v = new float[batch];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.25 * rng.nextDouble() * rng.nextDouble());
        }
        double[] e = new double[SAMPLES * CLASSES];
        for (int i = 0; i < e.length; i++) {
            e[i] = rng.nextGaussian();
        }
        mean = manager.create(f, new Shape(batch, CLASSES));
        variance = manager.create(v, new Shape(batch, 1));
        eps = manager.create(e, new Shape(SAMPLES, 1, CLASSES));
        keys = new long[batch];
    }

    @Benchmark
    public double[] balentFromMoments() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            boolean wide = "FLOAT64".equals(samples);
            NDArray f = wide ? mean.toType(DataType.FLOAT64, true) : mean;
            NDArray v = wide ? variance.toType(DataType.FLOAT64, true) : variance;
            NDArray noise = eps.toType(f.getDataType(), false);
            NDArray outputs = f.expandDims(0).add(v.sqrt().expandDims(0).mul(noise));
            NDArray probs = outputs.div(TEMPERATURE).softmax(2).transpose(1, 0, 2);
            return Acquisitions.sampleBased("balent").score(new ProbabilitySamples(probs, keys, 1))
                    .toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }
}
