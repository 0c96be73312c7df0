package io.alstream.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.alstream.learner.util.ComputeDevice;
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
 * The machine's yardstick in the same run: an n x n DJL matmul (2 n^3 flops) in float32 and float64, and
 * the per-op JNI overhead of a tiny add. BenchMain turns these into GFLOP/s and expresses the other
 * results in matmul-equivalents.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MatmulYardstick {
    @Param({"1024"})
    public int n;
    @Param({"FLOAT32", "FLOAT64"})
    public String type;

    private NDManager manager;
    private NDArray a;
    private NDArray b;
    private NDArray tiny;

    @Setup(Level.Trial)
    public void setUp() {
        manager = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
        a = manager.randomUniform(0, 1, new Shape(n, n)).toType(DataType.valueOf(type), false);
        b = manager.randomUniform(0, 1, new Shape(n, n)).toType(DataType.valueOf(type), false);
        tiny = manager.ones(new Shape(4)).toType(DataType.valueOf(type), false);
    }

    @Benchmark
    public long matmul() {
        try (NDArray c = a.matMul(b)) {
            return c.getShape().size(); // CPU torch is synchronous: the product is done here
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public NDArray tinyOp() {
        NDArray c = tiny.add(tiny);
        c.close();
        return c;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }
}
