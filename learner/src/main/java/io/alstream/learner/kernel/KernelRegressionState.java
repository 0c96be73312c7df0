package io.alstream.learner.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.util.Scopes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Kernel regression on the labels (and pending pseudo-labels) since the last refresh, around the network
 * linearised at its trained weights (DESIGN 4.1):
 * <pre>  f(u) = f0(u) + K(u,T) A^{-1} (Y_T - f0(T)),   A = K(T,T) + lambda I </pre>
 * The NTK features of T and the residuals Y_T - f0(T) live on the device in capacity buffers updated in place
 * (DJL views). A^{-1} lives on the Java heap in float64 ({@link SymmetricInverse}: upper triangle, rank-one
 * updates applied in the same pass as the next product), so a label costs one read and one write of half the
 * matrix: a fold computes u = A^{-1} K(T,x) once for its prediction and reuses it for its update. Batch maths
 * that needs A^{-1} on the device ({@link #inverse()}, alpha) gets a copy made when first asked for after a
 * change. Capacities are powers of two that only grow until {@link #clear()}. Not thread-safe.
 */
public final class KernelRegressionState implements AutoCloseable {
    private static final int MIN_CAPACITY = 16;

    private final EmpiricalNtk ntk;
    private final NDManager manager;
    private final double lambda;
    private final int classes;
    private final int block;
    private final List<KernelEntry> entries = new ArrayList<>();
    private int capacity;             // entries the buffers hold; 0 = no buffers
    private NtkFeatures store;        // [capacity, ...] per array
    private final SymmetricInverse inv = new SymmetricInverse(); // A^{-1}, [|T|*block]^2
    private NDArray residualStore;    // [capacity, C]: Y_T - f0(T)
    private double[] residualHost = new double[0]; // the same, row-major on the heap, for single-point predictions
    private NtkFeatures featuresView; // views of the first |T| rows; null = not built or empty
    private NDArray ainvView;         // device copy of A^{-1}, made on demand; null = none
    private NDArray residualView;
    /** The last single-point product: its features, K(T,x) and u = A^{-1} K(T,x), valid while {@link #changes} is unchanged. */
    private NtkFeatures lastPoint;
    private double[] lastK;
    private double[] lastU;
    private long lastAt = -1;
    private long changes;
    private NDArray alpha;            // scalar: [|T|, C]; full: [|T|*C, 1]; null = stale or empty

    public KernelRegressionState(NDManager parent, EmpiricalNtk ntk, double lambda) {
        this.ntk = ntk;
        this.manager = parent.newSubManager();
        this.lambda = lambda;
        this.classes = ntk.network().outputDim();
        this.block = ntk.block();
    }

    public EmpiricalNtk ntk() { return ntk; }
    public double lambda() { return lambda; }
    public int size() { return entries.size(); }
    public List<KernelEntry> entries() { return Collections.unmodifiableList(entries); }

    /** Features of T (null when empty); views owned by this state, valid until the next change. */
    public NtkFeatures features() {
        buildViews();
        return featuresView;
    }

    /** A^{-1} on the device (null when empty), owned by this state, valid until the next change. */
    public NDArray inverse() {
        if (entries.isEmpty()) {
            return null;
        }
        if (ainvView == null) {
            int nb = entries.size() * block;
            NDArray a = Scopes.run(() -> manager.create(inv.toFull(), new Shape(nb, nb)).toType(ntk.network().dataType(), false));
            a.attach(manager);
            Scopes.keep(a);
            ainvView = a;
        }
        return ainvView;
    }

    public int indexOf(String id) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** Features of host rows (registered in the caller's scope, if any). */
    public NtkFeatures featuresOf(double[][] xs) {
        return Scopes.run(() -> ntk.features(ntk.network().toDevice(xs)), NtkFeatures::arrays);
    }

    /** Adds entries at the end of T with one block update (O(|T|^2 m + m^3) for m new rows). */
    public void appendAll(List<KernelEntry> added) {
        if (added.isEmpty()) {
            return;
        }
        double[][] xs = new double[added.size()][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = added.get(i).xUnsafe();
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            appendAll(added, featuresOf(xs));
        }
    }

    public void append(KernelEntry e) {
        appendAll(List.of(e));
    }

    /** As {@link #append(KernelEntry)} with the entry's features already computed (they stay the caller's). */
    public void append(KernelEntry e, NtkFeatures fresh) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            appendAll(List.of(e), fresh);
        }
    }

    private void appendAll(List<KernelEntry> added, NtkFeatures fresh) {
        int n = entries.size();
        int m = added.size();
        int nb = n * block;
        int mb = m * block;
        double[] d = host(ntk.kernel(fresh, fresh));                        // [mb, mb]
        boolean reuse = m == 1 && block == 1 && fresh == lastPoint && lastAt == changes && n > 0;
        double[] k = n == 0 || reuse ? null : host(ntk.kernel(features(), fresh)); // [nb, mb]
        NDArray targets = targets(added, fresh.outputs().getDataType());
        boolean hostBlock = mb > 1 && mb < BLOCK_APPEND_ROWS && n > 0;
        if (mb >= BLOCK_APPEND_ROWS) {
            appendBlock(nb, mb, k, d);
        } else if (hostBlock) {
            // a few rows (a scorer's delta after a batch fold): the trainer's block update, one pass over A^{-1}
            // for V = A^{-1} K(T,B) and one for the correction, where a row at a time reads it once per row
            double[] dl = d.clone();
            for (int r = 0; r < mb; r++) {
                dl[r * mb + r] += lambda;
            }
            inv.appendBlock(k, dl, inv.multiplyMany(k, mb), mb);
        }
        // one row of A at a time (block-inverse update of each); a fold reuses the product of its prediction
        for (int r = 0; r < (mb >= BLOCK_APPEND_ROWS || hostBlock ? 0 : mb); r++) {
            double[] kr = new double[nb + r];
            if (reuse) {
                System.arraycopy(lastK, 0, kr, 0, nb);
            } else {
                for (int i = 0; i < nb; i++) {
                    kr[i] = k[i * mb + r];
                }
            }
            for (int q = 0; q < r; q++) {
                kr[nb + q] = d[q * mb + r];
            }
            double dr = d[r * mb + r] + lambda;
            if (reuse) {
                inv.append(kr, dr, lastU);
            } else {
                inv.append(kr, dr);
            }
        }
        storeRows(added, fresh, targets);
    }

    /** Writes new entries' features and residuals after T's rows (A^{-1} already holds them). */
    private void storeRows(List<KernelEntry> added, NtkFeatures fresh, NDArray targets) {
        int n = entries.size();
        int m = added.size();
        ensureCapacity(n + m);
        for (int l = 0; l < fresh.layers(); l++) {
            store.input(l).set(rowRange(n, n + m), fresh.input(l));
            store.signal(l).set(rowRange(n, n + m), fresh.signal(l));
        }
        store.outputs().set(rowRange(n, n + m), fresh.outputs());
        NDArray res = targets.sub(fresh.outputs());
        residualStore.set(rowRange(n, n + m), res);
        growResidualHost(n + m);
        System.arraycopy(host(res), 0, residualHost, n * classes, m * classes);
        entries.addAll(added);
        changed();
    }

    /**
     * What a batch of new rows B needs of T, in one pass over A^{-1}: K(T,B) and V = A^{-1} K(T,B), both
     * [|T|*block x |B|*block] row-major. Valid until T changes ({@link #setTarget} does not change it).
     */
    public BatchProducts products(NtkFeatures fresh) {
        int mb = fresh.size() * block;
        if (entries.isEmpty()) {
            return new BatchProducts(new double[0], new double[0], mb, changes);
        }
        double[] k;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            k = host(ntk.kernel(features(), fresh));
        }
        return new BatchProducts(k, inv.multiplyMany(k, mb), mb, changes);
    }

    /** K(T,B), V = A^{-1} K(T,B) ([|T|*block x columns] row-major) and the state they were computed on. */
    public record BatchProducts(double[] k, double[] v, int columns, long at) {
        /** The products of the first {@code m} new rows only (columns [0, m) of K(T,B) and V). */
        public BatchProducts firstColumns(int m) {
            if (m < 0 || m > columns) {
                throw new IllegalArgumentException(m + " of " + columns + " columns");
            }
            if (m == columns) {
                return this;
            }
            int rows = columns == 0 ? 0 : k.length / columns;
            double[] k2 = new double[rows * m];
            double[] v2 = new double[rows * m];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(k, i * columns, k2, i * m, m);
                System.arraycopy(v, i * columns, v2, i * m, m);
            }
            return new BatchProducts(k2, v2, m, at);
        }
    }

    /**
     * The online predictions f(x) = f0(x) + K(x,T) A^{-1} (Y_T - f0(T)) of a batch's rows, [|B|][C], from their
     * features and {@link #products}: V^T (Y_T - f0(T)), no further pass over A^{-1}.
     */
    public double[][] predictBatch(NtkFeatures fresh, BatchProducts p) {
        requireCurrent(p);
        int m = fresh.size();
        double[] f0 = host(fresh.outputs());
        double[][] out = new double[m][classes];
        int nb = entries.size() * block;
        for (int b = 0; b < m; b++) {
            for (int c = 0; c < classes; c++) {
                double f = f0[b * classes + c];
                if (block == 1) {
                    for (int i = 0; i < nb; i++) {
                        f += p.v()[i * p.columns() + b] * residualHost[i * classes + c];
                    }
                } else {
                    int col = b * classes + c; // the full kernel's row of (x_b, class c)
                    for (int i = 0; i < nb; i++) {
                        f += p.v()[i * p.columns() + col] * residualHost[i]; // vec(Y_T - f0(T)), as predictOne orders it
                    }
                }
                out[b][c] = f;
            }
        }
        return out;
    }

    /**
     * The online prediction at an entry of T, [C], without its features: K(x_i,T) is row i of A - lambda I, so
     * f(x_i) = f0(x_i) + (Y_T - f0(T))_i - lambda (A^{-1}(Y_T - f0(T)))_i = y_i - lambda alpha_i. O(|T| C).
     */
    public double[] predictEntry(int index) {
        double[] y = entries.get(index).targetUnsafe();
        double[] f = new double[classes];
        int nb = entries.size() * block;
        if (block == 1) {
            double[] row = inv.row(index);
            for (int c = 0; c < classes; c++) {
                double alpha = 0;
                for (int j = 0; j < nb; j++) {
                    alpha += row[j] * residualHost[j * classes + c];
                }
                f[c] = y[c] - lambda * alpha;
            }
        } else {
            for (int c = 0; c < classes; c++) {
                double[] row = inv.row(index * block + c);
                double alpha = 0;
                for (int j = 0; j < nb; j++) {
                    alpha += row[j] * residualHost[j];
                }
                f[c] = y[c] - lambda * alpha;
            }
        }
        return f;
    }

    /**
     * Appends new entries whose features and {@link #products} are at hand: one rank-|B| block update of A^{-1}
     * (the product pass is the one the products made), instead of |B| rank-one updates of a pass each.
     */
    public void appendAll(List<KernelEntry> added, NtkFeatures fresh, BatchProducts p) {
        requireCurrent(p);
        if (added.size() != fresh.size()) {
            throw new IllegalArgumentException(added.size() + " entries for features of " + fresh.size() + " rows");
        }
        if (added.isEmpty()) {
            return;
        }
        int mb = added.size() * block;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double[] d = host(ntk.kernel(fresh, fresh));
            for (int r = 0; r < mb; r++) {
                d[r * mb + r] += lambda;
            }
            inv.appendBlock(p.k(), d, p.v(), mb);
            storeRows(added, fresh, targets(added, fresh.outputs().getDataType()));
        }
    }

    private void requireCurrent(BatchProducts p) {
        if (p.at() != changes) {
            throw new IllegalStateException("T changed since these batch products were computed");
        }
    }

    /**
     * Many rows at once (a backlog, a benchmark's state): one block update by matrix products on the device,
     * O(|T|^2 m) at matmul speed, instead of m row passes; the result replaces the heap inverse.
     */
    private void appendBlock(int nb, int mb, double[] k, double[] d) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray buffer = manager.zeros(new Shape(nb + mb, nb + mb), DataType.FLOAT64);
            if (nb > 0) {
                buffer.set(new NDIndex(":{}, :{}", nb, nb), manager.create(inv.toFull(), new Shape(nb, nb)));
            }
            NDArray dd = manager.create(d, new Shape(mb, mb)).add(manager.eye(mb, mb, 0, DataType.FLOAT64).mul(lambda));
            BlockInverse.appendInPlace(buffer, nb, nb == 0 ? null : manager.create(k, new Shape(nb, mb)), dd);
            inv.setFull(buffer.toDoubleArray(), nb + mb);
        }
    }

    /** From this many new rows on, appendAll updates A^{-1} as one block on the device. */
    private static final int BLOCK_APPEND_ROWS = 64;

    private static double[] host(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    private void growResidualHost(int rows) {
        if (residualHost.length < rows * classes) {
            residualHost = java.util.Arrays.copyOf(residualHost, Math.max(rows, 2 * residualHost.length / Math.max(1, classes)) * classes);
        }
    }

    private NDArray targets(List<KernelEntry> added, DataType type) {
        double[] y = new double[added.size() * classes];
        for (int i = 0; i < added.size(); i++) {
            System.arraycopy(added.get(i).targetUnsafe(), 0, y, i * classes, classes);
        }
        return manager.create(y, new Shape(added.size(), classes)).toType(type, false);
    }

    /** Replaces an entry's target (a pending request confirmed by its real label): A^{-1} is unchanged. */
    public void setTarget(int index, double[] target, boolean pending) {
        entries.set(index, entries.get(index).withTarget(target, pending));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDIndex row = rowRange(index, index + 1);
            NDArray y = manager.create(target, new Shape(1, classes)).toType(residualStore.getDataType(), false);
            NDArray r = y.sub(store.outputs().get(row));
            residualStore.set(row, r);
            System.arraycopy(host(r), 0, residualHost, index * classes, classes);
        }
        invalidateAlpha();
    }

    /** Removes entry index from T by the reverse block update. */
    public void remove(int index) {
        if (entries.size() == 1) {
            clear();
            return;
        }
        for (int r = block - 1; r >= 0; r--) {
            inv.remove(index * block + r);
        }
        removeRow(index);
        changed();
    }

    /** Removes entry index's rows from the buffers (later rows move up by one); A^{-1} and the views untouched. */
    private void removeRow(int index) {
        int n = entries.size();
        System.arraycopy(residualHost, (index + 1) * classes, residualHost, index * classes, (n - index - 1) * classes);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            if (index < n - 1) { // close the gap: later rows move up by one
                for (NDArray a : storeArrays()) {
                    a.set(rowRange(index, n - 1), a.get(rowRange(index + 1, n)).duplicate());
                }
            }
        }
        entries.remove(index);
    }

    /** Empties T (a refresh restarts the linearisation) and frees the buffers. */
    public void clear() {
        closeViews();
        if (store != null) {
            store.close();
            residualStore.close();
        }
        store = null;
        residualStore = null;
        capacity = 0;
        inv.clear();
        entries.clear();
        changes++;
        invalidateAlpha();
    }

    /** Installs T with a known A^{-1} (restore from a checkpoint or snapshot), [n*m]^2 row-major. */
    public void restore(List<KernelEntry> restored, double[] inverse) {
        clear();
        if (restored.isEmpty()) {
            return;
        }
        long n = (long) restored.size() * block;
        if (inverse.length != n * n) {
            throw new IllegalArgumentException("A^-1 has " + inverse.length + " values, expected " + n * n);
        }
        double[][] xs = new double[restored.size()][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = restored.get(i).xUnsafe();
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NtkFeatures f = featuresOf(xs);
            NDArray targets = targets(restored, f.outputs().getDataType());
            ensureCapacity(restored.size());
            int r = restored.size();
            for (int l = 0; l < f.layers(); l++) {
                store.input(l).set(rowRange(0, r), f.input(l));
                store.signal(l).set(rowRange(0, r), f.signal(l));
            }
            store.outputs().set(rowRange(0, r), f.outputs());
            NDArray res = targets.sub(f.outputs());
            residualStore.set(rowRange(0, r), res);
            growResidualHost(r);
            System.arraycopy(host(res), 0, residualHost, 0, r * classes);
            inv.setFull(inverse, (int) n);
        }
        entries.addAll(restored);
        changed();
        // a scorer restores to score: its device copy comes from the full matrix at hand, not from another pass
        NDArray a = Scopes.run(() -> manager.create(inverse, new Shape(n, n)).toType(ntk.network().dataType(), false));
        a.attach(manager);
        Scopes.keep(a);
        ainvView = a;
    }

    /**
     * Brings T and A^{-1} to a full snapshot's of the same linearisation (the same network, so the NTK features of an
     * entry held are the snapshot's too), keeping the features of the entries held: the held entries that are not
     * in {@code target} leave the buffers, the kept ones take target's targets and pending flags, target's entries
     * after the kept ones are appended with their features computed here, and A^{-1} is installed from the snapshot's
     * upper triangle ({@code [|T|*block]} rows of the triangle, one after another). No update of A^{-1} is computed:
     * it is replaced, which also resets the rounding drift the incremental updates gathered. The result is
     * {@link #restore} of the same snapshot, without computing every entry's features again.
     * Returns false, changing nothing, when T or target is empty, or target does not start with held entries in their
     * order (what {@code ModelDelta.between} keeps: the rest of target is appended); then restore instead.
     */
    public boolean reanchor(List<KernelEntry> target, double[] inverseUpper) {
        if (entries.isEmpty() || target.isEmpty()) {
            return false;
        }
        long nb = (long) target.size() * block;
        if (inverseUpper.length != nb * (nb + 1) / 2) {
            throw new IllegalArgumentException("A^-1's triangle has " + inverseUpper.length + " values, expected " + nb * (nb + 1) / 2);
        }
        java.util.Map<String, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            position.put(entries.get(i).id(), i);
        }
        boolean[] kept = new boolean[entries.size()];
        int last = -1;
        int split = 0;
        for (; split < target.size(); split++) {
            KernelEntry want = target.get(split);
            Integer at = position.get(want.id());
            if (at == null || at <= last || !java.util.Arrays.equals(entries.get(at).xUnsafe(), want.xUnsafe())) {
                break;
            }
            kept[at] = true;
            last = at;
        }
        if (split == 0) {
            return false;
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (!kept[i]) {
                removeRow(i);
            }
        }
        for (int i = 0; i < split; i++) {
            KernelEntry held = entries.get(i);
            KernelEntry want = target.get(i);
            if (held.pending() != want.pending() || !java.util.Arrays.equals(held.targetUnsafe(), want.targetUnsafe())) {
                setTarget(i, want.target(), want.pending());
            }
        }
        List<KernelEntry> added = target.subList(split, target.size());
        if (!added.isEmpty()) {
            double[][] xs = new double[added.size()][];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = added.get(i).xUnsafe();
            }
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NtkFeatures fresh = featuresOf(xs);
                storeRows(new ArrayList<>(added), fresh, targets(added, fresh.outputs().getDataType()));
            }
        }
        inv.setUpper(inverseUpper, (int) nb);
        changed();
        return true;
    }

    /**
     * Writes A^{-1} as {@link io.alstream.learner.util.StateCodec#writeDoubles} writes {@link #inverseToDoubles()}
     * (the same bytes), one row at a time: no n x n copy on the heap.
     */
    public void writeInverse(java.io.DataOutputStream out) throws java.io.IOException {
        int n = entries.isEmpty() ? 0 : inv.size();
        out.writeInt(n * n);
        if (n == 0) {
            return;
        }
        double[] row = new double[n];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n * Double.BYTES);
        for (int i = 0; i < n; i++) {
            inv.row(i, row);
            b.clear();
            b.asDoubleBuffer().put(row, 0, n);
            out.write(b.array(), 0, n * Double.BYTES);
        }
    }

    /** A^{-1} row-major as doubles (empty when T is empty). */
    public double[] inverseToDoubles() {
        if (entries.isEmpty()) {
            return new double[0];
        }
        return inv.toFull();
    }

    /** alpha = A^{-1}(Y_T - f0(T)) (owned by this state; null when T is empty). */
    public NDArray alpha() {
        if (entries.isEmpty()) {
            return null;
        }
        if (alpha == null) {
            NDArray inv = inverse();
            NDArray r = residualView;
            NDArray a = Scopes.run(() -> ntk.kind() == KernelKind.FULL ? inv.matMul(r.reshape(-1, 1)) : inv.matMul(r));
            a.attach(manager);
            Scopes.keep(a);
            alpha = a;
        }
        return alpha;
    }

    /** K(u, T) for features u ([n, |T|] or [n*C, |T|*C]); null when T is empty. */
    public NDArray kernelToT(NtkFeatures u) {
        return entries.isEmpty() ? null : ntk.kernel(u, features());
    }

    /** The online prediction f(u) = f0(u) + K(u,T) alpha, [n, C] (a new array). */
    public NDArray predict(NtkFeatures u) {
        return Scopes.run(() -> predict(u, kernelToT(u)));
    }

    /** f(u) given K(u,T) already computed (null when T is empty); a new array. */
    public NDArray predict(NtkFeatures u, NDArray kut) {
        NDArray a = kut == null ? null : alpha(); // outside the scope: it is state, not a temporary
        return Scopes.run(() -> {
            if (kut == null) {
                return u.outputs().duplicate();
            }
            NDArray corr = kut.matMul(a);
            if (ntk.kind() == KernelKind.FULL) {
                corr = corr.reshape(u.size(), classes);
            }
            return u.outputs().add(corr);
        });
    }

    /**
     * f(x) for one point, [C] as doubles, as (K(x,T) A^{-1}) (Y_T - f0(T)): an O(|T|^2) product instead of
     * refreshing alpha (O(|T|^2 C)), because the trainer predicts every label just before folding it, right
     * after the previous fold made alpha stale. Always this path (never alpha), so the result depends on the
     * state only, not on what was computed before (a restored model continues bit-identically).
     */
    public double[] predictOne(NtkFeatures x) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double[] f = host(x.outputs());
            if (entries.isEmpty()) {
                return f;
            }
            int n = entries.size();
            double[] kxt = host(kernelToT(x));                           // [1, |T|] or [C, |T|*C]
            if (ntk.kind() != KernelKind.FULL) {
                double[] u = inv.multiply(kxt);                          // A^{-1} K(T,x): K(x,T) A^{-1} by symmetry
                for (int i = 0; i < n; i++) {
                    double ui = u[i];
                    for (int c = 0; c < classes; c++) {
                        f[c] += ui * residualHost[i * classes + c];
                    }
                }
                lastPoint = x;
                lastK = kxt;
                lastU = u;
                lastAt = changes;
            } else {
                int nb = n * classes;
                for (int c = 0; c < classes; c++) {
                    double[] u = inv.multiply(java.util.Arrays.copyOfRange(kxt, c * nb, (c + 1) * nb));
                    double sum = 0;
                    for (int i = 0; i < nb; i++) {
                        sum += u[i] * residualHost[i]; // vec(Y_T - f0(T)), row-major as the full kernel orders it
                    }
                    f[c] += sum;
                }
            }
            return f;
        }
    }

    /** (K(T,T) + lambda I)^{-1} by a full inverse: the brute-force refit the incremental path must equal. */
    public NDArray refitInverse() {
        NtkFeatures t = features();
        return Scopes.run(() -> {
            NDArray k = ntk.kernel(t, t);
            long n = k.getShape().get(0);
            return k.add(manager.eye((int) n, (int) n, 0, k.getDataType()).mul(lambda)).inverse();
        });
    }

    /** Grows the buffers (to the next power of two) so they hold rows entries; copies what is there. */
    private void ensureCapacity(int rows) {
        if (rows <= capacity) {
            return;
        }
        int cap = Math.max(MIN_CAPACITY, Integer.highestOneBit(rows - 1) << 1);
        int n = entries.size();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            DeviceBuffers fresh = DeviceBuffers.allocate(manager, ntk, cap);
            if (n > 0) {
                List<NDArray> from = storeArrays();
                List<NDArray> to = fresh.rowArrays();
                for (int i = 0; i < from.size(); i++) {
                    to.get(i).set(rowRange(0, n), from.get(i).get(rowRange(0, n)));
                }
            }
            fresh.keep(manager);
            closeViews();
            if (store != null) {
                store.close();
                residualStore.close();
            }
            store = fresh.features;
            residualStore = fresh.residual;
            capacity = cap;
        }
    }

    private List<NDArray> storeArrays() {
        List<NDArray> all = new ArrayList<>(store.arrays());
        all.add(residualStore);
        return all;
    }

    private static NDIndex rowRange(int from, int to) {
        return new NDIndex("{}:{}", from, to);
    }

    /** (Re)builds the views of the first |T| rows after a change. */
    private void buildViews() {
        if (featuresView != null || entries.isEmpty()) {
            return;
        }
        int n = entries.size();
        List<NDArray> in = new ArrayList<>();
        List<NDArray> sig = new ArrayList<>();
        List<NDArray> views = new ArrayList<>();
        for (int l = 0; l < store.layers(); l++) {
            in.add(store.input(l).get(rowRange(0, n)));
            sig.add(store.signal(l).get(rowRange(0, n)));
        }
        NDArray out = store.outputs().get(rowRange(0, n));
        featuresView = new NtkFeatures(ntk.kind(), in, sig, out);
        residualView = residualStore.get(rowRange(0, n));
        views.addAll(featuresView.arrays());
        views.add(residualView);
        for (NDArray v : views) {
            v.attach(manager);
            Scopes.keep(v);
        }
    }

    private void closeViews() {
        if (featuresView != null) {
            featuresView.close();
            residualView.close();
        }
        if (ainvView != null) {
            ainvView.close();
        }
        featuresView = null;
        ainvView = null;
        residualView = null;
    }

    /** After T changed: fresh views, built at once so the number of live native arrays depends on T alone. */
    private void changed() {
        changes++;
        closeViews();
        invalidateAlpha();
        buildViews();
    }

    private void invalidateAlpha() {
        if (alpha != null) {
            alpha.close();
            alpha = null;
        }
    }

    @Override
    public void close() {
        clear();
        manager.close();
    }

    /** Freshly allocated capacity buffers for T (zeros). */
    private static final class DeviceBuffers {
        final NtkFeatures features;
        final NDArray residual;

        private DeviceBuffers(NtkFeatures features, NDArray residual) {
            this.features = features;
            this.residual = residual;
        }

        static DeviceBuffers allocate(NDManager manager, EmpiricalNtk ntk, int cap) {
            DataType type = ntk.network().dataType();
            int[] widths = ntk.network().weights().widths();
            int c = ntk.network().outputDim();
            boolean full = ntk.kind() == KernelKind.FULL;
            List<NDArray> in = new ArrayList<>();
            List<NDArray> sig = new ArrayList<>();
            for (int l = 0; l < widths.length - 1; l++) {
                in.add(manager.zeros(new Shape(cap, widths[l]), type));
                sig.add(manager.zeros(full ? new Shape(cap, c, widths[l + 1]) : new Shape(cap, widths[l + 1]), type));
            }
            NtkFeatures f = new NtkFeatures(ntk.kind(), in, sig, manager.zeros(new Shape(cap, c), type));
            return new DeviceBuffers(f, manager.zeros(new Shape(cap, c), type));
        }

        /** Row-indexed arrays, in the order {@code storeArrays()} lists the current ones. */
        List<NDArray> rowArrays() {
            List<NDArray> all = new ArrayList<>(features.arrays());
            all.add(residual);
            return all;
        }

        void keep(NDManager manager) {
            features.attachTo(manager);
            residual.attach(manager);
            Scopes.keep(residual);
        }
    }
}
