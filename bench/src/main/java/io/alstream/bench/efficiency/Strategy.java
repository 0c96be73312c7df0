package io.alstream.bench.efficiency;

import java.util.Locale;

/**
 * A selection strategy of the benchmark: the acquisition function whose score the budget policy sees.
 * {@code random}'s scores are seeded uniform numbers, so the budget policy requests a random b fraction of
 * the stream; the in-process path draws them without scoring (nothing to compute), the pipeline uses the
 * learner's {@code random} acquisition function.
 */
public enum Strategy {
    RANDOM("random", "random"),
    ENTROPY("entropy", "entropy"),
    MARGIN("margin", "margin"),
    BALD("bald", "bald"),
    BALENT("balent", "balent"),
    LOOKAHEAD_FLIP("lookahead-flip", "lookahead_flip"),
    LOOKAHEAD_MLMOC("lookahead-mlmoc", "lookahead_mlmoc");

    private final String label;
    private final String acquisition;

    Strategy(String label, String acquisition) {
        this.label = label;
        this.acquisition = acquisition;
    }

    /** The name on the command line and in the report. */
    public String label() { return label; }

    /** The learner's acquisition function. */
    public String acquisition() { return acquisition; }

    public static Strategy parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Strategy st : values()) {
            if (st.label.equals(k)) {
                return st;
            }
        }
        throw new IllegalArgumentException("unknown strategy '" + s + "'; known: random, entropy, margin, bald, balent, "
                + "lookahead-flip, lookahead-mlmoc");
    }
}
