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
 * A^{-1}, the NTK features of T and the residuals Y_T - f0(T) live on the device in capacity buffers that
 * are updated in place (DJL views), so a new label costs the O(|T|^2) arithmetic of the block-inverse update
 * ({@link BlockInverse}) and no copy of the whole state: the earlier version rebuilt A^{-1} by concatenation
 * and re-symmetrised it on every update, ~10 full |T|^2 passes and as many native allocations per label.
 * A^{-1} stays exactly symmetric by construction (see {@link BlockInverse}). Capacities are powers of two
 * that only grow until {@link #clear()}. The residual weights alpha = A^{-1}(Y_T - f0(T)) are recomputed
 * lazily (O(|T|^2 C)) when a batch prediction needs them; single points use {@link #predictOne}.
 * Not thread-safe.
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
    private NDArray ainvStore;        // [capacity*block]^2; the leading [|T|*block]^2 block is A^{-1}
    private NDArray residualStore;    // [capacity, C]: Y_T - f0(T)
    private NtkFeatures featuresView; // views of the first |T| rows; null = not built or empty
    private NDArray ainvView;
    private NDArray residualView;
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

    /** A^{-1} (null when empty); a view owned by this state, valid until the next change. */
    public NDArray inverse() {
        buildViews();
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
        NDArray d = ntk.kernel(fresh, fresh);
        int rows = m * block;
        if (lambda != 0) {
            d = d.add(manager.eye(rows, rows, 0, d.getDataType()).mul(lambda));
        }
        NDArray k = n == 0 ? null : ntk.kernel(features(), fresh);
        NDArray targets = targets(added, fresh.outputs().getDataType());
        ensureCapacity(n + m);
        BlockInverse.appendInPlace(ainvStore, n * block, k, d);
        for (int l = 0; l < fresh.layers(); l++) {
            store.input(l).set(rowRange(n, n + m), fresh.input(l));
            store.signal(l).set(rowRange(n, n + m), fresh.signal(l));
        }
        store.outputs().set(rowRange(n, n + m), fresh.outputs());
        residualStore.set(rowRange(n, n + m), targets.sub(fresh.outputs()));
        entries.addAll(added);
        changed();
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
            residualStore.set(row, y.sub(store.outputs().get(row)));
        }
        invalidateAlpha();
    }

    /** Removes entry index from T by the reverse block update. */
    public void remove(int index) {
        if (entries.size() == 1) {
            clear();
            return;
        }
        int n = entries.size();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            BlockInverse.removeInPlace(ainvStore, n * block, index * block, (index + 1) * block);
            if (index < n - 1) { // close the gap: later rows move up by one
                for (NDArray a : storeArrays()) {
                    a.set(rowRange(index, n - 1), a.get(rowRange(index + 1, n)).duplicate());
                }
            }
        }
        entries.remove(index);
        changed();
    }

    /** Empties T (a refresh restarts the linearisation) and frees the buffers. */
    public void clear() {
        closeViews();
        if (store != null) {
            store.close();
            ainvStore.close();
            residualStore.close();
        }
        store = null;
        ainvStore = null;
        residualStore = null;
        capacity = 0;
        entries.clear();
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
            residualStore.set(rowRange(0, r), targets.sub(f.outputs()));
            NDArray a = manager.create(inverse, new Shape(n, n)).toType(ntk.network().dataType(), false);
            ainvStore.set(new NDIndex(":{}, :{}", n, n), a);
        }
        entries.addAll(restored);
        changed();
    }

    /** A^{-1} row-major as doubles (empty when T is empty). */
    public double[] inverseToDoubles() {
        if (entries.isEmpty()) {
            return new double[0];
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return inverse().toType(DataType.FLOAT64, true).toDoubleArray();
        }
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
            NDArray f;
            if (entries.isEmpty()) {
                f = x.outputs();
            } else {
                NDArray kxt = kernelToT(x);                                  // [1, |T|] or [C, |T|*C]
                NDArray v = kxt.matMul(inverse());                           // K(x,T) A^{-1}
                NDArray corr = ntk.kind() == KernelKind.FULL
                        ? v.matMul(residualView.reshape(-1, 1)).reshape(1, classes)
                        : v.matMul(residualView);
                f = x.outputs().add(corr);
            }
            return f.toType(DataType.FLOAT64, false).toDoubleArray();
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
                int nb = n * block;
                fresh.ainv.set(new NDIndex(":{}, :{}", nb, nb), ainvStore.get(new NDIndex(":{}, :{}", nb, nb)));
            }
            fresh.keep(manager);
            closeViews();
            if (store != null) {
                store.close();
                ainvStore.close();
                residualStore.close();
            }
            store = fresh.features;
            ainvStore = fresh.ainv;
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
        int nb = n * block;
        List<NDArray> in = new ArrayList<>();
        List<NDArray> sig = new ArrayList<>();
        List<NDArray> views = new ArrayList<>();
        for (int l = 0; l < store.layers(); l++) {
            in.add(store.input(l).get(rowRange(0, n)));
            sig.add(store.signal(l).get(rowRange(0, n)));
        }
        NDArray out = store.outputs().get(rowRange(0, n));
        featuresView = new NtkFeatures(ntk.kind(), in, sig, out);
        ainvView = ainvStore.get(new NDIndex(":{}, :{}", nb, nb));
        residualView = residualStore.get(rowRange(0, n));
        views.addAll(featuresView.arrays());
        views.add(ainvView);
        views.add(residualView);
        for (NDArray v : views) {
            v.attach(manager);
            Scopes.keep(v);
        }
    }

    private void closeViews() {
        if (featuresView != null) {
            featuresView.close();
            ainvView.close();
            residualView.close();
        }
        featuresView = null;
        ainvView = null;
        residualView = null;
    }

    /** After T changed: fresh views, built at once so the number of live native arrays depends on T alone. */
    private void changed() {
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
        final NDArray ainv;
        final NDArray residual;

        private DeviceBuffers(NtkFeatures features, NDArray ainv, NDArray residual) {
            this.features = features;
            this.ainv = ainv;
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
            long rows = (long) cap * ntk.block();
            return new DeviceBuffers(f, manager.zeros(new Shape(rows, rows), type), manager.zeros(new Shape(cap, c), type));
        }

        /** Row-indexed arrays, in the order {@code storeArrays()} lists the current ones. */
        List<NDArray> rowArrays() {
            List<NDArray> all = new ArrayList<>(features.arrays());
            all.add(residual);
            return all;
        }

        void keep(NDManager manager) {
            features.attachTo(manager);
            ainv.attach(manager);
            residual.attach(manager);
            Scopes.keep(ainv, residual);
        }
    }
}
