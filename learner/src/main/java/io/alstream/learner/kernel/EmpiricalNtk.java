package io.alstream.learner.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.alstream.learner.LearnerConfig.Activation;
import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.nn.DeviceMlp;
import io.alstream.learner.util.Scopes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The empirical NTK of a {@link DeviceMlp} at its current weights, computed from per-layer activations
 * and back-propagated signals (DESIGN 4.2) - never from P-dimensional Jacobians.
 *
 * <ul>
 *   <li>PNTK: Theta(x,x') = <grad g(x), grad g(x')>, g = sum_c f_c / sqrt(C) (= (1/C) sum_{c,d} full_cd).</li>
 *   <li>FIRST_LOGIT: g = f_0.</li>
 *   <li>FULL: Theta_cd(x,x') = <grad f_c(x), grad f_d(x')>, returned as an [n*C, m*C] matrix whose row
 *       a*C + c, column b*C + d holds Theta_cd(x_a, x_b) (targets are flattened the same way).</li>
 * </ul>
 * Per layer l with input activation a and signal delta: K += (a(x).a(x') + 1) * (delta(x).delta(x')),
 * the "+1" being the bias gradient. Two matrix products per layer for a whole block of pairs.
 */
public final class EmpiricalNtk {
    private final DeviceMlp net;
    private final KernelKind kind;
    private final int classes;

    public EmpiricalNtk(DeviceMlp net, KernelKind kind) {
        this.net = net;
        this.kind = kind;
        this.classes = net.outputDim();
    }

    public KernelKind kind() { return kind; }
    /** Rows of the kernel matrix per point: 1, or C for FULL. */
    public int block() { return kind == KernelKind.FULL ? classes : 1; }
    public DeviceMlp network() { return net; }

    /** Forward and backward pass for x [n, D]: the cached per-layer features plus f0. */
    public NtkFeatures features(NDArray x) {
        return Scopes.run(() -> {
            int layers = net.layers();
            List<NDArray> zs = net.preActivations(x);
            List<NDArray> inputs = new ArrayList<>();
            inputs.add(x.duplicate());
            for (int l = 0; l < layers - 1; l++) {
                NDArray z = zs.get(l);
                inputs.add(net.activation() == Activation.RELU ? z.maximum(0) : z.tanh());
            }
            NDArray out = zs.get(layers - 1).duplicate();
            long n = x.getShape().get(0);
            NDArray[] signals = new NDArray[layers];
            // delta_L = dg/df at the (linear) output layer
            NDArray delta;
            if (kind == KernelKind.FULL) {
                delta = net.manager().eye(classes, classes, 0, net.dataType()).expandDims(0)
                        .broadcast(new Shape(n, classes, classes)).duplicate(); // [n, output c, width]
            } else if (kind == KernelKind.PNTK) {
                delta = net.manager().ones(new Shape(n, classes), net.dataType()).div(Math.sqrt(classes));
            } else {
                double[] e0 = new double[classes];
                e0[0] = 1;
                delta = net.manager().create(e0).toType(net.dataType(), false).expandDims(0)
                        .broadcast(new Shape(n, classes)).duplicate();
            }
            signals[layers - 1] = delta;
            for (int l = layers - 2; l >= 0; l--) {
                // delta_l = (delta_{l+1} W_{l+1}) * sigma'(z_l)
                NDArray back = delta.matMul(net.weight(l + 1));
                NDArray d = net.activationDerivative(zs.get(l));
                delta = kind == KernelKind.FULL ? back.mul(d.expandDims(1)) : back.mul(d);
                signals[l] = delta;
            }
            return new NtkFeatures(kind, inputs, new ArrayList<>(Arrays.asList(signals)), out);
        }, NtkFeatures::arrays);
    }

    /** K(a, b): [na, nb] for the scalar kernels, [na*C, nb*C] for FULL (a new array). */
    public NDArray kernel(NtkFeatures a, NtkFeatures b) {
        return Scopes.run(() -> {
            NDArray k = null;
            long na = a.size();
            long nb = b.size();
            for (int l = 0; l < a.layers(); l++) {
                NDArray g = a.input(l).matMul(b.input(l).transpose()).add(1); // a.a' + 1 (bias)
                NDArray term;
                if (kind == KernelKind.FULL) {
                    long w = a.signal(l).getShape().get(2);
                    NDArray dd = a.signal(l).reshape(na * classes, w)
                            .matMul(b.signal(l).reshape(nb * classes, w).transpose())
                            .reshape(na, classes, nb, classes);
                    term = dd.mul(g.reshape(na, 1, nb, 1));
                } else {
                    term = g.mul(a.signal(l).matMul(b.signal(l).transpose()));
                }
                k = k == null ? term : k.add(term);
            }
            return kind == KernelKind.FULL ? k.reshape(na * classes, nb * classes) : k;
        });
    }

    /** K(x,x) per point: [n] for the scalar kernels, [n, C, C] for FULL (a new array). */
    public NDArray diagonal(NtkFeatures a) {
        return Scopes.run(() -> {
            NDArray k = null;
            for (int l = 0; l < a.layers(); l++) {
                NDArray g = a.input(l).square().sum(new int[] {1}).add(1);
                NDArray term;
                if (kind == KernelKind.FULL) {
                    NDArray s = a.signal(l);
                    term = s.batchMatMul(s.transpose(0, 2, 1)).mul(g.reshape(-1, 1, 1));
                } else {
                    term = g.mul(a.signal(l).square().sum(new int[] {1}));
                }
                k = k == null ? term : k.add(term);
            }
            return k;
        });
    }
}
