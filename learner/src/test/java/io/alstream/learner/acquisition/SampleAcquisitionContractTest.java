package io.alstream.learner.acquisition;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared contract every sample-based acquisition function passes: finite outputs, determinism under a
 * seed, the same scores whether a batch is scored whole or in pieces, and sane results on degenerate
 * input (identical samples, one class, one sample, exactly uniform). Look-ahead and the selection
 * policies have their own contract suites (ScorerContractTest, SelectionPolicyContractTest).
 */
class SampleAcquisitionContractTest {

    static List<String> names() {
        return Acquisitions.sampleBasedNames();
    }

    static double[] dirichletLike(SplitMix64 rng, int n, int s, int k) {
        double[] p = new double[n * s * k];
        for (int i = 0; i < n; i++) {
            double conc = Math.pow(10, 2 * rng.nextDouble() - 0.5);
            double[] mean = new double[k];
            for (int c = 0; c < k; c++) {
                mean[c] = -Math.log(1 - rng.nextDouble());
            }
            for (int j = 0; j < s; j++) {
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    double g = mean[c] * Math.exp(rng.nextGaussian() / conc) + 1e-12;
                    p[(i * s + j) * k + c] = g;
                    sum += g;
                }
                for (int c = 0; c < k; c++) {
                    p[(i * s + j) * k + c] /= sum;
                }
            }
        }
        return p;
    }

    static double[] score(NDManager m, String name, double[] p, int n, int s, int k, long[] keys, long seed) {
        NDArray probs = m.create(p, new Shape(n, s, k));
        return Acquisitions.sampleBased(name).score(new ProbabilitySamples(probs, keys, seed)).toType(DataType.FLOAT64, false).toDoubleArray();
    }

    static long[] keys(int n, long salt) {
        long[] k = new long[n];
        for (int i = 0; i < n; i++) {
            k[i] = SplitMix64.mix(salt + i);
        }
        return k;
    }

    @ParameterizedTest
    @MethodSource("names")
    void finiteDeterministicAndBatchSplitInvariant(String name) {
        int n = 37;
        int s = 12;
        int k = 6;
        double[] p = dirichletLike(new SplitMix64(1), n, s, k);
        long[] keys = keys(n, 99);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            double[] whole = score(m, name, p, n, s, k, keys, 7);
            for (double v : whole) {
                assertTrue(Double.isFinite(v), name + " not finite");
            }
            assertArrayEquals(whole, score(m, name, p, n, s, k, keys, 7), 0.0, name + " not deterministic");
            int cut = 13;
            double[] a = score(m, name, java.util.Arrays.copyOfRange(p, 0, cut * s * k), cut, s, k,
                    java.util.Arrays.copyOfRange(keys, 0, cut), 7);
            double[] b = score(m, name, java.util.Arrays.copyOfRange(p, cut * s * k, n * s * k), n - cut, s, k,
                    java.util.Arrays.copyOfRange(keys, cut, n), 7);
            for (int i = 0; i < n; i++) {
                double piece = i < cut ? a[i] : b[i - cut];
                assertEquals(whole[i], piece, 1e-12 * Math.max(1, Math.abs(whole[i])), name + " depends on the batch split at " + i);
            }
            if (name.equals("random")) {
                assertNotEquals(whole[0], score(m, name, p, n, s, k, keys, 8)[0], "the seed must matter");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void degenerateInputsStayFinite(String name) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            // identical samples
            double[] same = new double[3 * 5 * 4];
            for (int i = 0; i < same.length; i++) {
                same[i] = new double[] {0.7, 0.1, 0.15, 0.05}[i % 4];
            }
            assertFinite(name + " identical samples", score(m, name, same, 3, 5, 4, keys(3, 1), 0));
            // exactly uniform
            double[] uniform = new double[2 * 4 * 10];
            java.util.Arrays.fill(uniform, 0.1);
            double[] u = score(m, name, uniform, 2, 4, 10, keys(2, 2), 0);
            assertFinite(name + " uniform", u);
            // one class
            double[] one = new double[3 * 4];
            java.util.Arrays.fill(one, 1.0);
            assertFinite(name + " one class", score(m, name, one, 3, 4, 1, keys(3, 3), 0));
            // one sample
            double[] single = dirichletLike(new SplitMix64(4), 3, 1, 5);
            assertFinite(name + " one sample", score(m, name, single, 3, 1, 5, keys(3, 4), 0));
            if (name.equals("entropy")) {
                assertEquals(Math.log(10), u[0], 1e-12);
            }
            if (name.equals("bald") || name.equals("mean_std")) {
                double[] z = score(m, name, same, 3, 5, 4, keys(3, 1), 0);
                assertTrue(z[0] <= 1e-9, name + " must see no disagreement among identical samples: " + z[0]);
            }
        }
    }

    private static void assertFinite(String what, double[] v) {
        for (double x : v) {
            assertTrue(Double.isFinite(x), what + ": " + java.util.Arrays.toString(v));
        }
    }
}
