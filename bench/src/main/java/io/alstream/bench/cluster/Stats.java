package io.alstream.bench.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Empirical quantiles (nearest rank), NaN for no data. */
final class Stats {
    private Stats() {
    }

    static double quantile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, rank - 1)));
    }
}
