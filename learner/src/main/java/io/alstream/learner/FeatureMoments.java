package io.alstream.learner;

import io.alstream.learner.nn.InputStandardization;
import io.alstream.learner.util.StateCodec;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Running mean and variance of each feature over every input the model has seen (Welford's update; two summaries
 * merge exactly by Chan et al.'s formula), from which each retrain freezes an {@link InputStandardization}.
 * The variance is the population one (divided by n), as a standardising scaler uses. Mutable, not thread-safe.
 */
public final class FeatureMoments {
    private final int dim;
    private long count;
    private final double[] mean;
    private final double[] m2;

    public FeatureMoments(int dim) {
        this.dim = dim;
        this.mean = new double[dim];
        this.m2 = new double[dim];
    }

    public int dim() { return dim; }
    public long count() { return count; }
    public double[] mean() { return mean.clone(); }

    /** Population variance per feature (0 before any input). */
    public double[] variance() {
        double[] v = new double[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = count == 0 ? 0 : m2[j] / count;
        }
        return v;
    }

    public void add(float[] x) {
        check(x.length);
        count++;
        for (int j = 0; j < dim; j++) {
            double delta = x[j] - mean[j];
            mean[j] += delta / count;
            m2[j] += delta * (x[j] - mean[j]);
        }
    }

    public void add(double[] x) {
        check(x.length);
        count++;
        for (int j = 0; j < dim; j++) {
            double delta = x[j] - mean[j];
            mean[j] += delta / count;
            m2[j] += delta * (x[j] - mean[j]);
        }
    }

    /** Adds another summary (e.g. a scoring task's) as if its inputs had been added here. */
    public void merge(FeatureMoments other) {
        check(other.dim);
        if (other.count == 0) {
            return;
        }
        long n = count + other.count;
        for (int j = 0; j < dim; j++) {
            double delta = other.mean[j] - mean[j];
            mean[j] += delta * other.count / n;
            m2[j] += other.m2[j] + delta * delta * ((double) count * other.count / n);
        }
        count = n;
    }

    /**
     * The transform to freeze for the next linearisation, at unit variance per feature: the mean and standard
     * deviation seen so far; a feature without spread keeps sd 1 (only centred). Null (raw inputs) before two
     * inputs have been seen.
     */
    public InputStandardization standardization() {
        return standardization(false);
    }

    /**
     * As {@link #standardization()}; with unitNorm every sd is multiplied by sqrt(k), k the features with spread,
     * so the standardised vector's mean squared norm over the inputs seen is 1 (each feature with spread has
     * variance 1/k) instead of k.
     */
    public InputStandardization standardization(boolean unitNorm) {
        if (count < 2) {
            return null;
        }
        double[] sd = new double[dim];
        boolean[] varies = new boolean[dim];
        int spread = 0;
        for (int j = 0; j < dim; j++) {
            double s = Math.sqrt(m2[j] / count);
            // below this the feature is constant up to rounding: dividing by it would blow rounding noise up
            varies[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j])) && Double.isFinite(s);
            sd[j] = varies[j] ? s : 1;
            spread += varies[j] ? 1 : 0;
        }
        if (unitNorm && spread > 1) {
            double factor = Math.sqrt(spread);
            for (int j = 0; j < dim; j++) {
                sd[j] = varies[j] ? sd[j] * factor : 1; // a constant feature is only centred
            }
        }
        return new InputStandardization(mean, sd);
    }

    public FeatureMoments copy() {
        FeatureMoments c = new FeatureMoments(dim);
        c.count = count;
        System.arraycopy(mean, 0, c.mean, 0, dim);
        System.arraycopy(m2, 0, c.m2, 0, dim);
        return c;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeLong(count);
        StateCodec.writeDoubles(out, mean);
        StateCodec.writeDoubles(out, m2);
    }

    static FeatureMoments read(DataInputStream in, int dim) throws IOException {
        long count = in.readLong();
        double[] mean = StateCodec.readDoubles(in);
        double[] m2 = StateCodec.readDoubles(in);
        if (count < 0 || mean.length != dim || m2.length != dim) {
            throw new IOException("corrupt feature moments: count " + count + ", " + mean.length + " means for " + dim + " features");
        }
        FeatureMoments m = new FeatureMoments(dim);
        m.count = count;
        System.arraycopy(mean, 0, m.mean, 0, dim);
        System.arraycopy(m2, 0, m.m2, 0, dim);
        return m;
    }

    private void check(int n) {
        if (n != dim) {
            throw new IllegalArgumentException("feature vector has " + n + " values, expected " + dim);
        }
    }
}
