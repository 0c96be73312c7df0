package io.alstream.learner.nn;

import io.alstream.learner.util.StateCodec;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The frozen per-feature transform z = (x - mean) / sd that a linearisation applies to every input before the
 * network and its NTK features (issue 10, item 1). Frozen: it is fixed when a retrain starts and changes only
 * with the next linearisation, so the kernel regression's f0, K(., T) and A^{-1} always see one transform.
 * A feature whose spread is 0 (constant so far) is only centred. Immutable.
 */
public final class InputStandardization implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] mean;
    private final double[] sd;

    public InputStandardization(double[] mean, double[] sd) {
        if (mean.length != sd.length) {
            throw new IllegalArgumentException("mean has " + mean.length + " values, sd " + sd.length);
        }
        for (int j = 0; j < sd.length; j++) {
            if (!Double.isFinite(mean[j]) || !(sd[j] > 0) || !Double.isFinite(sd[j])) {
                throw new IllegalArgumentException("feature " + j + ": mean " + mean[j] + ", sd " + sd[j]
                        + " (needs a finite mean and a finite sd > 0)");
            }
        }
        this.mean = mean.clone();
        this.sd = sd.clone();
    }

    public int dim() { return mean.length; }
    public double[] mean() { return mean.clone(); }
    public double[] sd() { return sd.clone(); }

    /** (x - mean) / sd, feature by feature, in double. */
    public double[] apply(double[] x) {
        checkDim(x.length);
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = (x[j] - mean[j]) / sd[j];
        }
        return z;
    }

    public double[] apply(float[] x) {
        checkDim(x.length);
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = (x[j] - mean[j]) / sd[j];
        }
        return z;
    }

    /** As {@link #apply(float[])}, rounded to float32 (what the network trains on). */
    public float[] applyAsFloats(float[] x) {
        checkDim(x.length);
        float[] z = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = (float) ((x[j] - mean[j]) / sd[j]);
        }
        return z;
    }

    private void checkDim(int n) {
        if (n != mean.length) {
            throw new IllegalArgumentException("feature vector has " + n + " values, the standardisation " + mean.length);
        }
    }

    /**
     * Weights that compute on inputs standardised by {@code to} the same function as {@code w} computes on inputs
     * standardised by {@code from} (null = raw inputs): only the first layer changes. With z_f = (x - m_f)/s_f and
     * z_t = (x - m_t)/s_t, x = s_t z_t + m_t, so W1 z_f + b1 = (W1 diag(s_t/s_f)) z_t + b1 + W1 ((m_t - m_f)/s_f).
     * Keeps a warm start warm when a retrain moves to new statistics. The result carries no transform itself.
     */
    public static MlpWeights reexpress(MlpWeights w, InputStandardization from, InputStandardization to) {
        int d = w.inputDim();
        int out = w.widths()[1];
        double[] mf = from == null ? new double[d] : from.mean;
        double[] sf = from == null ? ones(d) : from.sd;
        double[] mt = to == null ? new double[d] : to.mean;
        double[] st = to == null ? ones(d) : to.sd;
        double[] w1 = w.weight(0);
        double[] b1 = w.bias(0);
        double[] nw = new double[w1.length];
        double[] nb = b1.clone();
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < d; j++) {
                double wij = w1[o * d + j];
                nw[o * d + j] = wij * st[j] / sf[j];
                nb[o] += wij * (mt[j] - mf[j]) / sf[j];
            }
        }
        double[][] ws = new double[w.layers()][];
        double[][] bs = new double[w.layers()][];
        for (int l = 0; l < w.layers(); l++) {
            ws[l] = l == 0 ? nw : w.weight(l);
            bs[l] = l == 0 ? nb : w.bias(l);
        }
        return new MlpWeights(w.widths(), w.activation(), ws, bs);
    }

    private static double[] ones(int d) {
        double[] v = new double[d];
        Arrays.fill(v, 1);
        return v;
    }

    /** Writes a flag and, if present, the transform (null = raw inputs). */
    public static void writeOptional(DataOutputStream out, InputStandardization s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            StateCodec.writeDoubles(out, s.mean);
            StateCodec.writeDoubles(out, s.sd);
        }
    }

    public static InputStandardization readOptional(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        double[] mean = StateCodec.readDoubles(in);
        double[] sd = StateCodec.readDoubles(in);
        try {
            return new InputStandardization(mean, sd);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt input standardisation: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputStandardization s && Arrays.equals(mean, s.mean) && Arrays.equals(sd, s.sd);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(mean) * 31 + Arrays.hashCode(sd); }

    @Override
    public String toString() {
        return "InputStandardization{" + mean.length + " features}";
    }
}
