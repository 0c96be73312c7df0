package io.alstream.learner.nn;

import io.alstream.learner.LearnerConfig.Activation;
import io.alstream.learner.util.SplitMix64;
import io.alstream.learner.util.StateCodec;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The MLP's parameters as plain Java arrays: what checkpoints, snapshots and broadcasts carry (no DJL
 * object is ever serialized). Layer l maps width[l] to width[l+1]; its weight is row-major
 * [out][in] (DJL's Linear layout) and f(x) = W_L sigma(... sigma(W_1 x + b_1) ...) + b_L.
 * Doubles, so a float64 linearisation point (e.g. the reference vectors' parameters) survives exactly.
 *
 * <p>A linearisation point may carry an {@link InputStandardization}: the network then computes f((x - mean)/sd),
 * and every consumer of these weights ({@link DeviceMlp}, hence f0, the NTK features, scorers and replicas)
 * applies it. {@link #write}/{@link #read} carry the layers only; formats that carry the transform write it apart
 * ({@link InputStandardization#writeOptional}).
 */
public final class MlpWeights implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] widths;
    private final Activation activation;
    private final double[][] weights;
    private final double[][] biases;
    /** Null: raw inputs. */
    private final InputStandardization input;

    public MlpWeights(int[] widths, Activation activation, double[][] weights, double[][] biases) {
        this(widths, activation, weights, biases, null);
    }

    private MlpWeights(int[] widths, Activation activation, double[][] weights, double[][] biases,
                       InputStandardization input) {
        if (widths.length < 2 || weights.length != widths.length - 1 || biases.length != widths.length - 1) {
            throw new IllegalArgumentException("need widths.length-1 layers, got widths " + Arrays.toString(widths));
        }
        for (int l = 0; l < weights.length; l++) {
            if (weights[l].length != widths[l + 1] * widths[l] || biases[l].length != widths[l + 1]) {
                throw new IllegalArgumentException("layer " + l + " has the wrong size for widths " + Arrays.toString(widths));
            }
        }
        this.widths = widths.clone();
        this.activation = activation;
        this.weights = deepCopy(weights);
        this.biases = deepCopy(biases);
        if (input != null && input.dim() != widths[0]) {
            throw new IllegalArgumentException("input standardisation of " + input.dim() + " features for " + widths[0] + " inputs");
        }
        this.input = input;
    }

    /** These parameters applied to inputs standardised by s (null: raw inputs). */
    public MlpWeights withInput(InputStandardization s) {
        return new MlpWeights(widths, activation, weights, biases, s);
    }

    /** The transform applied to inputs before the first layer; null = raw inputs. */
    public InputStandardization input() { return input; }

    /**
     * Seeded initialisation: He-uniform for ReLU, Glorot-uniform for tanh, zero biases. Done in Java so
     * it does not depend on (or disturb) the engine's global random generator.
     */
    public static MlpWeights initialise(int[] widths, Activation activation, long seed) {
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(seed, 0x1A17L));
        double[][] w = new double[widths.length - 1][];
        double[][] b = new double[widths.length - 1][];
        for (int l = 0; l < w.length; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            double limit = activation == Activation.RELU && l < w.length - 1
                    ? Math.sqrt(6.0 / in) : Math.sqrt(6.0 / (in + out));
            w[l] = new double[out * in];
            for (int i = 0; i < w[l].length; i++) {
                // round to float: the DJL network trains in float32 and must start from the same point
                w[l][i] = (float) ((2 * rng.nextDouble() - 1) * limit);
            }
            b[l] = new double[out];
        }
        return new MlpWeights(widths, activation, w, b);
    }

    public static int[] widths(int inputDim, int[] hidden, int numClasses) {
        int[] widths = new int[hidden.length + 2];
        widths[0] = inputDim;
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[widths.length - 1] = numClasses;
        return widths;
    }

    public int[] widths() { return widths.clone(); }
    public int layers() { return weights.length; }
    public int inputDim() { return widths[0]; }
    public int outputDim() { return widths[widths.length - 1]; }
    public Activation activation() { return activation; }
    public double[] weight(int layer) { return weights[layer].clone(); }
    public double[] bias(int layer) { return biases[layer].clone(); }

    public long parameterCount() {
        long n = 0;
        for (int l = 0; l < weights.length; l++) {
            n += weights[l].length + biases[l].length;
        }
        return n;
    }

    /** Parameters flattened as concat(W1 row-major, b1, W2, b2, ...). */
    public double[] flatten() {
        double[] out = new double[(int) parameterCount()];
        int k = 0;
        for (int l = 0; l < weights.length; l++) {
            System.arraycopy(weights[l], 0, out, k, weights[l].length);
            k += weights[l].length;
            System.arraycopy(biases[l], 0, out, k, biases[l].length);
            k += biases[l].length;
        }
        return out;
    }

    public void write(DataOutputStream out) throws IOException {
        StateCodec.writeInts(out, widths);
        out.writeUTF(activation.name());
        for (int l = 0; l < weights.length; l++) {
            StateCodec.writeDoubles(out, weights[l]);
            StateCodec.writeDoubles(out, biases[l]);
        }
    }

    public static MlpWeights read(DataInputStream in) throws IOException {
        int[] widths = StateCodec.readInts(in);
        Activation act = Activation.valueOf(in.readUTF());
        double[][] w = new double[widths.length - 1][];
        double[][] b = new double[widths.length - 1][];
        for (int l = 0; l < w.length; l++) {
            w[l] = StateCodec.readDoubles(in);
            b[l] = StateCodec.readDoubles(in);
        }
        return new MlpWeights(widths, act, w, b);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MlpWeights)) {
            return false;
        }
        MlpWeights m = (MlpWeights) o;
        return Arrays.equals(widths, m.widths) && activation == m.activation
                && Arrays.deepEquals(weights, m.weights) && Arrays.deepEquals(biases, m.biases)
                && java.util.Objects.equals(input, m.input);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(widths) * 31 + Arrays.deepHashCode(weights); }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
