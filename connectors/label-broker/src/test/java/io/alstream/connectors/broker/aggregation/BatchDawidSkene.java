package io.alstream.connectors.broker.aggregation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent reference: classic batch EM for Dawid–Skene (their 1979 algorithm), refit over all
 * answers until the posteriors stop moving, initialised from majority vote. Written apart from the
 * online code (no shared helpers) so the two can check each other.
 */
public final class BatchDawidSkene {
    final double[][] posteriors;
    final Map<String, double[][]> confusion = new HashMap<>();
    final double[] classPrior;

    /** items.get(i) = the votes of item i. Smoothing: add-{@code alpha} on every confusion cell. */
    public BatchDawidSkene(int k, List<List<Vote>> items, double alpha, int maxIterations) {
        int n = items.size();
        posteriors = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (Vote v : items.get(i)) {
                posteriors[i][v.label()] += 1;
            }
            normalise(posteriors[i]);
        }
        classPrior = new double[k];
        for (int it = 0; it < maxIterations; it++) {
            // M-step
            confusion.clear();
            java.util.Arrays.fill(classPrior, 1.0);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < k; j++) {
                    classPrior[j] += posteriors[i][j];
                }
                for (Vote v : items.get(i)) {
                    double[][] c = confusion.computeIfAbsent(v.workerId(), w -> filled(k, alpha));
                    for (int j = 0; j < k; j++) {
                        c[j][v.label()] += posteriors[i][j];
                    }
                }
            }
            normalise(classPrior);
            for (double[][] c : confusion.values()) {
                for (double[] row : c) {
                    normalise(row);
                }
            }
            // E-step
            double change = 0;
            for (int i = 0; i < n; i++) {
                double[] lp = new double[k];
                for (int j = 0; j < k; j++) {
                    lp[j] = Math.log(classPrior[j]);
                    for (Vote v : items.get(i)) {
                        lp[j] += Math.log(confusion.get(v.workerId())[j][v.label()]);
                    }
                }
                double max = java.util.Arrays.stream(lp).max().orElseThrow();
                double[] p = new double[k];
                for (int j = 0; j < k; j++) {
                    p[j] = Math.exp(lp[j] - max);
                }
                normalise(p);
                for (int j = 0; j < k; j++) {
                    change = Math.max(change, Math.abs(p[j] - posteriors[i][j]));
                }
                posteriors[i] = p;
            }
            if (change < 1e-6) {
                break;
            }
        }
    }

    public int label(int item) {
        double[] p = posteriors[item];
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return best;
    }

    public double accuracy(String worker) {
        double[][] c = confusion.get(worker);
        double acc = 0;
        for (int j = 0; j < c.length; j++) {
            acc += classPrior[j] * c[j][j];
        }
        return acc;
    }

    private static double[][] filled(int k, double alpha) {
        double[][] c = new double[k][k];
        for (double[] row : c) {
            java.util.Arrays.fill(row, alpha);
        }
        return c;
    }

    private static void normalise(double[] p) {
        double s = 0;
        for (double v : p) {
            s += v;
        }
        for (int j = 0; j < p.length; j++) {
            p[j] /= s;
        }
    }

    static List<List<Vote>> copy(List<List<Vote>> items) {
        return new ArrayList<>(items);
    }
}
