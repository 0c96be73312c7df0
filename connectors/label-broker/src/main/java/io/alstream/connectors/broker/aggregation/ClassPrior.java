package io.alstream.connectors.broker.aggregation;

import java.util.Arrays;

/** Dirichlet counts of the true classes of consolidated items; π = counts / Σ counts. Starts at 1 each. */
public final class ClassPrior {
    private double[] counts;

    private ClassPrior() {
        // for Jackson
    }

    private ClassPrior(double[] counts) {
        this.counts = counts;
    }

    public static ClassPrior uniform(int numClasses) {
        double[] c = new double[numClasses];
        Arrays.fill(c, 1.0);
        return new ClassPrior(c);
    }

    public int numClasses() {
        return counts.length;
    }

    public double[] probabilities() {
        double sum = 0;
        for (double v : counts) {
            sum += v;
        }
        double[] p = new double[counts.length];
        for (int j = 0; j < p.length; j++) {
            p[j] = counts[j] / sum;
        }
        return p;
    }

    void add(double[] weights) {
        for (int j = 0; j < counts.length; j++) {
            counts[j] += weights[j];
        }
    }

    void add(int trueClass, double weight) {
        counts[trueClass] += weight;
    }
}
