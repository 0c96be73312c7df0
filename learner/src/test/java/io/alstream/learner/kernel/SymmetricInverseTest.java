package io.alstream.learner.kernel;

import io.alstream.learner.util.SplitMix64;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heap A^{-1} against a brute-force refit (LU inverse of K(T,T) + lambda I) after mixed updates. */
class SymmetricInverseTest {
    private static final double LAMBDA = 0.5;

    private static double kernel(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s + Math.tanh(a[0] * b[0]); // an inner product plus a little non-linearity: symmetric, PSD enough
    }

    private static double[] refit(List<double[]> t) {
        int n = t.size();
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = kernel(t.get(i), t.get(j)) + (i == j ? LAMBDA : 0);
            }
        }
        RealMatrix inv = new LUDecomposition(new Array2DRowRealMatrix(a)).getSolver().getInverse();
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i * n + j] = inv.getEntry(i, j);
            }
        }
        return out;
    }

    private static void append(SymmetricInverse inv, List<double[]> t, double[] x) {
        double[] k = new double[t.size()];
        for (int i = 0; i < k.length; i++) {
            k[i] = kernel(t.get(i), x);
        }
        inv.append(k, kernel(x, x) + LAMBDA);
        t.add(x);
    }

    @Test
    void equalsABruteForceRefitTo1e9AfterAppendsRemovalsAndProducts() {
        SplitMix64 rng = new SplitMix64(17);
        SymmetricInverse inv = new SymmetricInverse();
        List<double[]> t = new ArrayList<>();
        int removals = 0;
        for (int step = 0; step < 400; step++) {
            double r = rng.nextDouble();
            if (r < 0.7 || t.size() < 3) {
                double[] x = new double[8];
                for (int j = 0; j < x.length; j++) {
                    x[j] = rng.nextGaussian();
                }
                append(inv, t, x);
            } else if (r < 0.85) {
                int e = rng.nextInt(t.size()); // anywhere: the gap must close, a waiting correction included
                inv.remove(e);
                t.remove(e);
                removals++;
            } else {
                // a product right after an append applies the waiting correction in its pass
                double[] k = new double[t.size()];
                for (int i = 0; i < k.length; i++) {
                    k[i] = rng.nextGaussian();
                }
                double[] y = inv.multiply(k);
                double[] full = refit(t);
                for (int i = 0; i < k.length; i++) {
                    double expect = 0;
                    for (int j = 0; j < k.length; j++) {
                        expect += full[i * k.length + j] * k[j];
                    }
                    assertEquals(expect, y[i], 1e-9 * Math.max(1, Math.abs(expect)), "(A^-1 k)_" + i);
                }
            }
            if (step % 25 == 0 || step == 399) {
                double[] got = inv.toFull();
                double[] want = refit(t);
                double err = 0;
                double scale = 0;
                for (int i = 0; i < got.length; i++) {
                    err = Math.max(err, Math.abs(got[i] - want[i]));
                    scale = Math.max(scale, Math.abs(want[i]));
                }
                assertTrue(err / scale < 1e-9, "step " + step + ", |T| " + t.size() + ": rel err " + err / scale);
            }
        }
        assertEquals(t.size(), inv.size());
        assertTrue(t.size() > 100 && removals > 30, "|T| " + t.size() + ", removals " + removals);
    }

    @Test
    void restoresFromAFullMatrixAndContinues() {
        SplitMix64 rng = new SplitMix64(5);
        SymmetricInverse a = new SymmetricInverse();
        List<double[]> t = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            append(a, t, new double[] {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()});
        }
        SymmetricInverse b = new SymmetricInverse();
        b.setFull(a.toFull(), a.size());
        List<double[]> t2 = new ArrayList<>(t);
        double[] x = {0.3, -1.2, 0.7};
        append(a, t, x);
        append(b, t2, x);
        b.remove(3);
        a.remove(3);
        double[] fa = a.toFull();
        double[] fb = b.toFull();
        for (int i = 0; i < fa.length; i++) {
            assertEquals(fa[i], fb[i], 1e-12 * Math.max(1, Math.abs(fa[i])));
        }
    }
}
