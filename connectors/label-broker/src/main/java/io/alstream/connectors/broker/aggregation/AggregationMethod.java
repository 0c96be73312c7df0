package io.alstream.connectors.broker.aggregation;

import java.util.Locale;

/** The aggregation methods of the broker; {@link #id()} is what ConsolidatedLabel.method carries. */
public enum AggregationMethod {
    /** Share of votes per class. */
    MAJORITY("majority"),
    /** Dawid–Skene with one accuracy per worker, errors spread evenly over the other classes. */
    ONE_COIN_DS("one-coin-ds"),
    /** Dawid–Skene with a full confusion matrix per worker. */
    DAWID_SKENE("dawid-skene");

    private final String id;

    AggregationMethod(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Accepts the id ({@code dawid-skene}) or the enum name ({@code DAWID_SKENE}), any case. */
    public static AggregationMethod parse(String s) {
        for (AggregationMethod m : values()) {
            if (m.id.equalsIgnoreCase(s) || m.name().equalsIgnoreCase(s.replace('-', '_'))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown aggregation method '" + s + "'; one of majority, one-coin-ds, dawid-skene");
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
