package io.alstream.learner.acquisition;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The names of every acquisition function (DESIGN 4.3) and the sample-based implementations. Aliases
 * from the reference code (balentacq, predictive_entropy, mean_stddev, meansd) are accepted.
 */
public final class Acquisitions {
    public static final String LOOKAHEAD_FLIP = "lookahead_flip";
    public static final String LOOKAHEAD_MLMOC = "lookahead_mlmoc";

    private static final Map<String, SampleAcquisition> SAMPLE = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        for (SampleAcquisition a : List.of(BalancedEntropy.FIXED_2025, BalancedEntropy.SNAPSHOT_2023, new Bald(),
                new PredictiveEntropy(), new Margin(), new LeastConfident(), new VariationRatios(), new MeanStdDev(),
                new RandomAcquisition())) {
            SAMPLE.put(a.name(), a);
        }
        ALIASES.put("balentacq", "balent");
        ALIASES.put("predictive_entropy", "entropy");
        ALIASES.put("max_entropy", "entropy");
        ALIASES.put("mean_stddev", "mean_std");
        ALIASES.put("meansd", "mean_std");
        ALIASES.put("least_confidence", "least_confident");
    }

    private Acquisitions() { }

    /** The canonical name, or IllegalArgumentException listing the known ones. */
    public static String canonical(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        n = ALIASES.getOrDefault(n, n);
        if (SAMPLE.containsKey(n) || isLookahead(n)) {
            return n;
        }
        throw new IllegalArgumentException("unknown acquisition function '" + name + "'; known: " + known());
    }

    public static boolean isLookahead(String canonicalName) {
        return LOOKAHEAD_FLIP.equals(canonicalName) || LOOKAHEAD_MLMOC.equals(canonicalName);
    }

    /** The sample-based function of that name (IllegalArgumentException for look-ahead or unknown names). */
    public static SampleAcquisition sampleBased(String name) {
        String n = canonical(name);
        SampleAcquisition a = SAMPLE.get(n);
        if (a == null) {
            throw new IllegalArgumentException("'" + name + "' needs a model and a reference pool, not probability samples");
        }
        return a;
    }

    public static List<String> sampleBasedNames() {
        return Collections.unmodifiableList(new ArrayList<>(SAMPLE.keySet()));
    }

    public static List<String> known() {
        List<String> all = new ArrayList<>(List.of(LOOKAHEAD_FLIP, LOOKAHEAD_MLMOC));
        all.addAll(SAMPLE.keySet());
        return all;
    }
}
