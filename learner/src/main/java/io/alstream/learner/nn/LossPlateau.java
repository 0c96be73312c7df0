package io.alstream.learner.nn;

/**
 * Training has converged when its epoch loss has stopped falling: the best epoch loss so far has not been beaten by
 * more than a relative margin for a number of steps and of epochs, and at least a minimum of steps has been taken
 * (issue 10, item 2). The offline yardstick and the learner's retrains stop by the same rule. One instance per
 * training run (it remembers the best loss).
 */
public final class LossPlateau implements MlpNetwork.StopRule {
    private final long minSteps;
    private final long patienceSteps;
    private final int patienceEpochs;
    private final double minImprovement;
    private double best = Double.POSITIVE_INFINITY;
    private long bestSteps;
    private int bestEpoch;

    /**
     * @param minSteps       never stop before this many steps
     * @param patienceSteps  steps without an improvement before stopping
     * @param patienceEpochs epochs without an improvement before stopping (both patiences must have passed)
     * @param minImprovement relative fall of the loss below its best that counts as an improvement (0.01: 1%)
     */
    public LossPlateau(long minSteps, long patienceSteps, int patienceEpochs, double minImprovement) {
        if (minSteps < 0 || patienceSteps < 0 || patienceEpochs < 0 || !(minImprovement >= 0 && minImprovement < 1)) {
            throw new IllegalArgumentException("bad plateau rule: min steps " + minSteps + ", patience " + patienceSteps
                    + " steps and " + patienceEpochs + " epochs, improvement " + minImprovement);
        }
        this.minSteps = minSteps;
        this.patienceSteps = patienceSteps;
        this.patienceEpochs = patienceEpochs;
        this.minImprovement = minImprovement;
    }

    @Override
    public boolean stop(int epoch, long steps, double loss) {
        if (loss < best * (1 - minImprovement)) {
            best = loss;
            bestSteps = steps;
            bestEpoch = epoch;
        }
        return steps >= minSteps && steps - bestSteps >= patienceSteps && epoch - bestEpoch >= patienceEpochs;
    }
}
