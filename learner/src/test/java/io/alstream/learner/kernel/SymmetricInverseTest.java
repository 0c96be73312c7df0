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

    /** m rows at once (multiplyMany + appendBlock), any waiting correction included: the same inverse as a refit. */
    /** The upper triangle, rows one after another (a snapshot's form), installs the same store as the full square. */
    @Test
    void anUpperTriangleInstallsWhatTheFullSquareInstalls() {
        SplitMix64 rng = new SplitMix64(4);
        int n = 37;
        double[] full = new double[n * n];
        double[] upper = new double[n * (n + 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double v = rng.nextGaussian();
                full[i * n + j] = v;
                full[j * n + i] = v;
                upper[k++] = v;
            }
        }
        SymmetricInverse fromFull = new SymmetricInverse();
        fromFull.setFull(full, n);
        SymmetricInverse fromUpper = new SymmetricInverse();
        fromUpper.append(new double[0], 2.0); // something there before: replaced
        fromUpper.setUpper(upper, n);
        assertEquals(n, fromUpper.size());
        org.junit.jupiter.api.Assertions.assertArrayEquals(full, fromUpper.toFull(), 0.0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(fromFull.toFull(), fromUpper.toFull(), 0.0);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> fromUpper.setUpper(upper, n + 1));
    }

    private static void appendBlock(SymmetricInverse inv, List<double[]> t, List<double[]> xs) {
        int n = t.size();
        int m = xs.size();
        double[] k = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < m; p++) {
                k[i * m + p] = kernel(t.get(i), xs.get(p));
            }
        }
        double[] d = new double[m * m];
        for (int p = 0; p < m; p++) {
            for (int q = 0; q < m; q++) {
                d[p * m + q] = kernel(xs.get(p), xs.get(q)) + (p == q ? LAMBDA : 0);
            }
        }
        inv.appendBlock(k, d, inv.multiplyMany(k, m), m);
        t.addAll(xs);
    }

    @Test
    void blockAppendsEqualARefitAmongSingleAppendsRemovalsAndProducts() {
        SplitMix64 rng = new SplitMix64(23);
        SymmetricInverse inv = new SymmetricInverse();
        List<double[]> t = new ArrayList<>();
        int blocks = 0;
        for (int step = 0; step < 120; step++) {
            double r = rng.nextDouble();
            if (r < 0.35 || t.size() < 3) {
                List<double[]> xs = new ArrayList<>();
                int m = 1 + rng.nextInt(step % 3 == 0 ? 17 : 5);
                for (int b = 0; b < m; b++) {
                    double[] x = new double[8];
                    for (int j = 0; j < x.length; j++) {
                        x[j] = rng.nextGaussian();
                    }
                    xs.add(x);
                }
                appendBlock(inv, t, xs); // right after another block: its waiting correction is applied in this pass
                blocks++;
            } else if (r < 0.55) {
                double[] x = new double[8];
                for (int j = 0; j < x.length; j++) {
                    x[j] = rng.nextGaussian();
                }
                append(inv, t, x);
            } else if (r < 0.7) {
                int e = rng.nextInt(t.size());
                inv.remove(e);
                t.remove(e);
            } else {
                double[] full = refit(t);
                int n = t.size();
                int row = rng.nextInt(n);
                double[] got = inv.row(row); // read with a correction still waiting
                for (int j = 0; j < n; j++) {
                    assertEquals(full[row * n + j], got[j], 1e-9 * Math.max(1, Math.abs(full[row * n + j])), "row " + row + ", " + j);
                }
                int m = 3;
                double[] k = new double[n * m];
                for (int i = 0; i < k.length; i++) {
                    k[i] = rng.nextGaussian();
                }
                double[] y = inv.multiplyMany(k, m);
                for (int i = 0; i < n; i++) {
                    for (int p = 0; p < m; p++) {
                        double expect = 0;
                        for (int j = 0; j < n; j++) {
                            expect += full[i * n + j] * k[j * m + p];
                        }
                        assertEquals(expect, y[i * m + p], 1e-9 * Math.max(1, Math.abs(expect)), "(A^-1 K)_" + i + "," + p);
                    }
                }
            }
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
        assertEquals(t.size(), inv.size());
        assertTrue(blocks > 30 && t.size() > 100, "blocks " + blocks + ", |T| " + t.size());
    }

    @Test
    void aBlockWhoseSchurComplementIsSingularFailsClearly() {
        SymmetricInverse inv = new SymmetricInverse();
        inv.setFull(new double[] {1}, 1);
        // the new row repeats T's only row with no ridge: S = 1 - 1 * 1 * 1 = 0
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> inv.appendBlock(new double[] {1}, new double[] {1}, new double[] {1}, 1));
        assertTrue(e.getMessage().contains("singular"), e.getMessage());
    }
}
