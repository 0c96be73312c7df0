package io.alstream.learner.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.alstream.learner.util.Scopes;
import ai.djl.ndarray.index.NDIndex;

/**
 * Block-inverse updates of A^{-1}, A = K(T,T) + lambda I (DESIGN 4.1): a new label costs O(|T|^2), never a
 * refit. With v = A^{-1} k and Schur complement S = d - k^T v,
 * <pre>
 *   [A   k]^-1   [A^-1 + v S^-1 v^T   -v S^-1]
 *   [k^T d]    = [-S^-1 v^T            S^-1  ]
 * </pre>
 * and removing rows/cols E (keeping R) is the reverse: (A_RR)^-1 = B_RR - B_RE (B_EE)^-1 B_ER with B = A^-1.
 * Blocks of m rows (m = 1, or C for the full kernel) are handled the same way. Each result is
 * re-symmetrised ((X + X^T)/2, O(n^2) like the update): without it the rounding asymmetry compounds and
 * the full C x C kernel's inverse drifted from a refit by 1e-10 within 30 updates.
 */
public final class BlockInverse {
    private BlockInverse() { }

    /**
     * Inverse of [[A, k],[k^T, d]] from ainv = A^{-1} [n, n] (n may be 0: pass null), k [n, m], d [m, m]
     * (d already carries lambda). Returns a new [n+m, n+m] array; inputs are untouched.
     */
    public static NDArray append(NDArray ainv, NDArray k, NDArray d) {
        return Scopes.run(() -> {
            if (ainv == null) {
                return d.inverse();
            }
            NDArray v = ainv.matMul(k);                       // A^-1 k            [n, m]
            NDArray s = d.sub(k.transpose().matMul(v));       // Schur complement [m, m]
            NDArray sinv = s.inverse();
            NDArray vs = v.matMul(sinv);                      // v S^-1            [n, m]
            NDArray topLeft = ainv.add(vs.matMul(v.transpose()));
            NDArray top = NDArrays.concat(new NDList(topLeft, vs.neg()), 1);
            NDArray bottom = NDArrays.concat(new NDList(vs.neg().transpose(), sinv), 1);
            NDArray joined = NDArrays.concat(new NDList(top, bottom), 0);
            return joined.add(joined.transpose()).mul(0.5); // keep it exactly symmetric: rounding drift compounds
        });
    }

    /**
     * Inverse of A with rows/cols [from, to) removed, from ainv = A^{-1}. Returns null when nothing is
     * left; otherwise a new array.
     */
    public static NDArray remove(NDArray ainv, int from, int to) {
        long n = ainv.getShape().get(0);
        if (to - from == n) {
            return null;
        }
        return Scopes.run(() -> {
            NDArray rowsKept = NtkFeatures.dropRows(ainv, from, to);               // [n-m, n]
            NDArray keptKept = NtkFeatures.dropRows(rowsKept.transpose(), from, to).transpose(); // B_RR
            NDArray keptGone = rowsKept.get(new NDIndex(":, {}:{}", from, to));    // B_RE
            NDArray goneGone = ainv.get(new NDIndex("{}:{}, {}:{}", from, to, from, to)); // B_EE
            NDArray reduced = keptKept.sub(keptGone.matMul(goneGone.inverse()).matMul(keptGone.transpose()));
            return reduced.add(reduced.transpose()).mul(0.5);
        });
    }
}
