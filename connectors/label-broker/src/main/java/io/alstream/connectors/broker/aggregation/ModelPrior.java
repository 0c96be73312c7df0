package io.alstream.connectors.broker.aggregation;

/**
 * The belief about a worker before any of its answers is scored: accuracy in (1/K, 1) held with the
 * weight of {@code strength} answers per true class. A prior above chance breaks the label-swap
 * symmetry of Dawid–Skene (without it, "everyone always wrong the same way" fits as well).
 */
public record ModelPrior(double accuracy, double strength) {
    public static final ModelPrior DEFAULT = new ModelPrior(0.7, 4.0);

    public ModelPrior {
        if (!(accuracy > 0 && accuracy < 1)) {
            throw new IllegalArgumentException("prior accuracy must lie in (0,1), was " + accuracy);
        }
        if (!(strength > 0)) {
            throw new IllegalArgumentException("prior strength must be positive, was " + strength);
        }
    }
}
