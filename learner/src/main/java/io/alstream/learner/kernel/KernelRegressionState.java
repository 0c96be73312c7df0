package io.alstream.learner.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
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
 * A^{-1} is kept on the device and updated by {@link BlockInverse} in O(|T|^2) per entry; the residual
 * weights alpha = A^{-1}(Y_T - f0(T)) are recomputed lazily (O(|T|^2 C)). Not thread-safe.
 */
public final class KernelRegressionState implements AutoCloseable {
    private final EmpiricalNtk ntk;
    private final NDManager manager;
    private final double lambda;
    private final int classes;
    private final int block;
    private final List<KernelEntry> entries = new ArrayList<>();
    private NtkFeatures features;   // of T, in entry order; null when empty
    private NDArray ainv;           // [|T|*block]^2; null when empty
    private NDArray alpha;          // scalar: [|T|, C]; full: [|T|*C, 1]; null = stale or empty

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
    /** Features of T (null when empty); owned by this state. */
    public NtkFeatures features() { return features; }
    /** A^{-1} (null when empty); owned by this state. */
    public NDArray inverse() { return ainv; }

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
            NtkFeatures fresh = featuresOf(xs);
            NDArray d = ntk.kernel(fresh, fresh);
            long m = d.getShape().get(0);
            if (lambda != 0) {
                d = d.add(manager.eye((int) m, (int) m, 0, d.getDataType()).mul(lambda));
            }
            NDArray k = features == null ? null : ntk.kernel(features, fresh);
            NDArray next = BlockInverse.append(ainv, k, d);
            NtkFeatures merged = features == null ? fresh : features.concat(fresh);
            next.attach(manager);
            Scopes.keep(next);
            merged.attachTo(manager);
            if (features != null) {
                features.close();
                ainv.close();
            }
            ainv = next;
            features = merged;
        }
        entries.addAll(added);
        invalidate();
    }

    public void append(KernelEntry e) {
        appendAll(List.of(e));
    }

    /** Replaces an entry's target (a pending request confirmed by its real label): A^{-1} is unchanged. */
    public void setTarget(int index, double[] target, boolean pending) {
        entries.set(index, entries.get(index).withTarget(target, pending));
        invalidate();
    }

    /** Removes entry index from T by the reverse block update. */
    public void remove(int index) {
        if (entries.size() == 1) {
            clear();
            return;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int from = index * block;
            NDArray next = BlockInverse.remove(ainv, from, from + block);
            NtkFeatures rest = features.without(index, index + 1);
            next.attach(manager);
            Scopes.keep(next);
            rest.attachTo(manager);
            ainv.close();
            features.close();
            ainv = next;
            features = rest;
        }
        entries.remove(index);
        invalidate();
    }

    /** Empties T (a refresh restarts the linearisation). */
    public void clear() {
        if (ainv != null) {
            ainv.close();
            features.close();
        }
        ainv = null;
        features = null;
        entries.clear();
        invalidate();
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
            f.attachTo(manager);
            NDArray a = manager.create(inverse, new Shape(n, n)).toType(ntk.network().dataType(), false);
            a.attach(manager);
            Scopes.keep(a);
            features = f;
            ainv = a;
        }
        entries.addAll(restored);
        invalidate();
    }

    /** A^{-1} row-major as doubles (empty when T is empty). */
    public double[] inverseToDoubles() {
        if (ainv == null) {
            return new double[0];
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return ainv.toType(DataType.FLOAT64, true).toDoubleArray();
        }
    }

    /** alpha = A^{-1}(Y_T - f0(T)) (owned by this state; null when T is empty). */
    public NDArray alpha() {
        if (entries.isEmpty()) {
            return null;
        }
        if (alpha == null) {
            NDArray a = Scopes.run(() -> {
                double[] y = new double[entries.size() * classes];
                for (int i = 0; i < entries.size(); i++) {
                    System.arraycopy(entries.get(i).targetUnsafe(), 0, y, i * classes, classes);
                }
                NDArray targets = manager.create(y, new Shape(entries.size(), classes))
                        .toType(ntk.network().dataType(), false);
                NDArray residual = targets.sub(features.outputs());
                return ntk.kind() == KernelKind.FULL ? ainv.matMul(residual.reshape(-1, 1)) : ainv.matMul(residual);
            });
            a.attach(manager);
            Scopes.keep(a);
            alpha = a;
        }
        return alpha;
    }

    /** K(u, T) for features u ([n, |T|] or [n*C, |T|*C]); null when T is empty. */
    public NDArray kernelToT(NtkFeatures u) {
        return entries.isEmpty() ? null : ntk.kernel(u, features);
    }

    /** The online prediction f(u) = f0(u) + K(u,T) alpha, [n, C] (a new array). */
    public NDArray predict(NtkFeatures u) {
        return Scopes.run(() -> predict(u, kernelToT(u)));
    }

    /** f(u) given K(u,T) already computed (null when T is empty); a new array. */
    public NDArray predict(NtkFeatures u, NDArray kut) {
        NDArray a = alpha(); // outside the scope: it is state, not a temporary
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

    /** (K(T,T) + lambda I)^{-1} by a full inverse: the brute-force refit the incremental path must equal. */
    public NDArray refitInverse() {
        return Scopes.run(() -> {
            NDArray k = ntk.kernel(features, features);
            long n = k.getShape().get(0);
            return k.add(manager.eye((int) n, (int) n, 0, k.getDataType()).mul(lambda)).inverse();
        });
    }

    private void invalidate() {
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
}
