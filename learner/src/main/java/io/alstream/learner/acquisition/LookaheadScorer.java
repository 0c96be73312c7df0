package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.LearnerConfig.LookaheadReference;
import io.alstream.learner.LearnerConfig.PseudoLabelSource;
import io.alstream.learner.kernel.EmpiricalNtk;
import io.alstream.learner.kernel.KernelRegressionState;
import io.alstream.learner.kernel.NtkFeatures;
import io.alstream.learner.util.Scopes;

/**
 * NTK sequential look-ahead (DESIGN 4.3; Mohamadi, Bae, Sutherland 2022). For a candidate x with
 * pseudo-label y' = onehot(argmax f0(x)) (or of the online f), the model refitted on T + {(x, y')} is, in
 * closed form,
 * <pre>  f+(u) = f(u) + Sigma(u,x) Sigma(x,x)^{-1} (y' - f(x)),   Sigma(a,b) = K(a,b) - K(a,T) A^{-1} K(T,b) </pre>
 * (the candidate's own K(x,x) carries no ridge: the block formula equals a refit with [[A, k],[k^T, k_xx]]).
 * Scores over the reference pool U, both "higher = more informative":
 * <ul>
 *   <li>{@code flip}: fraction of u whose argmax f+(u) differs from the reference argmax (linearised f or f0);
 *       1 - the authors' "pseudo-contrastive accuracy".</li>
 *   <li>{@code mlmoc}: sum_u ||f+(u) - ref(u)||_2 (the paper's Eq. 13).</li>
 * </ul>
 * Per model version and pool, P = K(U,T) A^{-1}, f(U) and the reference argmax are computed once; a chunk of
 * B candidates then costs K(B,T) A^{-1} and K(U,B) - P K(T,B): two matrix products plus O(|U| B C).
 * Degenerate cases: an empty pool scores 0; a candidate with Sigma(x,x) <= 1e-12 K(x,x) (already known to
 * the kernel) scores 0, as does any non-finite result.
 */
public final class LookaheadScorer implements AutoCloseable {
    private static final double SCHUR_FLOOR = 1e-12;

    private final KernelRegressionState state;
    private final EmpiricalNtk ntk;
    private final LookaheadReference reference;
    private final PseudoLabelSource pseudoLabels;
    private final int chunk;
    private final int classes;
    private final NtkFeatures pool;     // borrowed
    private final int poolSize;
    private final NDArray fPool;        // online f(U) [U, C]
    private final NDArray refPool;      // the reference prediction [U, C] (f(U) or f0(U))
    private final NDArray refArg;       // argmax of the reference [U]
    private final NDArray projection;   // P = K(U,T) A^{-1}, null when T is empty

    /** pool may be null or empty; it is borrowed and must stay open while this scorer is used. */
    public LookaheadScorer(KernelRegressionState state, NtkFeatures pool, LookaheadReference reference,
                           PseudoLabelSource pseudoLabels, int chunk) {
        this.state = state;
        this.ntk = state.ntk();
        this.reference = reference;
        this.pseudoLabels = pseudoLabels;
        this.chunk = chunk;
        this.classes = ntk.network().outputDim();
        this.pool = pool;
        this.poolSize = pool == null ? 0 : pool.size();
        if (poolSize == 0) {
            fPool = null;
            refPool = null;
            refArg = null;
            projection = null;
            return;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray kut = state.kernelToT(pool);
            fPool = state.predict(pool, kut);
            refPool = reference == LookaheadReference.LINEARISED ? fPool : pool.outputs();
            refArg = refPool.argMax(1);
            projection = kut == null ? null : kut.matMul(state.inverse());
            Scopes.keep(fPool, refArg, projection);
        }
    }

    public int poolSize() { return poolSize; }

    /** Online predictions on the pool, f(U) [U, C] (owned by this scorer; null for an empty pool). */
    public NDArray poolPredictions() { return fPool; }

    /**
     * Scores for candidates with features cand, kbt = K(B,T) (null when T is empty) and online predictions
     * fB = f(B). Returns {flip[B], mlmoc[B]}.
     */
    public double[][] score(NtkFeatures cand, NDArray kbt, NDArray fB) {
        return score(cand, kbt, null, fB);
    }

    /**
     * As {@link #score(NtkFeatures, NDArray, NDArray)} with K(B,T) A^{-1} already computed by the caller
     * (null: computed here), so a batch pays that product once for the posterior and the look-ahead.
     */
    public double[][] score(NtkFeatures cand, NDArray kbt, NDArray kbtInv, NDArray fB) {
        int b = cand.size();
        double[] flip = new double[b];
        double[] mlmoc = new double[b];
        if (poolSize == 0 || b == 0) {
            return new double[][] {flip, mlmoc};
        }
        for (int from = 0; from < b; from += chunk) {
            int to = Math.min(b, from + chunk);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                Chunk c = chunk(cand, kbt, kbtInv, fB, from, to, false);
                double[] f = c.flip.toType(DataType.FLOAT64, false).toDoubleArray();
                double[] m = c.mlmoc.toType(DataType.FLOAT64, false).toDoubleArray();
                for (int i = 0; i < to - from; i++) {
                    flip[from + i] = Double.isFinite(f[i]) ? f[i] : 0;
                    mlmoc[from + i] = Double.isFinite(m[i]) ? m[i] : 0;
                }
            }
        }
        return new double[][] {flip, mlmoc};
    }

    /** Everything about one candidate chunk, for tests and explanations: Schur complements and f+(U). */
    public Detail detail(NtkFeatures cand, NDArray kbt, NDArray fB) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Chunk c = chunk(cand, kbt, null, fB, 0, cand.size(), true);
            int b = cand.size();
            double[] fplus = c.fPlus.transpose(1, 0, 2).toType(DataType.FLOAT64, false).toDoubleArray();
            double[][][] preds = new double[b][poolSize][classes];
            for (int i = 0; i < b; i++) {
                for (int u = 0; u < poolSize; u++) {
                    System.arraycopy(fplus, (i * poolSize + u) * classes, preds[i][u], 0, classes);
                }
            }
            return new Detail(c.schur.toType(DataType.FLOAT64, false).toDoubleArray(),
                    c.pseudo.toType(DataType.INT64, false).toLongArray(), preds,
                    c.flip.toType(DataType.FLOAT64, false).toDoubleArray(),
                    c.mlmoc.toType(DataType.FLOAT64, false).toDoubleArray());
        }
    }

    private static final class Chunk {
        NDArray schur;   // [b] or [b, C, C]
        NDArray pseudo;  // [b] pseudo-label classes
        NDArray fPlus;   // [U, b, C] (only when asked)
        NDArray flip;    // [b]
        NDArray mlmoc;   // [b]
    }

    /** All arrays land in the caller's scope. */
    private Chunk chunk(NtkFeatures all, NDArray kbtAll, NDArray kbtInvAll, NDArray fAll, int from, int to, boolean keepFPlus) {
        boolean full = ntk.kind() == KernelKind.FULL;
        int b = to - from;
        int m = ntk.block();
        NtkFeatures cand = all.rows(from, to);
        NDArray f = fAll.get(new NDIndex("{}:{}", from, to));
        NDArray kbt = kbtAll == null ? null : kbtAll.get(new NDIndex("{}:{}", from * m, to * m));
        NDArray kxx = ntk.diagonal(cand);                           // [b] or [b, C, C]
        NDArray schur;
        if (kbt == null) {
            schur = kxx;
        } else {
            NDArray v = kbtInvAll != null                           // K(B,T) A^{-1}
                    ? kbtInvAll.get(new NDIndex("{}:{}", from * m, to * m)) : kbt.matMul(state.inverse());
            if (full) {
                long nt = kbt.getShape().get(1);
                schur = kxx.sub(kbt.reshape(b, classes, nt).batchMatMul(v.reshape(b, classes, nt).transpose(0, 2, 1)));
            } else {
                schur = kxx.sub(kbt.mul(v).sum(new int[] {1}));
            }
        }
        NDArray pseudoSource = pseudoLabels == PseudoLabelSource.NETWORK ? cand.outputs() : f;
        NDArray pseudo = pseudoSource.argMax(1);
        NDArray yPseudo = pseudo.oneHot(classes, f.getDataType());
        NDArray residual = yPseudo.sub(f);                          // y' - f(x)   [b, C]
        NDArray kub = ntk.kernel(pool, cand);                       // [U, b] or [U*C, b*C]
        NDArray sigma = projection == null ? kub : kub.sub(projection.matMul(kbt.transpose()));
        NDArray delta;                                              // f+(u) - f(u), [U, b, C]
        NDArray weightNorm = null;
        if (full) {
            NDArray w = schur.inverse().batchMatMul(residual.expandDims(2));           // [b, C, 1]
            NDArray s4 = sigma.reshape(poolSize, classes, b, classes).transpose(2, 0, 1, 3); // [b, U, C, C]
            delta = s4.matMul(w.expandDims(1)).squeeze(3).transpose(1, 0, 2);          // [U, b, C]
        } else {
            NDArray known = schur.lte(kxx.mul(SCHUR_FLOOR));
            NDArray safe = schur.add(known.toType(schur.getDataType(), false));       // avoid 0/0
            NDArray w = residual.div(safe.expandDims(1)).mul(known.logicalNot().toType(schur.getDataType(), false).expandDims(1));
            delta = sigma.expandDims(2).mul(w.expandDims(0));                          // [U, b, C]
            weightNorm = w.norm(new int[] {1});                                        // ||w_b||
        }
        NDArray fPlus = fPool.expandDims(1).add(delta);
        Chunk c = new Chunk();
        c.schur = schur;
        c.pseudo = pseudo;
        c.fPlus = keepFPlus ? fPlus : null;
        NDArray changed = fPlus.argMax(2).neq(refArg.expandDims(1));                // [U, b]
        c.flip = changed.toType(f.getDataType(), false).mean(new int[] {0});
        if (reference == LookaheadReference.LINEARISED && weightNorm != null) {
            c.mlmoc = sigma.abs().sum(new int[] {0}).mul(weightNorm);              // sum_u |Sigma(u,x)| ||w||
        } else {
            NDArray gap = reference == LookaheadReference.LINEARISED ? delta : fPlus.sub(refPool.expandDims(1));
            c.mlmoc = gap.norm(new int[] {2}).sum(new int[] {0});
        }
        return c;
    }

    /** One chunk's internals, as Java arrays. */
    public static final class Detail {
        /** Sigma(x,x) per candidate: [b] or [b*C*C] row-major. */
        public final double[] schurComplements;
        public final long[] pseudoLabels;
        /** f+(u) per candidate: [b][U][C]. */
        public final double[][][] lookaheadPredictions;
        public final double[] flip;
        public final double[] mlmoc;

        Detail(double[] schur, long[] pseudo, double[][][] preds, double[] flip, double[] mlmoc) {
            this.schurComplements = schur;
            this.pseudoLabels = pseudo;
            this.lookaheadPredictions = preds;
            this.flip = flip;
            this.mlmoc = mlmoc;
        }
    }

    @Override
    public void close() {
        if (fPool != null) {
            fPool.close();
            refArg.close();
            if (projection != null) {
                projection.close();
            }
        }
    }
}
