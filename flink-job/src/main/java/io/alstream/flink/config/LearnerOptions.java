package io.alstream.flink.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.LearnerConfig.Builder;

/**
 * The {@code learner.*} settings of a config file, mapped onto {@link LearnerConfig}. Defaults are the
 * learner's own (read from a default-built config, never restated here); {@code data.feature-dim} and
 * {@code data.num-classes} fill in the network's input and output sizes.
 */
public final class LearnerOptions {

    /** One learner setting: its key (without {@code learner.}), how to show its default, how to apply a value. */
    public record Entry(String key, String description, Function<LearnerConfig, String> defaultOf,
                        BiConsumer<Builder, String> apply) {
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add("hidden-widths", "Hidden layer widths, comma-separated (e.g. 256 or 512,256).",
                c -> Arrays.stream(c.hiddenWidths()).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                (b, v) -> b.hiddenWidths(Arrays.stream(v.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray()));
        add("activation", "relu or tanh.", c -> lower(c.activation()),
                (b, v) -> b.activation(LearnerConfig.Activation.valueOf(upper(v))));
        add("dropout", "Dropout after each hidden layer, in [0,1); > 0 for the mc_dropout posterior.",
                c -> Double.toString(c.dropout()), (b, v) -> b.dropout(Double.parseDouble(v)));
        add("seed", "Seed of every random choice.", c -> Long.toString(c.seed()), (b, v) -> b.seed(Long.parseLong(v)));
        add("standardize-inputs", "Standardise features by the running mean and standard deviation the trainer has seen "
                + "(frozen per linearisation, updated at each retrain): for features in different units or far from zero; off, the network sees raw features.",
                c -> Boolean.toString(c.standardizeInputs()), (b, v) -> b.standardizeInputs(parseBoolean(v)));
        add("standardize-scale", "Spread of standardised inputs: unit_norm (each feature sd 1/sqrt(k) for k features with "
                + "spread: the input vector's mean squared norm is 1) or unit_variance (each feature sd 1).",
                c -> lower(c.standardizeScale()), (b, v) -> b.standardizeScale(LearnerConfig.StandardizeScale.valueOf(upper(v))));
        add("kernel", "Empirical NTK: pntk, first_logit or full.", c -> lower(c.kernelKind()),
                (b, v) -> b.kernelKind(LearnerConfig.KernelKind.valueOf(upper(v))));
        add("ridge-lambda", "Ridge added to K(T,T).", c -> Double.toString(c.ridgeLambda()),
                (b, v) -> b.ridgeLambda(Double.parseDouble(v)));
        add("kernel-cap", "Most labels (plus pending) in the linearisation before a refresh retrains the network.",
                c -> Integer.toString(c.kernelCap()), (b, v) -> b.kernelCap(Integer.parseInt(v)));
        add("kernel-cap-while-retraining", "Most entries in the linearisation while a retrain runs in the background; labels "
                + "beyond it wait in the training set for the next retrain instead of growing A^-1. 0 = twice kernel-cap.",
                c -> Integer.toString(c.kernelCapWhileRetrainingSetting()), (b, v) -> b.kernelCapWhileRetraining(Integer.parseInt(v)));
        add("refresh-every", "Also retrain every N labels; 0 = off (the cap and refresh-growth still apply).", c -> Integer.toString(c.refreshEvery()),
                (b, v) -> b.refreshEvery(Integer.parseInt(v)));
        add("refresh-growth", "Also retrain when the labels folded reach this multiple of those at the last retraining (2: at "
                + "2x, 4x, 8x the seed set); 0 = off.", c -> Double.toString(c.refreshGrowth()),
                (b, v) -> b.refreshGrowth(Double.parseDouble(v)));
        add("warmup-labels", "Labels (requested at random) before the network's first training.",
                c -> Integer.toString(c.warmupLabels()), (b, v) -> b.warmupLabels(Integer.parseInt(v)));
        add("max-training-labels", "Most recent labels kept for retraining.", c -> Integer.toString(c.maxTrainingLabels()),
                (b, v) -> b.maxTrainingLabels(Integer.parseInt(v)));
        add("dedup-window", "Newest folded event ids remembered so a redelivered label folds once.",
                c -> Integer.toString(c.dedupWindow()), (b, v) -> b.dedupWindow(Integer.parseInt(v)));
        add("precision", "float64 or float32 for the kernel maths.", c -> lower(c.precision()),
                (b, v) -> b.precision(LearnerConfig.Precision.valueOf(upper(v))));
        add("train-epochs", "Epochs per (re)training.", c -> Integer.toString(c.trainEpochs()),
                (b, v) -> b.trainEpochs(Integer.parseInt(v)));
        add("train-steps", "Step budget of one (re)training: at most this many mini-batch steps whatever the kept labels.",
                c -> Integer.toString(c.trainSteps()), (b, v) -> b.trainSteps(Integer.parseInt(v)));
        add("train-min-steps", "Fewest mini-batch steps of one (re)training whatever the kept labels (epochs are extended to reach it); 0 = epochs alone.",
                c -> Integer.toString(c.trainMinSteps()), (b, v) -> b.trainMinSteps(Integer.parseInt(v)));
        add("train-stop", "When a (re)training stops: epochs (after train-epochs) or plateau (when its epoch loss has not fallen 1% "
                + "for train-patience-steps steps and 10 epochs; train-epochs does not bind); both after train-min-steps, within train-steps.",
                c -> lower(c.trainStop()), (b, v) -> b.trainStop(LearnerConfig.TrainStop.valueOf(upper(v))));
        add("train-patience-steps", "Steps without a 1% fall of the epoch loss that end a (re)training under train-stop=plateau.",
                c -> Integer.toString(c.trainPatienceSteps()), (b, v) -> b.trainPatienceSteps(Integer.parseInt(v)));
        add("learning-rate", "Adam learning rate.", c -> Double.toString(c.learningRate()),
                (b, v) -> b.learningRate(Double.parseDouble(v)));
        add("batch-size", "Training mini-batch size.", c -> Integer.toString(c.batchSize()),
                (b, v) -> b.batchSize(Integer.parseInt(v)));
        add("refresh-warm-start", "A refresh continues from the current weights (true) or starts afresh.",
                c -> Boolean.toString(c.refreshWarmStart()), (b, v) -> b.refreshWarmStart(Boolean.parseBoolean(v)));
        add("posterior", "Posterior samples for balent/bald: gaussian or mc_dropout.", c -> lower(c.posteriorKind()),
                (b, v) -> b.posteriorKind(LearnerConfig.PosteriorKind.valueOf(upper(v))));
        add("posterior-samples", "Posterior samples per event.", c -> Integer.toString(c.posteriorSamples()),
                (b, v) -> b.posteriorSamples(Integer.parseInt(v)));
        add("softmax-temperature", "Probabilities are softmax(f / T) of the regression outputs.",
                c -> Double.toString(c.softmaxTemperature()), (b, v) -> b.softmaxTemperature(Double.parseDouble(v)));
        add("reference-pool", "Recent unlabeled events the look-ahead scores over (per scoring task; filled only when a look-ahead function is scored).",
                c -> Integer.toString(c.referencePoolSize()), (b, v) -> b.referencePoolSize(Integer.parseInt(v)));
        add("acquisitions", "Further acquisition functions computed for every event and written into its label request besides learner.select-by (comma-separated; empty = the selecting one only, which halves the scoring cost or better).",
                c -> String.join(",", c.acquisitionFunctions()),
                (b, v) -> b.acquisitionFunctions(Arrays.stream(v.split(",")).map(String::trim).filter(f -> !f.isEmpty())
                        .collect(Collectors.toList())));
        add("select-by", "The acquisition function whose score the budget policy sees (strategy).",
                LearnerConfig::selectBy, Builder::selectBy);
        add("lookahead-reference", "Look-ahead flip compares against: linearised or network.",
                c -> lower(c.lookaheadReference()), (b, v) -> b.lookaheadReference(LearnerConfig.LookaheadReference.valueOf(upper(v))));
        add("pseudo-labels", "Pseudo-labels for look-ahead and pending entries from: network or online.",
                c -> lower(c.pseudoLabelSource()), (b, v) -> b.pseudoLabelSource(LearnerConfig.PseudoLabelSource.valueOf(upper(v))));
        add("policy", "Budgeted selection: quantile_filter, variable_uncertainty or windowed_top_k.",
                c -> lower(c.policyKind()), (b, v) -> b.policyKind(LearnerConfig.PolicyKind.valueOf(upper(v))));
        add("budget-kind", "fraction (of events) or labels_per_minute.", c -> lower(c.budgetKind()),
                (b, v) -> b.budgetKind(LearnerConfig.BudgetKind.valueOf(upper(v))));
        add("budget", "The label budget: a fraction of events, or labels per minute.", c -> Double.toString(c.budget()),
                (b, v) -> b.budget(Double.parseDouble(v)));
        add("quantile-window", "Recent scores the quantile filter keeps.", c -> Integer.toString(c.quantileWindow()),
                (b, v) -> b.quantileWindow(Integer.parseInt(v)));
        add("quantile-tolerance", "How far spending may drift from budget x events before the filter corrects.",
                c -> Double.toString(c.quantileTolerance()), (b, v) -> b.quantileTolerance(Double.parseDouble(v)));
        add("uncertainty-step", "Threshold step of variable uncertainty.", c -> Double.toString(c.uncertaintyStep()),
                (b, v) -> b.uncertaintyStep(Double.parseDouble(v)));
        add("top-k-window", "Tumbling window (events) of windowed top-k.", c -> Integer.toString(c.topKWindow()),
                (b, v) -> b.topKWindow(Integer.parseInt(v)));
    }

    private LearnerOptions() {
    }

    private static void add(String key, String doc, Function<LearnerConfig, String> def, BiConsumer<Builder, String> apply) {
        ENTRIES.put(key, new Entry(key, doc, def, apply));
    }

    private static boolean parseBoolean(String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
            throw new IllegalArgumentException("expected true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(t);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static String upper(String s) {
        return s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public static List<Entry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(ENTRIES.values()));
    }

    /** The learner config the job's settings describe. Unknown {@code learner.*} keys are an error. */
    public static LearnerConfig from(JobConfig config) {
        Builder b = LearnerConfig.builder()
                .inputDim(config.get(JobOptions.FEATURE_DIM))
                .numClasses(config.get(JobOptions.NUM_CLASSES));
        for (Map.Entry<String, String> s : config.learnerSettings().entrySet()) {
            Entry e = ENTRIES.get(s.getKey());
            if (e == null) {
                throw new IllegalArgumentException("unknown setting 'learner." + s.getKey() + "'; `alstream options` lists them all");
            }
            try {
                e.apply().accept(b, s.getValue().trim());
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("setting learner." + s.getKey() + ": cannot use '" + s.getValue()
                        + "' (" + e.description() + ")", ex);
            }
        }
        return b.build();
    }

    /** The learner's defaults, for documentation. */
    public static LearnerConfig defaults() {
        return LearnerConfig.builder().build();
    }
}
