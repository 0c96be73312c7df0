package io.alstream.learner.kernel;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.alstream.learner.LearnerConfig.Activation;
import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.nn.DeviceMlp;
import io.alstream.learner.nn.MlpWeights;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.alstream.learner.kernel.EmpiricalNtkTest.check;
import static io.alstream.learner.kernel.EmpiricalNtkTest.toRef;

/**
 * The activation x signal kernels equal J J^T built from per-sample, per-output autograd Jacobians over
 * every parameter (the P-dimensional object the production path never forms), on a tiny two-hidden-layer
 * net with random biases, for both activations.
 */
class NtkAutogradTest {

    @ParameterizedTest
    @EnumSource(Activation.class)
    void kernelsEqualAutogradJacobianProducts(Activation act) {
        int[] widths = {4, 6, 5, 3};
        SplitMix64 rng = new SplitMix64(7);
        double[][] w = new double[3][];
        double[][] b = new double[3][];
        for (int l = 0; l < 3; l++) {
            w[l] = new double[widths[l + 1] * widths[l]];
            for (int i = 0; i < w[l].length; i++) {
                w[l][i] = rng.nextGaussian() / Math.sqrt(widths[l]);
            }
            b[l] = new double[widths[l + 1]];
            for (int i = 0; i < b[l].length; i++) {
                b[l][i] = 0.3 * rng.nextGaussian();
            }
        }
        MlpWeights weights = new MlpWeights(widths, act, w, b);
        int n = 7;
        int c = 3;
        double[][] xs = new double[n][4];
        for (double[] x : xs) {
            for (int j = 0; j < 4; j++) {
                x[j] = rng.nextGaussian();
            }
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            int p = (int) weights.parameterCount();
            double[][][] jac = new double[n][c][];
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < c; o++) {
                    jac[i][o] = autogradRow(m, weights, xs[i], o, p);
                }
            }
            try (DeviceMlp net = new DeviceMlp(m, weights, DataType.FLOAT64)) {
                for (KernelKind kind : KernelKind.values()) {
                    EmpiricalNtk ntk = new EmpiricalNtk(net, kind);
                    try (NtkFeatures f = ntk.features(net.toDevice(xs))) {
                        double[] got = toRef(ntk.kernel(f, f), kind, n, n);
                        check(act + " " + kind + " vs autograd", got, fromJacobians(jac, kind, n, c));
                    }
                }
            }
        }
    }

    /** d f_o(x) / d theta by DJL autograd, theta flattened as W1, b1, W2, b2, ... */
    private static double[] autogradRow(NDManager m, MlpWeights weights, double[] x, int o, int p) {
        try (NDManager scope = m.newSubManager()) {
            int[] widths = weights.widths();
            NDArray[] ws = new NDArray[weights.layers()];
            NDArray[] bs = new NDArray[weights.layers()];
            for (int l = 0; l < ws.length; l++) {
                ws[l] = scope.create(weights.weight(l), new Shape(widths[l + 1], widths[l]));
                bs[l] = scope.create(weights.bias(l));
                ws[l].setRequiresGradient(true);
                bs[l].setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray a = scope.create(x).reshape(1, -1);
                for (int l = 0; l < ws.length; l++) {
                    NDArray z = a.matMul(ws[l].transpose()).add(bs[l]);
                    a = l < ws.length - 1 ? (weights.activation() == Activation.RELU ? ai.djl.nn.Activation.relu(z) : z.tanh()) : z;
                }
                gc.backward(a.get(0, o));
            }
            double[] row = new double[p];
            int k = 0;
            for (int l = 0; l < ws.length; l++) {
                double[] gw = ws[l].getGradient().toDoubleArray();
                System.arraycopy(gw, 0, row, k, gw.length);
                k += gw.length;
                double[] gb = bs[l].getGradient().toDoubleArray();
                System.arraycopy(gb, 0, row, k, gb.length);
                k += gb.length;
            }
            return row;
        }
    }

    /** full[a][b][c][d] = J_ac . J_bd; pNTK = (1/C) sum_cd; first = [0][0]. Layout as the vectors. */
    private static double[] fromJacobians(double[][][] jac, KernelKind kind, int n, int c) {
        int per = kind == KernelKind.FULL ? c * c : 1;
        double[] out = new double[n * n * per];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double sum = 0;
                for (int i = 0; i < c; i++) {
                    for (int j = 0; j < c; j++) {
                        double dot = 0;
                        for (int q = 0; q < jac[a][i].length; q++) {
                            dot += jac[a][i][q] * jac[b][j][q];
                        }
                        if (kind == KernelKind.FULL) {
                            out[((a * n + b) * c + i) * c + j] = dot;
                        }
                        sum += dot;
                        if (kind == KernelKind.FIRST_LOGIT && i == 0 && j == 0) {
                            out[a * n + b] = dot;
                        }
                    }
                }
                if (kind == KernelKind.PNTK) {
                    out[a * n + b] = sum / c;
                }
            }
        }
        return out;
    }
}
