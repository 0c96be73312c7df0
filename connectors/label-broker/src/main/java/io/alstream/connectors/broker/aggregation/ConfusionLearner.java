package io.alstream.connectors.broker.aggregation;

import java.util.List;

/**
 * The online M-step shared by every method: when an item is consolidated with posterior q, each of
 * its answers (w, l) adds q_j to counts_w[j][l] and q to the class counts — the expected sufficient
 * statistics of that item, added once. Nothing is refit over history. Answers on gold items add a hard
 * count at the gold class as soon as they arrive, which is what seeds the models with known truth.
 */
public final class ConfusionLearner {
    private final ModelPrior prior;

    public ConfusionLearner(ModelPrior prior) {
        this.prior = prior;
    }

    public ModelPrior prior() {
        return prior;
    }

    /** Folds one consolidated (non-gold) item into the worker models and the class prior. */
    public void learn(int numClasses, List<Vote> votes, double[] posterior, WorkerModelStore models) {
        for (Vote v : votes) {
            WorkerModel m = modelOf(numClasses, v.workerId(), models, prior).copy();
            for (int j = 0; j < numClasses; j++) {
                m.add(j, v.label(), posterior[j]);
            }
            m.countAnswer(false);
            models.put(numClasses, v.workerId(), m);
        }
        ClassPrior cp = classPriorOf(numClasses, models);
        cp.add(posterior);
        models.putClassPrior(numClasses, cp);
    }

    /** One answer on a gold item: a hard count in the row of the known class. */
    public void learnGold(int numClasses, Vote vote, int goldLabel, WorkerModelStore models) {
        WorkerModel m = modelOf(numClasses, vote.workerId(), models, prior).copy();
        m.add(goldLabel, vote.label(), 1.0);
        m.countAnswer(true);
        models.put(numClasses, vote.workerId(), m);
    }

    /** A closed gold item: its class counts once in the class prior. */
    public void learnGoldItem(int numClasses, int goldLabel, WorkerModelStore models) {
        ClassPrior cp = classPriorOf(numClasses, models);
        cp.add(goldLabel, 1.0);
        models.putClassPrior(numClasses, cp);
    }

    /** The stored model, or the prior for a worker not seen yet (not stored until it learns something). */
    public static WorkerModel modelOf(int numClasses, String workerId, WorkerModelStore models, ModelPrior prior) {
        WorkerModel m = models.get(numClasses, workerId);
        return m != null ? m : WorkerModel.prior(numClasses, prior);
    }

    static ClassPrior classPriorOf(int numClasses, WorkerModelStore models) {
        ClassPrior cp = models.classPrior(numClasses);
        return cp != null ? cp : ClassPrior.uniform(numClasses);
    }

    /** π for K classes (uniform before any item is consolidated). */
    public static double[] classProbabilities(int numClasses, WorkerModelStore models) {
        return classPriorOf(numClasses, models).probabilities();
    }

    static double[] logClassPrior(int numClasses, WorkerModelStore models) {
        double[] p = classProbabilities(numClasses, models);
        for (int j = 0; j < p.length; j++) {
            p[j] = Math.log(p[j]);
        }
        return p;
    }
}
