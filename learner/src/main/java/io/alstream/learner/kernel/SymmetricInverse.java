package io.alstream.learner.kernel;

import java.util.Arrays;

/**
 * A^{-1} = (K(T,T) + lambda I)^{-1} on the Java heap in float64, kept by rank-one block-inverse updates that
 * touch each stored number once (DESIGN 4.1; the maths of {@link BlockInverse}, one row at a time):
 * <pre>
 *   append (k = K(T,x), d = K(x,x) + lambda, u = A^-1 k, s = d - k.u):
 *     [A   k]^-1   [A^-1 + u u^T/s   -u/s]
 *     [k^T d]    = [-u^T/s            1/s ]
 *   remove row e (b = column e of A^-1):  A_RR^-1 = B_RR - b_R b_R^T / b_ee
 * </pre>
 * Only the upper triangle (j >= i) is stored, row-major with a stride that grows by a quarter, so A^{-1} is symmetric by
 * construction and a pass moves half the matrix. The rank-one correction of an append is not applied at once:
 * it waits and is applied in the same pass as the next product A^{-1} k (which every fold needs for its
 * prediction and its own update) or the next removal, so a label costs one read and one write of the
 * triangle - at |T| = 4,096, 67 MB each way - instead of the earlier device version's ~6 full-matrix passes
 * plus an |T|^2 temporary. Not thread-safe.
 */
public final class SymmetricInverse {
    private static final int MIN_CAPACITY = 16;

    private double[] a = new double[0];
    private int stride;
    private int n;
    /** A deferred correction A^{-1}[:m, :m] += c w w^T (m = w's length); c = 0: none. */
    private double pendingC;
    private double[] pendingW;

    public int size() { return n; }

    /** y = A^{-1} k (k of length n), applying a deferred correction in the same pass. */
    public double[] multiply(double[] k) {
        if (k.length != n) {
            throw new IllegalArgumentException("vector of " + k.length + " for an inverse of size " + n);
        }
        double[] y = new double[n];
        double c = pendingC;
        double[] w = pendingW;
        int m = c == 0 ? 0 : w.length;
        pendingC = 0;
        pendingW = null;
        double[] arr = a;
        int st = stride;
        for (int i = 0; i < n; i++) {
            int row = i * st;
            if (i < m) {
                double cw = c * w[i];
                for (int j = i; j < m; j++) { // apply the waiting rank-one correction to row i
                    arr[row + j] += cw * w[j];
                }
            }
            double ki = k[i];
            double aii = arr[row + i];
            double dot = aii * ki;
            for (int j = i + 1; j < n; j++) { // the row's upper part serves y_i (dot) and, by symmetry, y_j
                double v = arr[row + j];
                dot += v * k[j];
                y[j] += v * ki;
            }
            y[i] += dot;
        }
        return y;
    }

    /**
     * Appends one row/column: k = K(T, x) (length n), d = K(x,x) + lambda, and u = {@link #multiply}(k) computed
     * on the current inverse (no change in between). Returns the Schur complement s = d - k.u.
     */
    public double append(double[] k, double d, double[] u) {
        if (pendingC != 0) {
            throw new IllegalStateException("append needs u = A^-1 k from multiply() just before it");
        }
        double s = d - dot(k, u);
        ensureCapacity(n + 1);
        double inv = 1 / s;
        for (int i = 0; i < n; i++) {
            a[i * stride + n] = -u[i] * inv;
        }
        a[n * stride + n] = inv;
        if (n > 0) {
            pendingC = inv;
            pendingW = u.clone();
        }
        n++;
        return s;
    }

    /** Appends one row when u is not at hand: one pass for the product, the correction waits. */
    public double append(double[] k, double d) {
        return append(k, d, multiply(k));
    }

    /** Removes row/column e (the reverse update) and closes the gap, in one pass over the triangle. */
    public void remove(int e) {
        if (e < 0 || e >= n) {
            throw new IndexOutOfBoundsException(e);
        }
        // b = column e of the current A^{-1}, waiting correction included
        double c = pendingC;
        double[] w = pendingW;
        int m = c == 0 ? 0 : w.length;
        double[] b = new double[n];
        for (int j = 0; j < n; j++) {
            b[j] = j < e ? a[j * stride + e] : a[e * stride + j];
            if (j < m && e < m) {
                b[j] += c * w[e] * w[j];
            }
        }
        double bee = b[e];
        pendingC = 0;
        pendingW = null;
        double[] arr = a;
        int st = stride;
        for (int i = 0; i < n; i++) {
            if (i == e) {
                continue;
            }
            int src = i * st;
            int dst = (i > e ? i - 1 : i) * st; // rows below e move up one, columns right of e move left one
            double cw = i < m ? c * w[i] : 0;
            double f = b[i] / bee;
            for (int j = i; j < n; j++) {
                if (j == e) {
                    continue;
                }
                double v = arr[src + j];
                if (j < m) {
                    v += cw * w[j];
                }
                v -= f * b[j];
                arr[dst + (j > e ? j - 1 : j)] = v;
            }
        }
        n--;
        // the last row/column of the old size now holds stale numbers outside [0, n): harmless, never read
    }

    /** Applies a waiting correction now (before the triangle is read directly). */
    public void flush() {
        if (pendingC == 0) {
            return;
        }
        double c = pendingC;
        double[] w = pendingW;
        pendingC = 0;
        pendingW = null;
        for (int i = 0; i < w.length; i++) {
            int row = i * stride;
            double cw = c * w[i];
            for (int j = i; j < w.length; j++) {
                a[row + j] += cw * w[j];
            }
        }
    }

    /** A^{-1} as a full n x n row-major matrix. */
    public double[] toFull() {
        flush();
        double[] full = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double v = a[i * stride + j];
                full[i * n + j] = v;
                full[j * n + i] = v;
            }
        }
        return full;
    }

    /**
     * Row i of the full A^{-1} (n values) into {@code into}: for writing A^{-1} row by row without an n x n copy.
     * Applies a waiting correction first.
     */
    public void row(int i, double[] into) {
        if (i < 0 || i >= n || into.length < n) {
            throw new IllegalArgumentException("row " + i + " of " + n + " into " + into.length + " values");
        }
        flush();
        for (int j = 0; j < i; j++) {
            into[j] = a[j * stride + i];
        }
        System.arraycopy(a, i * stride + i, into, i, n - i);
    }

    /** Installs a full n x n row-major A^{-1}; the upper triangle is kept (symmetrised: the mean of both). */
    public void setFull(double[] full, int size) {
        if ((long) size * size != full.length) {
            throw new IllegalArgumentException("A^-1 has " + full.length + " values, expected " + (long) size * size);
        }
        clear();
        ensureCapacity(size);
        for (int i = 0; i < size; i++) {
            for (int j = i; j < size; j++) {
                a[i * stride + j] = i == j ? full[i * size + j] : 0.5 * (full[i * size + j] + full[j * size + i]);
            }
        }
        n = size;
    }

    public void clear() {
        a = new double[0];
        stride = 0;
        n = 0;
        pendingC = 0;
        pendingW = null;
    }

    private void ensureCapacity(int rows) {
        if (rows <= stride) {
            return;
        }
        // grow by a quarter (a doubled stride would quadruple the n^2 array), rounded to whole cache lines
        long want = Math.max(MIN_CAPACITY, ((long) rows + rows / 4 + 7) & ~7L);
        if (want * want > Integer.MAX_VALUE - 8) {
            want = (long) Math.sqrt(Integer.MAX_VALUE - 8.0);
        }
        int cap = (int) want;
        if (cap < rows) {
            throw new IllegalStateException("A^-1 of " + rows + " rows does not fit one Java array");
        }
        flush();
        double[] fresh = new double[cap * cap];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a, i * stride + i, fresh, i * cap + i, n - i);
        }
        a = fresh;
        stride = cap;
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    @Override
    public String toString() {
        return "SymmetricInverse{n=" + n + ", capacity " + stride + (pendingC != 0 ? ", correction waiting" : "") + "}";
    }

    /** For tests: the stored triangle and its stride, correction applied. */
    double[] triangleForTest() {
        flush();
        return Arrays.copyOf(a, a.length);
    }
}
