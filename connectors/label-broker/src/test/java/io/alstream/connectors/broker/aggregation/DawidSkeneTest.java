package io.alstream.connectors.broker.aggregation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Online Dawid–Skene against independent references on simulated crowds: majority vote on the same
 * answers, and a batch EM refit over all of them ({@link BatchDawidSkene}, written separately).
 */
class DawidSkeneTest {
    private static final ModelPrior PRIOR = ModelPrior.DEFAULT;

    /** One pass over a stream of items, as the broker sees it: k answers, more while unsure, fold, next. */
    private record Run(double onlineAccuracy, double majorityAccuracy, double batchAccuracy, double maxWorkerError,
                       double maxOnlineVsBatchWorker, InMemoryWorkerModels models, double[] trueAccuracy) {
    }

    private static Run simulate(long seed, int classes, AggregationMethod method, double goldShare) {
        int workers = 20;
        int items = 2000;
        Random rng = new Random(seed);
        double[] acc = new double[workers];
        Random[] wr = new Random[workers];
        for (int w = 0; w < workers; w++) {
            acc[w] = 0.55 + 0.40 * w / (workers - 1);
            wr[w] = new Random(seed * 100 + w);
        }
        Aggregator agg = Aggregator.of(method, PRIOR);
        ConfusionLearner learner = new ConfusionLearner(PRIOR);
        InMemoryWorkerModels models = new InMemoryWorkerModels();
        List<List<Vote>> folded = new ArrayList<>();
        List<Integer> truths = new ArrayList<>();
        int online = 0;
        double majority = 0;
        for (int i = 0; i < items; i++) {
            int truth = rng.nextInt(classes);
            boolean gold = rng.nextDouble() < goldShare;
            List<Integer> order = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                order.add(w);
            }
            java.util.Collections.shuffle(order, rng);
            List<Vote> votes = new ArrayList<>();
            double[] post = null;
            int wanted = 3;
            while (true) {
                int w = order.get(votes.size());
                int label = wr[w].nextDouble() < acc[w] ? truth : (truth + 1 + wr[w].nextInt(classes - 1)) % classes;
                Vote v = new Vote("w" + w, label);
                votes.add(v);
                if (gold) {
                    learner.learnGold(classes, v, truth, models);
                }
                if (votes.size() < wanted) {
                    continue;
                }
                if (gold) {
                    break;
                }
                post = agg.posterior(classes, votes, models);
                if (post[Aggregator.argmax(post)] >= 0.9 || votes.size() >= 7) {
                    break;
                }
                wanted++;
            }
            if (gold) {
                learner.learnGoldItem(classes, truth, models);
                continue;
            }
            learner.learn(classes, votes, post, models);
            folded.add(votes);
            truths.add(truth);
            if (Aggregator.argmax(post) == truth) {
                online++;
            }
            majority += majorityCorrect(votes, truth, classes);
        }
        BatchDawidSkene batch = new BatchDawidSkene(classes, folded, 1.0, 200);
        int batchCorrect = 0;
        for (int i = 0; i < folded.size(); i++) {
            if (batch.label(i) == truths.get(i)) {
                batchCorrect++;
            }
        }
        double[] pi = ConfusionLearner.classProbabilities(classes, models);
        double maxErr = 0;
        double maxVsBatch = 0;
        for (int w = 0; w < workers; w++) {
            double est = agg.estimatedAccuracy(models.get(classes, "w" + w), pi);
            maxErr = Math.max(maxErr, Math.abs(est - acc[w]));
            maxVsBatch = Math.max(maxVsBatch, Math.abs(est - batch.accuracy("w" + w)));
        }
        int n = folded.size();
        return new Run(online / (double) n, majority / n, batchCorrect / (double) n, maxErr, maxVsBatch, models, acc);
    }

    static double majorityCorrect(List<Vote> votes, int truth, int classes) {
        int[] c = new int[classes];
        for (Vote v : votes) {
            c[v.label()]++;
        }
        int top = java.util.Arrays.stream(c).max().orElse(0);
        long tied = java.util.Arrays.stream(c).filter(x -> x == top).count();
        return c[truth] == top ? 1.0 / tied : 0;
    }

    @Test
    void onlineDawidSkeneBeatsMajorityVoteAndTracksTheBatchRefit() {
        for (long seed = 1; seed <= 3; seed++) {
            for (int classes : new int[] {2, 4}) {
                Run r = simulate(seed, classes, AggregationMethod.DAWID_SKENE, 0.05);
                String what = "seed " + seed + ", K=" + classes + ": " + r;
                assertTrue(r.onlineAccuracy() >= r.majorityAccuracy(), what);
                assertTrue(Math.abs(r.onlineAccuracy() - r.batchAccuracy()) <= 0.015, what);
                assertTrue(r.maxWorkerError() <= 0.1, what);
                assertTrue(r.maxOnlineVsBatchWorker() <= 0.06, what);
            }
        }
    }

    @Test
    void oneCoinDawidSkeneAlsoBeatsMajorityVote() {
        Run r = simulate(11, 3, AggregationMethod.ONE_COIN_DS, 0.0);
        assertTrue(r.onlineAccuracy() >= r.majorityAccuracy(), r.toString());
        assertTrue(r.maxWorkerError() <= 0.1, r.toString());
    }

    @Test
    void aWorkerWhoConfusesTwoClassesShowsItInItsMatrixNotOnlyInItsAccuracy() {
        // worker "swap" answers 1 for 0 always, and is right otherwise; three good workers outvote it
        InMemoryWorkerModels models = new InMemoryWorkerModels();
        Aggregator agg = new DawidSkene(PRIOR);
        ConfusionLearner learner = new ConfusionLearner(PRIOR);
        Random rng = new Random(9);
        for (int i = 0; i < 300; i++) {
            int truth = rng.nextInt(3);
            List<Vote> votes = List.of(new Vote("g1", truth), new Vote("g2", truth), new Vote("g3", truth),
                    new Vote("swap", truth == 0 ? 1 : truth));
            learner.learn(3, votes, agg.posterior(3, votes, models), models);
        }
        WorkerModel swap = models.get(3, "swap");
        assertTrue(swap.confusion(0, 1) > 0.9, "θ[0][1] = " + swap.confusion(0, 1));
        assertTrue(swap.confusion(1, 1) > 0.9 && swap.confusion(2, 2) > 0.9);
        // so full Dawid–Skene reads its "1" as weak evidence, one-coin cannot tell
        double[] full = agg.posterior(3, List.of(new Vote("swap", 1)), models);
        assertTrue(full[0] > 0.3 && full[1] > 0.3, "a 1 from swap could be a 0 or a 1: " + java.util.Arrays.toString(full));
    }

    @Test
    void goldAnswersAloneTeachTheModelTheWorkersAccuracy() {
        InMemoryWorkerModels models = new InMemoryWorkerModels();
        ConfusionLearner learner = new ConfusionLearner(PRIOR);
        Random rng = new Random(4);
        for (int i = 0; i < 400; i++) {
            int gold = rng.nextInt(2);
            learner.learnGold(2, new Vote("w", rng.nextDouble() < 0.95 ? gold : 1 - gold), gold, models);
            learner.learnGoldItem(2, gold, models);
        }
        double est = new DawidSkene(PRIOR).estimatedAccuracy(models.get(2, "w"), ConfusionLearner.classProbabilities(2, models));
        assertEquals(0.95, est, 0.03);
        assertEquals(400, models.get(2, "w").goldAnswers());
    }

    @Test
    void theModelChangesWithEveryConsolidatedItem() {
        InMemoryWorkerModels models = new InMemoryWorkerModels();
        ConfusionLearner learner = new ConfusionLearner(PRIOR);
        Aggregator agg = new DawidSkene(PRIOR);
        double before = agg.estimatedAccuracy(WorkerModel.prior(2, PRIOR), new double[] {0.5, 0.5});
        List<Vote> votes = List.of(new Vote("a", 0), new Vote("b", 0), new Vote("c", 1));
        double[] post = agg.posterior(2, votes, models);
        learner.learn(2, votes, post, models);
        double[] pi = ConfusionLearner.classProbabilities(2, models);
        assertTrue(agg.estimatedAccuracy(models.get(2, "a"), pi) > before);
        assertTrue(agg.estimatedAccuracy(models.get(2, "c"), pi) < before);
        assertEquals(1, models.get(2, "a").answers());
    }
}
