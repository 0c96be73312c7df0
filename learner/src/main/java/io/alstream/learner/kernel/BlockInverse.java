package io.alstream.learner.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;

/**
 * Block-inverse updates of A^{-1}, A = K(T,T) + lambda I (DESIGN 4.1): a new label costs O(|T|^2), never a
 * refit. With v = A^{-1} k and Schur complement S = d - k^T v,
 * <pre>
 *   [A   k]^-1   [A^-1 + v S^-1 v^T   -v S^-1]
 *   [k^T d]    = [-S^-1 v^T            S^-1  ]
 * </pre>
 * and removing rows/cols E (keeping R) is the reverse: (A_RR)^-1 = B_RR - B_RE (B_EE)^-1 B_ER with B = A^-1.
 * Blocks of m rows (m = 1, or C for the full kernel) are handled the same way.
 *
 * <p>Both work in place on a capacity buffer whose leading n x n block is A^{-1} (DJL views: no copy of the
 * whole matrix). Symmetry is kept exactly rather than restored: the corrections are built so that entry
 * (i,j) and (j,i) are the same floating-point number (v_i v_j / s for one row; (U + U^T)/2 for a block),
 * and the new row is the transpose of the new column. Without exact symmetry the rounding asymmetry
 * compounds (the full C x C kernel's inverse drifted from a refit by 1e-10 within 30 updates).
 */
public final class BlockInverse {
    private BlockInverse() { }

    /**
     * Grows A^{-1} from n to n+m rows in place: buffer holds A^{-1} in its leading [n, n] block (n may be 0,
     * then k is null), k = K(T, new) [n, m], d = K(new, new) + lambda I [m, m]. The buffer must have room for
     * n+m rows and columns.
     */
    public static void appendInPlace(NDArray buffer, int n, NDArray k, NDArray d) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            long m = d.getShape().get(0);
            NDIndex corner = new NDIndex("{}:{}, {}:{}", n, n + m, n, n + m);
            if (n == 0) {
                buffer.set(corner, symmetric(d.inverse()));
                return;
            }
            NDArray ainv = buffer.get(new NDIndex(":{}, :{}", n, n));
            NDArray v = ainv.matMul(k);                              // A^-1 k            [n, m]
            NDArray s = d.sub(k.transpose().matMul(v));              // Schur complement [m, m]
            NDArray sinv;
            NDArray w;                                               // v S^-1            [n, m]
            if (m == 1) {
                sinv = s.onesLike().div(s);
                w = v.div(s);
                ainv.addi(outer(v, s));
            } else {
                sinv = symmetric(s.inverse());
                w = v.matMul(sinv);
                ainv.addi(symmetric(w.matMul(v.transpose())));
            }
            NDArray negW = w.neg();
            buffer.set(new NDIndex(":{}, {}:{}", n, n, n + m), negW);
            buffer.set(new NDIndex("{}:{}, :{}", n, n + m, n), negW.transpose());
            buffer.set(corner, sinv);
        }
    }

    /**
     * Removes rows/cols [from, to) of the n x n A^{-1} held in the buffer's leading block, in place: afterwards
     * the leading (n - (to - from)) block is the inverse of A without those rows/cols, in the same order.
     */
    public static void removeInPlace(NDArray buffer, int n, int from, int to) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int e = to - from;
            NDArray b = buffer.get(new NDIndex(":{}, :{}", n, n));
            NDArray cols = b.get(new NDIndex(":, {}:{}", from, to)).duplicate();  // B_{.E}      [n, e]
            NDArray gone = cols.get(new NDIndex("{}:{}", from, to));             // B_EE        [e, e]
            if (e == 1) {
                b.subi(outer(cols, gone));
            } else {
                NDArray ginv = symmetric(gone.inverse());
                b.subi(symmetric(cols.matMul(ginv).matMul(cols.transpose())));
            }
            // rows/cols E now hold junk; close the gap (kept rows move up, kept columns move left)
            if (to < n) {
                buffer.set(new NDIndex("{}:{}, :{}", from, n - e, n), buffer.get(new NDIndex("{}:{}, :{}", to, n, n)).duplicate());
                buffer.set(new NDIndex(":{}, {}:{}", n - e, from, n - e), buffer.get(new NDIndex(":{}, {}:{}", n - e, to, n)).duplicate());
            }
        }
    }

    /**
     * u u^T / s for a column u and a 1x1 s, exactly symmetric: (u_i/sqrt s)(u_j/sqrt s) when s > 0 (one n^2
     * pass fewer than dividing the product), else (u_i u_j)/s.
     */
    static NDArray outer(NDArray u, NDArray s) {
        double value = s.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble(0, 0);
        if (value > 0) {
            NDArray scaled = u.div(Math.sqrt(value));
            return scaled.matMul(scaled.transpose());
        }
        return u.matMul(u.transpose()).div(s);
    }

    /** (X + X^T) / 2: entries (i,j) and (j,i) become the same number. */
    static NDArray symmetric(NDArray x) {
        return x.add(x.transpose()).mul(0.5);
    }
}
