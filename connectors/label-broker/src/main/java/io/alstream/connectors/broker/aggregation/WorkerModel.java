package io.alstream.connectors.broker.aggregation;

import java.util.Arrays;

/**
 * A worker's confusion counts for one class count K: {@code counts[j][l]} is the (soft) number of
 * times the worker answered l when the true class was j, starting from Dirichlet pseudo-counts. The
 * full Dawid–Skene model reads its rows (θ_w[j][l] = counts[j][l] / Σ_l counts[j][l]); one-coin
 * Dawid–Skene pools them (p_w = trace / total). Both are sufficient statistics of the same online EM,
 * so one record serves every method.
 */
public final class WorkerModel {
    private int numClasses;
    private double[][] counts;
    /** Answers folded in from consolidated items (soft counts) and from gold items (hard counts). */
    private long answers;
    private long goldAnswers;

    private WorkerModel() {
        // for Jackson
    }

    private WorkerModel(int numClasses, double[][] counts) {
        this.numClasses = numClasses;
        this.counts = counts;
    }

    /**
     * A worker nobody has seen yet: each row holds {@code strength} pseudo-answers, a share
     * {@code accuracy} of them on the diagonal and the rest spread over the other classes.
     */
    public static WorkerModel prior(int numClasses, ModelPrior prior) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be at least 2, was " + numClasses);
        }
        double[][] c = new double[numClasses][numClasses];
        double diag = prior.strength() * prior.accuracy();
        double off = prior.strength() * (1 - prior.accuracy()) / (numClasses - 1);
        for (int j = 0; j < numClasses; j++) {
            Arrays.fill(c[j], off);
            c[j][j] = diag;
        }
        return new WorkerModel(numClasses, c);
    }

    public int numClasses() {
        return numClasses;
    }

    /** θ[j][l]: probability of answering l when the truth is j. */
    public double confusion(int trueClass, int answered) {
        double[] row = counts[trueClass];
        double sum = 0;
        for (double v : row) {
            sum += v;
        }
        return row[answered] / sum;
    }

    /** The one-coin accuracy: the diagonal's share of all counts. */
    public double pooledAccuracy() {
        double trace = 0;
        double total = 0;
        for (int j = 0; j < numClasses; j++) {
            for (int l = 0; l < numClasses; l++) {
                total += counts[j][l];
            }
            trace += counts[j][j];
        }
        return trace / total;
    }

    /** Σ_j π_j θ[j][j]: the chance of a correct answer on an item drawn from the class prior. */
    public double accuracy(double[] classPrior) {
        double acc = 0;
        for (int j = 0; j < numClasses; j++) {
            acc += classPrior[j] * confusion(j, j);
        }
        return acc;
    }

    /** Adds weight w to the count of (true class j, answer l). */
    void add(int trueClass, int answered, double weight) {
        counts[trueClass][answered] += weight;
    }

    void countAnswer(boolean gold) {
        answers++;
        if (gold) {
            goldAnswers++;
        }
    }

    public long answers() {
        return answers;
    }

    public long goldAnswers() {
        return goldAnswers;
    }

    /** The estimated confusion matrix, rows normalised. */
    public double[][] confusionMatrix() {
        double[][] m = new double[numClasses][numClasses];
        for (int j = 0; j < numClasses; j++) {
            for (int l = 0; l < numClasses; l++) {
                m[j][l] = confusion(j, l);
            }
        }
        return m;
    }

    public WorkerModel copy() {
        double[][] c = new double[numClasses][];
        for (int j = 0; j < numClasses; j++) {
            c[j] = counts[j].clone();
        }
        WorkerModel m = new WorkerModel(numClasses, c);
        m.answers = answers;
        m.goldAnswers = goldAnswers;
        return m;
    }
}
