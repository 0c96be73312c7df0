package io.alstream.learner.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import io.alstream.learner.LearnerConfig.KernelKind;

import java.util.ArrayList;
import java.util.List;

/**
 * What the empirical NTK needs of a set of n points, cached once (DESIGN 4.2): for each layer l its
 * input activation a_{l-1} [n, width_in] and the back-propagated signal delta_l = dg/dz_l
 * ([n, width_out] for the scalar kernels; [n, C, width_out] for the full kernel, one signal per output),
 * plus the network outputs f0 [n, C]. The P-dimensional Jacobian is never formed:
 * grad_{W_l} g = delta_l a_{l-1}^T, so <grad g(x), grad g(x')> = sum_l (a.a' + 1)(delta.delta').
 * Owns its arrays.
 */
public final class NtkFeatures implements AutoCloseable {
    private final KernelKind kind;
    private final List<NDArray> inputs;
    private final List<NDArray> signals;
    private final NDArray outputs;
    private final int count;

    NtkFeatures(KernelKind kind, List<NDArray> inputs, List<NDArray> signals, NDArray outputs) {
        this.kind = kind;
        this.inputs = inputs;
        this.signals = signals;
        this.outputs = outputs;
        this.count = (int) outputs.getShape().get(0);
    }

    public KernelKind kind() { return kind; }
    public int size() { return count; }
    public int layers() { return inputs.size(); }
    /** a_{l-1} for layer l (0-based). */
    public NDArray input(int layer) { return inputs.get(layer); }
    /** delta_l for layer l (0-based). */
    public NDArray signal(int layer) { return signals.get(layer); }
    /** f0 of the points, [n, C]. */
    public NDArray outputs() { return outputs; }

    /** Every array this object owns. */
    public List<NDArray> arrays() {
        List<NDArray> all = new ArrayList<>(inputs);
        all.addAll(signals);
        all.add(outputs);
        return all;
    }

    /** Moves every array to manager (so it lives as long as that manager) and out of the current scope. */
    public void attachTo(ai.djl.ndarray.NDManager manager) {
        for (NDArray a : arrays()) {
            a.attach(manager);
            ai.djl.ndarray.NDScope.unregister(a);
        }
    }

    /** The features of this set followed by other's (new arrays; both inputs stay open). */
    public NtkFeatures concat(NtkFeatures other) {
        List<NDArray> in = new ArrayList<>();
        List<NDArray> sig = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            in.add(inputs.get(l).concat(other.inputs.get(l), 0));
            sig.add(signals.get(l).concat(other.signals.get(l), 0));
        }
        return new NtkFeatures(kind, in, sig, outputs.concat(other.outputs, 0));
    }

    /** The features without rows [from, to) (new arrays). */
    public NtkFeatures without(int from, int to) {
        List<NDArray> in = new ArrayList<>();
        List<NDArray> sig = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            in.add(dropRows(inputs.get(l), from, to));
            sig.add(dropRows(signals.get(l), from, to));
        }
        return new NtkFeatures(kind, in, sig, dropRows(outputs, from, to));
    }

    /** Rows [from, to) (new arrays). */
    public NtkFeatures rows(int from, int to) {
        List<NDArray> in = new ArrayList<>();
        List<NDArray> sig = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            in.add(inputs.get(l).get(new NDIndex("{}:{}", from, to)).duplicate());
            sig.add(signals.get(l).get(new NDIndex("{}:{}", from, to)).duplicate());
        }
        return new NtkFeatures(kind, in, sig, outputs.get(new NDIndex("{}:{}", from, to)).duplicate());
    }

    static NDArray dropRows(NDArray a, int from, int to) {
        long n = a.getShape().get(0);
        if (from == 0) {
            return a.get(new NDIndex("{}:", to)).duplicate();
        }
        if (to == n) {
            return a.get(new NDIndex(":{}", from)).duplicate();
        }
        return NDArrays.concat(new NDList(a.get(new NDIndex(":{}", from)), a.get(new NDIndex("{}:", to))), 0);
    }

    @Override
    public void close() {
        inputs.forEach(NDArray::close);
        signals.forEach(NDArray::close);
        outputs.close();
    }
}
