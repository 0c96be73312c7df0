package io.alstream.learner.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.alstream.learner.LearnerConfig.Activation;
import io.alstream.learner.util.Scopes;

import java.util.ArrayList;
import java.util.List;

/**
 * The MLP's weights resident on the compute device in the kernel precision, with the hand-written
 * forward pass the linearisation uses (f0, NTK features, MC-dropout samples). Kept separate from the
 * DJL training block so scoring never depends on training-mode state or the engine's global RNG.
 */
public final class DeviceMlp implements AutoCloseable {
    private final NDManager manager;
    private final MlpWeights source;
    private final DataType dataType;
    private final List<NDArray> weightsT = new ArrayList<>(); // W_l^T, [in, out]
    private final List<NDArray> weights = new ArrayList<>();  // W_l, [out, in]
    private final List<NDArray> biases = new ArrayList<>();

    public DeviceMlp(NDManager parent, MlpWeights w, DataType dataType) {
        this.manager = parent.newSubManager();
        this.source = w;
        this.dataType = dataType;
        int[] widths = w.widths();
        for (int l = 0; l < w.layers(); l++) {
            NDArray wl = manager.create(w.weight(l), new Shape(widths[l + 1], widths[l])).toType(dataType, false);
            weights.add(wl);
            weightsT.add(wl.transpose().duplicate());
            biases.add(manager.create(w.bias(l)).toType(dataType, false));
        }
    }

    public MlpWeights weights() { return source; }
    public DataType dataType() { return dataType; }
    public NDManager manager() { return manager; }
    public int layers() { return weights.size(); }
    public Activation activation() { return source.activation(); }
    public int outputDim() { return source.outputDim(); }
    /** W_l as [out, in]. */
    public NDArray weight(int l) { return weights.get(l); }
    public NDArray bias(int l) { return biases.get(l); }

    /**
     * Copies host rows into a device array of the kernel type, in this network's manager scope, standardised
     * first when the weights carry an {@link InputStandardization} (every input of f0 and of the NTK features
     * enters here).
     */
    public NDArray toDevice(float[][] rows) {
        if (source.input() != null) {
            double[][] z = new double[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                z[i] = source.input().apply(rows[i]);
            }
            return toDeviceRaw(z);
        }
        int n = rows.length;
        int d = source.inputDim();
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " features, expected " + d);
            }
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return Scopes.run(() -> manager.create(flat, new Shape(n, d)).toType(dataType, false));
    }

    /** Copies host rows (double precision, e.g. reference data) into a device array of the kernel type (standardised as above). */
    public NDArray toDevice(double[][] rows) {
        if (source.input() != null) {
            double[][] z = new double[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                z[i] = source.input().apply(rows[i]);
            }
            return toDeviceRaw(z);
        }
        return toDeviceRaw(rows);
    }

    private NDArray toDeviceRaw(double[][] rows) {
        int n = rows.length;
        int d = source.inputDim();
        double[] flat = new double[n * d];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " features, expected " + d);
            }
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return Scopes.run(() -> manager.create(flat, new Shape(n, d)).toType(dataType, false));
    }

    /** f0(x) for x [n, D] -> [n, C]. */
    public NDArray forward(NDArray x) {
        return Scopes.run(() -> {
            NDArray a = x;
            for (int l = 0; l < layers(); l++) {
                NDArray z = a.matMul(weightsT.get(l)).add(biases.get(l));
                a = l < layers() - 1 ? activate(z) : z;
            }
            return a;
        });
    }

    /**
     * MC-dropout outputs: masks.get(l) is [S, 1, width_l] (already scaled by 1/(1-p)) for hidden layer l;
     * returns [S, n, C]. The same S masks apply to every candidate ("consistent" MC dropout), which keeps
     * scores independent of how a stream is cut into batches.
     */
    public NDArray forwardWithMasks(NDArray x, List<NDArray> masks) {
        return Scopes.run(() -> {
            NDArray a = x;
            for (int l = 0; l < layers(); l++) {
                NDArray z = a.matMul(weightsT.get(l)).add(biases.get(l));
                if (l < layers() - 1) {
                    a = activate(z).mul(masks.get(l)); // dropout after the activation, as in training
                } else {
                    a = z;
                }
            }
            return a;
        });
    }

    NDArray activate(NDArray z) {
        return source.activation() == Activation.RELU ? z.maximum(0) : z.tanh();
    }

    /** sigma'(z): 1[z>0] for ReLU (autograd's choice at 0), 1 - tanh^2 for tanh. */
    public NDArray activationDerivative(NDArray z) {
        if (source.activation() == Activation.RELU) {
            return z.gt(0).toType(dataType, false);
        }
        NDArray t = z.tanh();
        return t.square().neg().add(1);
    }

    /** Pre-activations z_l of every layer for x, in order (intermediate; caller owns them). */
    public List<NDArray> preActivations(NDArray x) {
        List<NDArray> zs = new ArrayList<>();
        NDArray a = x;
        for (int l = 0; l < layers(); l++) {
            NDArray z = a.matMul(weightsT.get(l)).add(biases.get(l));
            zs.add(z);
            if (l < layers() - 1) {
                a = activate(z);
            }
        }
        return zs;
    }

    @Override
    public void close() {
        manager.close();
    }
}
