package io.alstream.learner.selection;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.LearnerConfig.BudgetKind;
import io.alstream.learner.LearnerConfig.PolicyKind;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every selection policy passes: spending tracks the budget on a random stream, decisions are
 * deterministic, a checkpoint (Java serialization) taken mid-stream continues identically, NaN scores are
 * never requested, and constant scores do not overspend.
 */
class SelectionPolicyContractTest {
    private static final int WINDOW = 50;

    static Stream<Arguments> policies() {
        List<Arguments> a = new ArrayList<>();
        for (PolicyKind p : PolicyKind.values()) {
            a.add(Arguments.of(p, BudgetKind.FRACTION, 0.1));
            a.add(Arguments.of(p, BudgetKind.LABELS_PER_MINUTE, 60.0)); // events arrive at 600/min below: 10%
        }
        return a.stream();
    }

    static SelectionPolicy make(PolicyKind p, BudgetKind b, double budget) {
        return SelectionPolicies.fromConfig(LearnerConfig.builder().policyKind(p).budgetKind(b).budget(budget).build());
    }

    /** Runs n events (100 ms apart) in windows of 50; returns the requested event numbers. */
    static List<Integer> run(SelectionPolicy policy, double[] scores, int from, int to) {
        List<Integer> chosen = new ArrayList<>();
        for (int start = from; start < to; start += WINDOW) {
            double[] w = java.util.Arrays.copyOfRange(scores, start, Math.min(to, start + WINDOW));
            for (int i : policy.offerWindow(w, start * 100L)) {
                chosen.add(start + i);
            }
        }
        return chosen;
    }

    static double[] scores(long seed, int n) {
        SplitMix64 rng = new SplitMix64(seed);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = Math.exp(rng.nextGaussian()); // skewed, positive: like entropy-type scores
        }
        return s;
    }

    @ParameterizedTest
    @MethodSource("policies")
    void spendsTheBudgetDeterministicallyAndResumesFromACheckpoint(PolicyKind p, BudgetKind b, double budget) throws Exception {
        int n = 6000;
        double[] s = scores(17, n);
        SelectionPolicy one = make(p, b, budget);
        List<Integer> all = run(one, s, 0, n);
        double target = 0.1; // 0.1 of events, or 60/min at 600 events/min
        assertTrue(Math.abs(one.spent() - target) < 0.025, p + "/" + b + " spent " + one.spent() + " of target " + target);
        assertEquals(all.size(), one.requested());
        assertEquals(n, one.seen());

        SelectionPolicy two = make(p, b, budget);
        List<Integer> firstHalf = run(two, s, 0, n / 2);
        SelectionPolicy restored = roundTrip(two);
        firstHalf.addAll(run(restored, s, n / 2, n));
        assertEquals(all, firstHalf, "checkpoint + restore must continue identically");

        // informative events are preferred: requested events score above the stream's median
        double[] sorted = s.clone();
        java.util.Arrays.sort(sorted);
        double mean = all.stream().mapToDouble(i -> s[i]).average().orElse(0);
        assertTrue(mean > sorted[n / 2], p + " requests no better than random: " + mean);
    }

    @ParameterizedTest
    @MethodSource("policies")
    void degenerateScores(PolicyKind p, BudgetKind b, double budget) {
        double[] nan = new double[500];
        java.util.Arrays.fill(nan, Double.NaN);
        SelectionPolicy policy = make(p, b, budget);
        assertEquals(0, run(policy, nan, 0, nan.length).size(), "NaN scores are never requested");
        double[] constant = new double[2000];
        java.util.Arrays.fill(constant, 0.5);
        SelectionPolicy c = make(p, b, budget);
        run(c, constant, 0, constant.length);
        assertTrue(c.spent() <= 0.1 + 0.01, p + " overspent on constant scores: " + c.spent());
    }

    static SelectionPolicy roundTrip(SelectionPolicy p) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(p);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (SelectionPolicy) in.readObject();
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void streamingPoliciesGiveTheSameAnswerEventByEvent(PolicyKind p, BudgetKind b, double budget) {
        if (p == PolicyKind.WINDOWED_TOP_K) {
            return; // decides per window by design
        }
        double[] s = scores(3, 400);
        SelectionPolicy windowed = make(p, b, budget);
        SelectionPolicy single = make(p, b, budget);
        List<Integer> viaWindows = run(windowed, s, 0, s.length);
        List<Integer> viaEvents = new ArrayList<>();
        for (int start = 0; start < s.length; start += WINDOW) {
            for (int i = start; i < Math.min(s.length, start + WINDOW); i++) {
                if (single.offer(s[i], start * 100L)) {
                    viaEvents.add(i);
                }
            }
        }
        assertArrayEquals(viaWindows.toArray(), viaEvents.toArray());
    }
}
