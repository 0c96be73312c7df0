package io.alstream.connectors.broker.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every aggregation method must do, whatever its model. */
class AggregatorContractTest {
    private static final ModelPrior PRIOR = ModelPrior.DEFAULT;

    private static InMemoryWorkerModels trainedModels(AggregationMethod method) {
        // some history, so worker models differ from the prior
        InMemoryWorkerModels models = new InMemoryWorkerModels();
        Aggregator agg = Aggregator.of(method, PRIOR);
        ConfusionLearner learner = new ConfusionLearner(PRIOR);
        Random rng = new Random(3);
        for (int i = 0; i < 200; i++) {
            int truth = rng.nextInt(3);
            List<Vote> votes = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                votes.add(new Vote("w" + w, rng.nextDouble() < 0.5 + 0.1 * w ? truth : rng.nextInt(3)));
            }
            learner.learn(3, votes, agg.posterior(3, votes, models), models);
        }
        return models;
    }

    @ParameterizedTest
    @EnumSource(AggregationMethod.class)
    void posteriorsAreFiniteProbabilities(AggregationMethod method) {
        InMemoryWorkerModels models = trainedModels(method);
        Aggregator agg = Aggregator.of(method, PRIOR);
        Random rng = new Random(5);
        for (int i = 0; i < 100; i++) {
            List<Vote> votes = new ArrayList<>();
            for (int n = rng.nextInt(30); n >= 0; n--) {
                votes.add(new Vote("w" + rng.nextInt(6), rng.nextInt(3)));
            }
            double[] p = agg.posterior(3, votes, models);
            double sum = 0;
            for (double v : p) {
                assertTrue(Double.isFinite(v) && v >= 0 && v <= 1, method + ": " + v);
                sum += v;
            }
            assertEquals(1.0, sum, 1e-9);
        }
    }

    @ParameterizedTest
    @EnumSource(AggregationMethod.class)
    void theOrderOfAnswersDoesNotMatter(AggregationMethod method) {
        InMemoryWorkerModels models = trainedModels(method);
        Aggregator agg = Aggregator.of(method, PRIOR);
        List<Vote> votes = new ArrayList<>(List.of(new Vote("w0", 0), new Vote("w1", 2), new Vote("w3", 2), new Vote("w2", 1)));
        double[] p = agg.posterior(3, votes, models);
        Collections.reverse(votes);
        assertArrayEquals(p, agg.posterior(3, votes, models), 1e-12);
    }

    @ParameterizedTest
    @EnumSource(AggregationMethod.class)
    void unanimousAnswersWinAndMoreOfThemAreMoreConvincing(AggregationMethod method) {
        InMemoryWorkerModels models = new InMemoryWorkerModels();
        Aggregator agg = Aggregator.of(method, PRIOR);
        double[] two = agg.posterior(4, List.of(new Vote("a", 3), new Vote("b", 3)), models);
        double[] three = agg.posterior(4, List.of(new Vote("a", 3), new Vote("b", 3), new Vote("c", 3)), models);
        assertEquals(3, Aggregator.argmax(two));
        assertEquals(3, Aggregator.argmax(three));
        assertTrue(three[3] >= two[3], method + ": " + two[3] + " -> " + three[3]);
    }

    @ParameterizedTest
    @EnumSource(AggregationMethod.class)
    void noAnswersGiveTheClassPrior(AggregationMethod method) {
        double[] p = Aggregator.of(method, PRIOR).posterior(4, List.of(), new InMemoryWorkerModels());
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, p, 1e-12);
    }

    @ParameterizedTest
    @EnumSource(AggregationMethod.class)
    void manyAnswersDoNotUnderflow(AggregationMethod method) {
        List<Vote> votes = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            votes.add(new Vote("w" + i, i % 3 == 0 ? 1 : 0));
        }
        double[] p = Aggregator.of(method, PRIOR).posterior(2, votes, new InMemoryWorkerModels());
        assertEquals(0, Aggregator.argmax(p));
        assertTrue(Double.isFinite(p[0]) && Double.isFinite(p[1]));
    }
}
