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
    /**
     * A deferred rank-r correction of a block append, A^{-1}[:rows, :rows] += G G^T, G [rows x r] stored
     * transposed ([r x rows] row-major, so a row's correction is r contiguous axpy loops); null: none. At most one
     * of the two corrections waits at a time.
     */
    private double[] pendingG;
    /** The block correction's weights: A^{-1} += G diag(pendingD) G^T (1/D of S = L D L^T). */
    private double[] pendingD;
    private int pendingRank;
    private int pendingRows;

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
        double[] g = pendingG;
        double[] gw = pendingD;
        int rank = pendingRank;
        int gRows = g == null ? 0 : pendingRows;
        pendingG = null;
        double[] arr = a;
        int st = stride;
        for (int i = 0; i < n; i++) {
            int row = i * st;
            if (i < gRows) {
                correctRow(arr, row, i, g, gw, rank, gRows);
            }
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
        if (pendingC != 0 || pendingG != null) {
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
        if (pendingG != null) {
            flush(); // a block append's correction (drops are rare: one extra pass)
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
        if (pendingG != null) {
            double[] g = pendingG;
            pendingG = null;
            for (int i = 0; i < pendingRows; i++) {
                correctRow(a, i * stride, i, g, pendingD, pendingRank, pendingRows);
            }
        }
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

    /** Tile edge of {@link #toFull()}'s mirrored writes: 64 x 64 doubles (32 KiB) stay in cache while they are written. */
    private static final int TILE = 64;

    /**
     * A^{-1} as a full n x n row-major matrix. The lower triangle is written tile by tile: mirrored one element at a
     * time, each write of a row of the triangle touched n cache lines (a quarter of the scorers' time per model
     * version in the cluster bench's profile).
     */
    public double[] toFull() {
        flush();
        double[] full = new double[n * n];
        for (int bi = 0; bi < n; bi += TILE) {
            int iEnd = Math.min(n, bi + TILE);
            for (int i = bi; i < iEnd; i++) { // the upper part of the rows: contiguous copies
                System.arraycopy(a, i * stride + i, full, i * n + i, n - i);
            }
            for (int bj = bi; bj < n; bj += TILE) { // the mirror, one tile of the triangle at a time
                int jEnd = Math.min(n, bj + TILE);
                for (int i = bi; i < iEnd; i++) {
                    int row = i * stride;
                    for (int j = Math.max(i + 1, bj); j < jEnd; j++) {
                        full[j * n + i] = a[row + j];
                    }
                }
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

    /**
     * Installs A^{-1} from its upper triangle, row by row (row i: columns i..size-1, the rows one after another, as
     * {@code ModelSnapshot} carries it): no full square is built. The same store as {@link #setFull} of the mirrored
     * square.
     */
    public void setUpper(double[] upper, int size) {
        if ((long) size * (size + 1) / 2 != upper.length) {
            throw new IllegalArgumentException("an upper triangle of size " + size + " has " + (long) size * (size + 1) / 2
                    + " values, not " + upper.length);
        }
        clear();
        ensureCapacity(size);
        int from = 0;
        for (int i = 0; i < size; i++) {
            System.arraycopy(upper, from, a, i * stride + i, size - i);
            from += size - i;
        }
        n = size;
    }

    public void clear() {
        a = new double[0];
        stride = 0;
        n = 0;
        pendingC = 0;
        pendingW = null;
        pendingG = null;
        pendingD = null;
    }

    /** Row i of the triangle (columns i..rows-1) += G_i D G_j^T: the waiting block correction of one row (gT = G^T). */
    private static void correctRow(double[] arr, int row, int i, double[] gT, double[] w, int rank, int rows) {
        for (int t = 0; t < rank; t++) {
            int base = t * rows;
            double c = gT[base + i] * w[t];
            for (int j = i; j < rows; j++) { // an axpy over the row: vectorised by the JIT, unlike a dot per element
                arr[row + j] += c * gT[base + j];
            }
        }
    }

    /**
     * Y = A^{-1} K for m columns at once (K [n x m] row-major, the result likewise), applying a waiting correction
     * in the same pass: one read of the triangle for a whole batch, where m single products read it m times.
     */
    public double[] multiplyMany(double[] k, int m) {
        if (k.length != n * m) {
            throw new IllegalArgumentException("matrix of " + k.length + " values for an inverse of size " + n + " and " + m + " columns");
        }
        double[] y = new double[n * m];
        if (n == 0 || m == 0) {
            return y;
        }
        double c = pendingC;
        double[] w = pendingW;
        int wRows = c == 0 ? 0 : w.length;
        double[] g = pendingG;
        double[] gw = pendingD;
        int rank = pendingRank;
        int gRows = g == null ? 0 : pendingRows;
        pendingC = 0;
        pendingW = null;
        pendingG = null;
        double[] arr = a;
        int st = stride;
        // columns laid out contiguously: each is multiply()'s loop over the row, while the row stays in cache
        double[] kT = new double[m * n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < m; t++) {
                kT[t * n + i] = k[i * m + t];
            }
        }
        double[] yT = new double[m * n];
        for (int i = 0; i < n; i++) {
            int row = i * st;
            if (i < gRows) {
                correctRow(arr, row, i, g, gw, rank, gRows);
            }
            if (i < wRows) {
                double cw = c * w[i];
                for (int j = i; j < wRows; j++) {
                    arr[row + j] += cw * w[j];
                }
            }
            double aii = arr[row + i];
            for (int t = 0; t < m; t++) {
                int base = t * n;
                double ki = kT[base + i];
                double dot = aii * ki;
                // each stored a_ij (j > i) serves y_i (dot) and, by symmetry, y_j
                for (int j = i + 1; j < n; j++) {
                    double v = arr[row + j];
                    dot += v * kT[base + j];
                    yT[base + j] += v * ki;
                }
                yT[base + i] += dot;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < m; t++) {
                y[i * m + t] = yT[t * n + i];
            }
        }
        return y;
    }

    /**
     * Appends m rows/columns at once (the block form of {@link #append(double[], double, double[])}): k = K(T, B)
     * [n x m] row-major, d = K(B,B) + lambda I [m x m], v = {@link #multiplyMany}(k, m) on the current inverse.
     * With the Schur complement S = d - k^T v = L D L^T (L unit lower triangular), G = v L^{-T} and
     * H = v S^{-1} = G D^{-1} L^{-1}:
     * <pre>
     *   [A   k]^-1   [A^-1 + G D^-1 G^T   -H  ]
     *   [k^T d]    = [-H^T                S^-1]
     * </pre>
     * The rank-m correction waits for the next pass, as the rank-one one does.
     */
    public void appendBlock(double[] k, double[] d, double[] v, int m) {
        if (pendingC != 0 || pendingG != null) {
            throw new IllegalStateException("appendBlock needs v = A^-1 k from multiplyMany() just before it");
        }
        if (k.length != n * m || v.length != n * m || d.length != m * m) {
            throw new IllegalArgumentException("block of " + m + " rows: k " + k.length + ", v " + v.length + ", d " + d.length
                    + " values for an inverse of size " + n);
        }
        if (m == 0) {
            return;
        }
        // S = d - k^T v, symmetrised (both triangles are the same number)
        double[] s = new double[m * m];
        for (int p = 0; p < m; p++) {
            for (int q = 0; q < m; q++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += k[i * m + p] * v[i * m + q];
                }
                s[p * m + q] = d[p * m + q] - sum;
            }
        }
        for (int p = 0; p < m; p++) {
            for (int q = p + 1; q < m; q++) {
                double mean = 0.5 * (s[p * m + q] + s[q * m + p]);
                s[p * m + q] = mean;
                s[q * m + p] = mean;
            }
        }
        double[] l = new double[m * m];
        double[] dd = ldl(s, m, l);
        // row by row: L g_i^T = v_i^T (forward substitution), then h_i L = g_i D^{-1} (backward)
        double[] g = new double[n * m];
        double[] h = new double[n * m];
        for (int i = 0; i < n; i++) {
            int o = i * m;
            for (int p = 0; p < m; p++) {
                double x = v[o + p];
                for (int q = 0; q < p; q++) {
                    x -= l[p * m + q] * g[o + q];
                }
                g[o + p] = x;
            }
            for (int p = m - 1; p >= 0; p--) {
                double x = g[o + p] / dd[p];
                for (int q = p + 1; q < m; q++) {
                    x -= h[o + q] * l[q * m + p];
                }
                h[o + p] = x;
            }
        }
        double[] sinv = inverseFromLdl(l, dd, m);
        ensureCapacity(n + m);
        for (int i = 0; i < n; i++) {
            int row = i * stride + n;
            for (int p = 0; p < m; p++) {
                a[row + p] = -h[i * m + p];
            }
        }
        for (int p = 0; p < m; p++) {
            int row = (n + p) * stride + n;
            for (int q = p; q < m; q++) {
                a[row + q] = sinv[p * m + q];
            }
        }
        if (n > 0) {
            double[] gT = new double[m * n];
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < m; p++) {
                    gT[p * n + i] = g[i * m + p];
                }
            }
            double[] w = new double[m];
            for (int p = 0; p < m; p++) {
                w[p] = 1 / dd[p];
            }
            pendingG = gT;
            pendingD = w;
            pendingRank = m;
            pendingRows = n;
        }
        n += m;
    }

    /**
     * S = L D L^T (m x m, no pivoting): fills l (unit lower triangular) and returns D's diagonal. Like the rank-one
     * append, it needs S non-singular only, not positive definite; a zero pivot fails clearly.
     */
    private static double[] ldl(double[] s, int m, double[] l) {
        double[] d = new double[m];
        for (int p = 0; p < m; p++) {
            double dp = s[p * m + p];
            for (int r = 0; r < p; r++) {
                dp -= l[p * m + r] * l[p * m + r] * d[r];
            }
            if (dp == 0 || !Double.isFinite(dp)) {
                throw new IllegalStateException("the Schur complement of a block append is singular (pivot " + dp
                        + " at row " + p + "): the new rows repeat T's or each other's, or lambda is too small");
            }
            d[p] = dp;
            l[p * m + p] = 1;
            for (int q = p + 1; q < m; q++) {
                double x = s[q * m + p];
                for (int r = 0; r < p; r++) {
                    x -= l[q * m + r] * l[p * m + r] * d[r];
                }
                l[q * m + p] = x / dp;
            }
        }
        return d;
    }

    /** S^{-1} = L^{-T} D^{-1} L^{-1}, symmetric, m x m row-major. */
    private static double[] inverseFromLdl(double[] l, double[] d, int m) {
        double[] linv = new double[m * m]; // L^{-1}, unit lower triangular
        for (int c = 0; c < m; c++) {
            for (int p = c; p < m; p++) {
                double x = p == c ? 1 : 0;
                for (int q = c; q < p; q++) {
                    x -= l[p * m + q] * linv[q * m + c];
                }
                linv[p * m + c] = x;
            }
        }
        double[] out = new double[m * m];
        for (int p = 0; p < m; p++) {
            for (int q = p; q < m; q++) {
                double sum = 0;
                for (int r = q; r < m; r++) {
                    sum += linv[r * m + p] * linv[r * m + q] / d[r];
                }
                out[p * m + q] = sum;
                out[q * m + p] = sum;
            }
        }
        return out;
    }

    /** Row i of A^{-1} (length n), any waiting correction included (nothing is applied to the store). */
    public double[] row(int i) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException(i);
        }
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            double v = j < i ? a[j * stride + i] : a[i * stride + j];
            if (pendingC != 0 && i < pendingW.length && j < pendingW.length) {
                v += pendingC * pendingW[i] * pendingW[j];
            }
            if (pendingG != null && i < pendingRows && j < pendingRows) {
                for (int t = 0; t < pendingRank; t++) {
                    v += pendingG[t * pendingRows + i] * pendingG[t * pendingRows + j] * pendingD[t];
                }
            }
            out[j] = v;
        }
        return out;
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
        return "SymmetricInverse{n=" + n + ", capacity " + stride + (pendingC != 0 || pendingG != null ? ", correction waiting" : "") + "}";
    }

    /** For tests: the stored triangle and its stride, correction applied. */
    double[] triangleForTest() {
        flush();
        return Arrays.copyOf(a, a.length);
    }
}
