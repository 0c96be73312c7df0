package io.alstream.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.alstream.learner.kernel.BlockInverse;
import io.alstream.learner.kernel.SymmetricInverse;
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
 * The A^-1 part of one label at |T| = kernelSize, old against new, in the same run: the product a fold needs
 * for its prediction (A^-1 k), the block-inverse append, and (to keep |T| constant) the reverse removal.
 * {@code device-baseline} is the earlier implementation (float64 NDArray, {@link BlockInverse} in place, the
 * product as its own matmul); {@code heap-symmetric} is {@link SymmetricInverse} (upper triangle, the product
 * reused by the append, each rank-one correction applied in the next pass). A fold is the first two steps;
 * the removal is what a dropped pending request costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class InverseUpdateBenchmark {
    @Param({"1024", "4096"})
    public int kernelSize;

    @Param({"device-baseline", "heap-symmetric"})
    public String impl;

    private NDManager manager;
    private NDArray buffer;
    private SymmetricInverse heap;
    private double[] k;
    private double d;

    @Setup(Level.Trial)
    public void setUp() {
        int n = kernelSize;
        SplitMix64 rng = new SplitMix64(3);
        k = new double[n];
        for (int i = 0; i < n; i++) {
            k[i] = 0.01 * rng.nextGaussian();
        }
        d = 10;
        // A^-1 of a diagonal A = 4 I: any SPD inverse costs the same arithmetic
        if (impl.equals("device-baseline")) {
            manager = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
            buffer = manager.zeros(new Shape(2L * n, 2L * n), DataType.FLOAT64);
            buffer.set(new NDIndex(":{}, :{}", n, n), manager.eye(n, n, 0, DataType.FLOAT64).mul(0.25));
        } else {
            heap = new SymmetricInverse();
            double[] full = new double[n * n];
            for (int i = 0; i < n; i++) {
                full[i * n + i] = 0.25;
            }
            heap.setFull(full, n);
        }
    }

    @Benchmark
    public double foldAndDrop() {
        int n = kernelSize;
        if (heap != null) {
            double[] u = heap.multiply(k);           // the fold's prediction
            double s = heap.append(k, d, u);         // its update, reusing the product
            heap.remove(n);                          // a dropped pending request (applies the waiting correction)
            return s;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray col = manager.create(k, new Shape(n, 1));
            NDArray ainv = buffer.get(new NDIndex(":{}, :{}", n, n));
            double pred = col.transpose().matMul(ainv).sum().getDouble();   // the fold's prediction: K(x,T) A^-1
            BlockInverse.appendInPlace(buffer, n, col, manager.create(new double[] {d}, new Shape(1, 1)));
            BlockInverse.removeInPlace(buffer, n + 1, n, n + 1);
            return pred;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (manager != null) {
            manager.close();
        }
    }
}
