package io.alstream.learner;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Every knob of the learner, with a default for each. Immutable and {@link Serializable}: the Flink job
 * ships it to every task. Build with {@link #builder()}; {@link #toString()} prints one readable line per
 * group for logs.
 */
public final class LearnerConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Hidden non-linearity of the MLP. */
    public enum Activation { RELU, TANH }

    /** Which empirical NTK the linearised model uses (DESIGN 4.2). */
    public enum KernelKind {
        /** pseudo-NTK of g = sum_c f_c / sqrt(C), used as Theta (x) I_C: one scalar kernel shared by the classes. */
        PNTK,
        /** NTK of the first output only, used as Theta (x) I_C (the look-ahead paper's "single logit"). */
        FIRST_LOGIT,
        /** the full C x C block kernel: |T|*C rows in A; exact but C^2 times the cost. */
        FULL
    }

    /** How posterior samples for balent/bald/... are drawn (DESIGN 4.3, last bullet). */
    public enum PosteriorKind {
        /** Gaussian of the linearised model: mean f(x), variance from Sigma(x,x) (scaled, see {@link #gaussianPriorVariance}). */
        GAUSSIAN,
        /** MC dropout on the network (consistent masks across candidates) plus the kernel-regression mean K(x,T) alpha. */
        MC_DROPOUT
    }

    /** The prediction a look-ahead compares against (DESIGN 4.3 lookahead). */
    public enum LookaheadReference {
        /** the online linearised f (the authors' repo config; Eq. 13 "current model"). */
        LINEARISED,
        /** the network f0 at the linearisation point (the authors' code default). */
        NETWORK
    }

    /** Where pseudo-labels (look-ahead y' and pending entries) come from. */
    public enum PseudoLabelSource {
        /** onehot(argmax f0(x)) - the network's own prediction, as in the authors' code. */
        NETWORK,
        /** onehot(argmax f(x)) - the online model's prediction. */
        ONLINE
    }

    /**
     * The spread standardised inputs get (issue 10, item 1). Both centre every feature and divide it by its standard
     * deviation; they differ by one factor common to all features.
     */
    public enum StandardizeScale {
        /** Each feature has variance 1: the input vector's mean squared norm is the number of features. */
        UNIT_VARIANCE,
        /**
         * Each feature has variance 1/k (k: the features with any spread), so the input vector's mean squared norm
         * is 1 whatever the number of features. The untrained network's output then stays small next to the
         * one-hot targets; at unit variance it grows with the input's norm and the trained network keeps part of
         * that random function (measured: bench/results/digits-standardize/).
         */
        UNIT_NORM
    }

    /** When a (re)training stops (issue 10, item 2). */
    public enum TrainStop {
        /** After train-epochs epochs (extended to train-min-steps steps), at most train-steps steps. */
        EPOCHS,
        /**
         * When the epoch loss has not fallen 1% below its best for train-patience-steps steps and 10 epochs (the
         * offline yardstick's rule), after at least train-min-steps steps, at most train-steps steps; train-epochs
         * does not bind.
         */
        PLATEAU
    }

    /** Floating-point type of the kernel maths on the device. */
    public enum Precision { FLOAT32, FLOAT64 }

    /** Which budgeted selection policy {@code SelectionPolicies.fromConfig} builds. */
    public enum PolicyKind { QUANTILE_FILTER, VARIABLE_UNCERTAINTY, WINDOWED_TOP_K }

    /** How the label budget is expressed. */
    public enum BudgetKind { FRACTION, LABELS_PER_MINUTE }

    // ---- network
    private final int inputDim;
    private final int numClasses;
    private final int[] hiddenWidths;
    private final Activation activation;
    private final double dropout;
    private final long seed;
    private final boolean standardizeInputs;
    private final StandardizeScale standardizeScale;
    // ---- kernel / online state
    private final KernelKind kernelKind;
    private final double ridgeLambda;
    private final int kernelCap;
    private final int kernelCapWhileRetraining;
    private final int refreshEvery;
    private final double refreshGrowth;
    private final int warmupLabels;
    private final int maxTrainingLabels;
    private final int dedupWindow;
    private final Precision precision;
    // ---- training
    private final int trainEpochs;
    private final int trainSteps;
    private final int trainMinSteps;
    private final TrainStop trainStop;
    private final int trainPatienceSteps;
    private final double learningRate;
    private final int batchSize;
    private final boolean refreshWarmStart;
    // ---- posterior / scoring
    private final PosteriorKind posteriorKind;
    private final int posteriorSamples;
    private final double gaussianPriorVariance;
    private final double softmaxTemperature;
    private final int referencePoolSize;
    private final List<String> acquisitionFunctions;
    private final String selectBy;
    private final LookaheadReference lookaheadReference;
    private final PseudoLabelSource pseudoLabelSource;
    private final int lookaheadChunk;
    // ---- selection
    private final PolicyKind policyKind;
    private final BudgetKind budgetKind;
    private final double budget;
    private final int quantileWindow;
    private final double quantileTolerance;
    private final double uncertaintyStep;
    private final double uncertaintyInitialThreshold;
    private final int topKWindow;

    private LearnerConfig(Builder b) {
        this.inputDim = b.inputDim;
        this.numClasses = b.numClasses;
        this.hiddenWidths = b.hiddenWidths.clone();
        this.activation = b.activation;
        this.dropout = b.dropout;
        this.seed = b.seed;
        this.standardizeInputs = b.standardizeInputs;
        this.standardizeScale = b.standardizeScale;
        this.kernelKind = b.kernelKind;
        this.ridgeLambda = b.ridgeLambda;
        this.kernelCap = b.kernelCap;
        this.kernelCapWhileRetraining = b.kernelCapWhileRetraining;
        this.refreshEvery = b.refreshEvery;
        this.refreshGrowth = b.refreshGrowth;
        this.warmupLabels = b.warmupLabels;
        this.maxTrainingLabels = b.maxTrainingLabels;
        this.dedupWindow = b.dedupWindow;
        this.precision = b.precision;
        this.trainEpochs = b.trainEpochs;
        this.trainSteps = b.trainSteps;
        this.trainMinSteps = b.trainMinSteps;
        this.trainStop = b.trainStop;
        this.trainPatienceSteps = b.trainPatienceSteps;
        this.learningRate = b.learningRate;
        this.batchSize = b.batchSize;
        this.refreshWarmStart = b.refreshWarmStart;
        this.posteriorKind = b.posteriorKind;
        this.posteriorSamples = b.posteriorSamples;
        this.gaussianPriorVariance = b.gaussianPriorVariance;
        this.softmaxTemperature = b.softmaxTemperature;
        this.referencePoolSize = b.referencePoolSize;
        this.acquisitionFunctions = Collections.unmodifiableList(new ArrayList<>(b.acquisitionFunctions));
        this.selectBy = b.selectBy;
        this.lookaheadReference = b.lookaheadReference;
        this.pseudoLabelSource = b.pseudoLabelSource;
        this.lookaheadChunk = b.lookaheadChunk;
        this.policyKind = b.policyKind;
        this.budgetKind = b.budgetKind;
        this.budget = b.budget;
        this.quantileWindow = b.quantileWindow;
        this.quantileTolerance = b.quantileTolerance;
        this.uncertaintyStep = b.uncertaintyStep;
        this.uncertaintyInitialThreshold = b.uncertaintyInitialThreshold;
        this.topKWindow = b.topKWindow;
    }

    public static Builder builder() { return new Builder(); }

    /** A builder pre-filled with this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.inputDim = inputDim; b.numClasses = numClasses; b.hiddenWidths = hiddenWidths.clone();
        b.activation = activation; b.dropout = dropout; b.seed = seed; b.standardizeInputs = standardizeInputs;
        b.standardizeScale = standardizeScale; b.kernelKind = kernelKind;
        b.ridgeLambda = ridgeLambda; b.kernelCap = kernelCap; b.kernelCapWhileRetraining = kernelCapWhileRetraining; b.refreshEvery = refreshEvery; b.refreshGrowth = refreshGrowth;
        b.warmupLabels = warmupLabels; b.maxTrainingLabels = maxTrainingLabels; b.dedupWindow = dedupWindow; b.precision = precision;
        b.trainEpochs = trainEpochs; b.trainSteps = trainSteps;
        b.trainMinSteps = trainMinSteps; b.trainStop = trainStop; b.trainPatienceSteps = trainPatienceSteps; b.learningRate = learningRate; b.batchSize = batchSize;
        b.refreshWarmStart = refreshWarmStart; b.posteriorKind = posteriorKind;
        b.posteriorSamples = posteriorSamples; b.gaussianPriorVariance = gaussianPriorVariance;
        b.softmaxTemperature = softmaxTemperature; b.referencePoolSize = referencePoolSize;
        b.acquisitionFunctions = new ArrayList<>(acquisitionFunctions); b.selectBy = selectBy;
        b.lookaheadReference = lookaheadReference; b.pseudoLabelSource = pseudoLabelSource;
        b.lookaheadChunk = lookaheadChunk; b.policyKind = policyKind; b.budgetKind = budgetKind;
        b.budget = budget; b.quantileWindow = quantileWindow; b.quantileTolerance = quantileTolerance;
        b.uncertaintyStep = uncertaintyStep; b.uncertaintyInitialThreshold = uncertaintyInitialThreshold;
        b.topKWindow = topKWindow;
        return b;
    }

    public int inputDim() { return inputDim; }
    public int numClasses() { return numClasses; }
    public int[] hiddenWidths() { return hiddenWidths.clone(); }
    public Activation activation() { return activation; }
    public double dropout() { return dropout; }
    public long seed() { return seed; }
    /** Each linearisation standardises its inputs by the feature moments seen up to its retrain. */
    public boolean standardizeInputs() { return standardizeInputs; }
    public StandardizeScale standardizeScale() { return standardizeScale; }
    public KernelKind kernelKind() { return kernelKind; }
    public double ridgeLambda() { return ridgeLambda; }
    public int kernelCap() { return kernelCap; }
    /**
     * Most entries T holds while a retrain runs in the background (0: twice {@link #kernelCap()}). Labels folded
     * meanwhile enter T until then; beyond it they are kept for the next retrain only, so a long retrain under a
     * burst of labels does not grow A^{-1} (and every fold's and scorer's pass over it) without bound.
     */
    public int kernelCapWhileRetraining() {
        return kernelCapWhileRetraining > 0 ? Math.max(kernelCapWhileRetraining, kernelCap) : 2 * kernelCap;
    }
    /** The setting as given: 0 = twice {@link #kernelCap()} (what {@link #kernelCapWhileRetraining()} resolves). */
    public int kernelCapWhileRetrainingSetting() { return kernelCapWhileRetraining; }
    public int refreshEvery() { return refreshEvery; }
    /** 0 = off; g > 1: also retrain when the labels folded reach g times those at the last retraining. */
    public double refreshGrowth() { return refreshGrowth; }
    public int warmupLabels() { return warmupLabels; }
    public int maxTrainingLabels() { return maxTrainingLabels; }
    /** How many of the most recently folded event ids are remembered to refuse a second fold. */
    public int dedupWindow() { return dedupWindow; }
    public Precision precision() { return precision; }
    public int trainEpochs() { return trainEpochs; }
    /** Most optimizer steps per (re)training, whatever the number of kept labels. */
    public int trainSteps() { return trainSteps; }
    public int trainMinSteps() { return trainMinSteps; }
    public TrainStop trainStop() { return trainStop; }
    public int trainPatienceSteps() { return trainPatienceSteps; }

    /** The epochs one (re)training on n labels may run: train-epochs, extended so that they hold train-min-steps steps; unbounded under the plateau rule. */
    public int trainEpochsFor(int n) {
        if (trainStop == TrainStop.PLATEAU) {
            return Integer.MAX_VALUE;
        }
        long batches = Math.max(1, (n + (long) batchSize - 1) / batchSize);
        long forMinSteps = (trainMinSteps + batches - 1) / batches;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(trainEpochs, forMinSteps));
    }
    public double learningRate() { return learningRate; }
    public int batchSize() { return batchSize; }
    public boolean refreshWarmStart() { return refreshWarmStart; }
    public PosteriorKind posteriorKind() { return posteriorKind; }
    public int posteriorSamples() { return posteriorSamples; }
    public double gaussianPriorVariance() { return gaussianPriorVariance; }
    public double softmaxTemperature() { return softmaxTemperature; }
    public int referencePoolSize() { return referencePoolSize; }
    /** Acquisition functions computed besides {@link #selectBy()}, on request (reported in label requests). */
    public List<String> acquisitionFunctions() { return acquisitionFunctions; }

    /**
     * What a scorer computes: the selecting function first, then the requested others (canonical names, no
     * repeats). By default just the selecting one: the others cost as much again and nothing reads them.
     */
    public List<String> scoredFunctions() {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        names.add(io.alstream.learner.acquisition.Acquisitions.canonical(selectBy));
        for (String f : acquisitionFunctions) {
            names.add(io.alstream.learner.acquisition.Acquisitions.canonical(f));
        }
        return List.copyOf(names);
    }
    public String selectBy() { return selectBy; }
    public LookaheadReference lookaheadReference() { return lookaheadReference; }
    public PseudoLabelSource pseudoLabelSource() { return pseudoLabelSource; }
    public int lookaheadChunk() { return lookaheadChunk; }
    public PolicyKind policyKind() { return policyKind; }
    public BudgetKind budgetKind() { return budgetKind; }
    public double budget() { return budget; }
    public int quantileWindow() { return quantileWindow; }
    public double quantileTolerance() { return quantileTolerance; }
    public double uncertaintyStep() { return uncertaintyStep; }
    public double uncertaintyInitialThreshold() { return uncertaintyInitialThreshold; }
    public int topKWindow() { return topKWindow; }

    /** Rows of A per label: 1 for the scalar kernels, C for the full kernel. */
    public int kernelBlock() { return kernelKind == KernelKind.FULL ? numClasses : 1; }

    @Override
    public String toString() {
        return "LearnerConfig{network: " + inputDim + " -> " + java.util.Arrays.toString(hiddenWidths) + " -> "
                + numClasses + ", " + activation + ", dropout " + dropout + ", seed " + seed
                + (standardizeInputs ? ", standardised inputs (" + String.valueOf(standardizeScale).toLowerCase(java.util.Locale.ROOT) + ")" : ", raw inputs")
                + " | kernel: " + kernelKind + ", lambda " + ridgeLambda + ", cap |T| " + kernelCap + " (" + kernelCapWhileRetraining() + " while retraining)"
                + ", retrain at the cap" + (refreshEvery > 0 ? ", every " + refreshEvery + " labels" : "")
                + (refreshGrowth > 1 ? ", at x" + refreshGrowth + " the labels of the last training" : "")
                + ", warmup " + warmupLabels + " labels, " + precision
                + " | training: " + (trainStop == TrainStop.PLATEAU ? "to a loss plateau (patience " + trainPatienceSteps + " steps)"
                        : trainEpochs + " epochs") + (trainMinSteps > 0 ? ", at least " + trainMinSteps + " steps" : "")
                + " (at most " + trainSteps + " steps), lr " + learningRate + ", batch " + batchSize
                + (refreshWarmStart ? ", warm start" : ", from scratch") + ", keep " + maxTrainingLabels + " labels, dedup window " + dedupWindow
                + " | posterior: " + posteriorKind + " x" + posteriorSamples + ", prior var " + gaussianPriorVariance
                + ", softmax T " + softmaxTemperature
                + " | acquisition: " + acquisitionFunctions + ", select by " + selectBy + ", pool " + referencePoolSize
                + ", lookahead vs " + lookaheadReference + ", pseudo-labels from " + pseudoLabelSource
                + " | selection: " + policyKind + ", budget " + budget
                + (budgetKind == BudgetKind.FRACTION ? " of events" : " labels/min")
                + ", window " + quantileWindow + ", tolerance " + quantileTolerance + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LearnerConfig && toString().equals(o.toString());
    }

    @Override
    public int hashCode() { return toString().hashCode(); }

    /** Builder; every field has a default. {@link #build()} validates. */
    public static final class Builder {
        private int inputDim = 64;
        private int numClasses = 10;
        private int[] hiddenWidths = {256};
        private Activation activation = Activation.RELU;
        private double dropout = 0.0;
        private long seed = 42L;
        private boolean standardizeInputs = true;
        private StandardizeScale standardizeScale = StandardizeScale.UNIT_NORM;
        private KernelKind kernelKind = KernelKind.PNTK;
        private double ridgeLambda = 10;
        private int kernelCap = 1024;
        private int kernelCapWhileRetraining = 0;
        private int refreshEvery = 0;
        private double refreshGrowth = 2;
        private int warmupLabels = 50;
        private int maxTrainingLabels = 100_000;
        private int dedupWindow = 100_000;
        private Precision precision = Precision.FLOAT64;
        private int trainEpochs = 100;
        private int trainSteps = 20_000;
        private int trainMinSteps = 0;
        private TrainStop trainStop = TrainStop.EPOCHS;
        private int trainPatienceSteps = 300;
        private double learningRate = 1e-3;
        private int batchSize = 32;
        private boolean refreshWarmStart = true;
        private PosteriorKind posteriorKind = PosteriorKind.GAUSSIAN;
        private int posteriorSamples = 20;
        private double gaussianPriorVariance = 0.25;
        private double softmaxTemperature = 0.1;
        private int referencePoolSize = 512;
        private List<String> acquisitionFunctions = new ArrayList<>();
        private String selectBy = "balent";
        private LookaheadReference lookaheadReference = LookaheadReference.LINEARISED;
        private PseudoLabelSource pseudoLabelSource = PseudoLabelSource.NETWORK;
        private int lookaheadChunk = 128;
        private PolicyKind policyKind = PolicyKind.QUANTILE_FILTER;
        private BudgetKind budgetKind = BudgetKind.FRACTION;
        private double budget = 0.1;
        private int quantileWindow = 100;
        // 10, not the 50 first chosen: as the model learns its scores drift down, and a looser controller
        // then lags the budget by several labels per scoring shard (measured: 8.9% spent of a 10% budget
        // in the demo at 50, 9.8% at 10)
        private double quantileTolerance = 10;
        private double uncertaintyStep = 0.01;
        private double uncertaintyInitialThreshold = Double.NaN;
        private int topKWindow = 100;

        private Builder() { }

        /** Length of each event's feature vector. Default 64. */
        public Builder inputDim(int v) { inputDim = v; return this; }
        /** Number of classes C. Default 10. */
        public Builder numClasses(int v) { numClasses = v; return this; }
        /** Hidden layer widths, input to output. Default {256}. */
        public Builder hiddenWidths(int... v) { hiddenWidths = v.clone(); return this; }
        /** Default RELU. */
        public Builder activation(Activation v) { activation = v; return this; }
        /** Dropout after each hidden activation, in [0,1). Default 0 (needed > 0 for MC_DROPOUT). */
        public Builder dropout(double v) { dropout = v; return this; }
        /** Seed of every random choice (initialisation, shuffling, dropout, samples, reservoir). Default 42. */
        public Builder seed(long v) { seed = v; return this; }
        /**
         * Standardise the inputs: the model keeps the running mean and variance of every feature it sees (scored
         * events passed to {@code OnlineModel.observe}, pending requests, labels), each retrain freezes them and the
         * new linearisation (network, f0, NTK features, scorers' copies) works on (x - mean)/sd, sd scaled as
         * {@link #standardizeScale} says. Raw inputs until the first retrain. Default true: at unit norm it is
         * measured better than or level with raw inputs on every data set of the benchmark (+8 to +24 points on raw
         * satellite, shuttle, letter; digits and Fashion-MNIST within about a point; bench/results/{letter,satellite,
         * shuttle,fashion-mnist}/learner-standardized, digits-standardize). Float32 kernel maths select what float64
         * selects with it on (PrecisionSelectionTest) since the posterior samples and the acquisitions computed from
         * them are float64 (bench/results/digits-standardize/diagnosis/float32-balent). False: the network sees raw
         * features, as before.
         */
        public Builder standardizeInputs(boolean v) { standardizeInputs = v; return this; }
        /** The spread of standardised inputs: unit norm (default) or unit variance per feature. */
        public Builder standardizeScale(StandardizeScale v) { standardizeScale = java.util.Objects.requireNonNull(v); return this; }
        /** Default PNTK. */
        public Builder kernelKind(KernelKind v) { kernelKind = v; return this; }
        /**
         * Ridge lambda added to K(T,T). Default 10: 1e-3 interpolates (on Fashion-MNIST folded labels made the
         * model worse than the network they correct; 10-100 best there, 1-10 on digits).
         */
        public Builder ridgeLambda(double v) { ridgeLambda = v; return this; }
        /** Max |T| (labels + pending since the last refresh) before a refresh. Default 1024. */
        public Builder kernelCap(int v) { kernelCap = v; return this; }
        public Builder kernelCapWhileRetraining(int v) { kernelCapWhileRetraining = v; return this; }
        /** Refresh every N folded labels as well; 0 = off (the cap and refreshGrowth still apply). Default 0. */
        public Builder refreshEvery(int v) { refreshEvery = v; return this; }
        /**
         * Geometric schedule: retrain when the labels folded reach g x those at the last retraining (0 = off).
         * Default 2: retraining at 2x, 4x, 8x the seed set took lookahead-mlmoc from 2,220 to 1,292 labels to
         * random's 2,000-label accuracy on Fashion-MNIST (bench/results/fashion-mnist/probes/refresh-growth-2).
         */
        public Builder refreshGrowth(double v) { refreshGrowth = v; return this; }
        /** Labels (the seed set) folded before the network's first training; 0 = never train automatically. Default 50. */
        public Builder warmupLabels(int v) { warmupLabels = v; return this; }
        /** Most recent labels kept for retraining at a refresh. Default 100000. */
        public Builder maxTrainingLabels(int v) { maxTrainingLabels = v; return this; }
        /**
         * The newest folded event ids remembered, so a label delivered again folds once (DESIGN 6). Bounded so the
         * trainer's state does not grow with every label ever folded: a replay after a restore starts at the
         * checkpoint, so the window must only cover labels redelivered later than that (the broker's re-queues
         * within a request's deadline). Default 100000.
         */
        public Builder dedupWindow(int v) { dedupWindow = v; return this; }
        /** Float type of the kernel maths. Default FLOAT64 (the references need it; FLOAT32 is faster on GPUs). */
        public Builder precision(Precision v) { precision = v; return this; }
        /** Epochs per (re)training. Default 100. */
        public Builder trainEpochs(int v) { trainEpochs = v; return this; }
        /**
         * Step budget of one (re)training: at most this many Adam steps (mini-batches), so a retrain on 100,000
         * kept labels costs the same as one on 6,400 instead of growing with epochs x labels. Default 20000:
         * the 100 epochs of batch 32 fit in it up to 6,400 kept labels (every label count of the benchmarks).
         */
        public Builder trainSteps(int v) { trainSteps = v; return this; }
        /**
         * Fewest Adam steps of one (re)training, whatever the kept labels: with few labels an epoch is a step or
         * two, and a fixed number of epochs leaves the network untrained. Default 0 (epochs alone).
         */
        public Builder trainMinSteps(int v) { trainMinSteps = v; return this; }
        /** When a (re)training stops: after its epochs, or at a loss plateau. Default EPOCHS. */
        public Builder trainStop(TrainStop v) { trainStop = java.util.Objects.requireNonNull(v); return this; }
        /** Steps without a 1% fall of the epoch loss that end a (re)training under the plateau rule. Default 300. */
        public Builder trainPatienceSteps(int v) { trainPatienceSteps = v; return this; }
        /** Adam learning rate. Default 1e-3. */
        public Builder learningRate(double v) { learningRate = v; return this; }
        /** Mini-batch size. Default 32. */
        public Builder batchSize(int v) { batchSize = v; return this; }
        /** Refresh continues from the current weights (true) or re-initialises (false). Default true. */
        public Builder refreshWarmStart(boolean v) { refreshWarmStart = v; return this; }
        /** Default GAUSSIAN. */
        public Builder posteriorKind(PosteriorKind v) { posteriorKind = v; return this; }
        /** Posterior samples S per candidate. Default 20. */
        public Builder posteriorSamples(int v) { posteriorSamples = v; return this; }
        /** Prior variance of each output for GAUSSIAN samples: var = this * Sigma(x,x)/K(x,x). Default 0.25. */
        public Builder gaussianPriorVariance(double v) { gaussianPriorVariance = v; return this; }
        /** Outputs are regression values on one-hot targets; probabilities = softmax(f / T). Default 0.1. */
        public Builder softmaxTemperature(double v) { softmaxTemperature = v; return this; }
        /** Reservoir size of the look-ahead reference pool. Default 512. */
        public Builder referencePoolSize(int v) { referencePoolSize = v; return this; }
        /**
         * Acquisition functions the scorer computes besides selectBy (names of {@code Acquisitions}), for the
         * label requests' score map. Default none: only the selecting function is computed.
         */
        public Builder acquisitionFunctions(List<String> v) { acquisitionFunctions = new ArrayList<>(v); return this; }
        /**
         * The acquisition function whose score the selection policy sees. Default balent: with margin the
         * fewest labels to random's 2,000-label accuracy on Fashion-MNIST (bench/results/fashion-mnist).
         */
        public Builder selectBy(String v) { selectBy = v; return this; }
        /** Default LINEARISED. */
        public Builder lookaheadReference(LookaheadReference v) { lookaheadReference = v; return this; }
        /** Default NETWORK. */
        public Builder pseudoLabelSource(PseudoLabelSource v) { pseudoLabelSource = v; return this; }
        /** Candidates per look-ahead chunk (bounds the |U| x chunk x C temporary). Default 128. */
        public Builder lookaheadChunk(int v) { lookaheadChunk = v; return this; }
        /** Default QUANTILE_FILTER. */
        public Builder policyKind(PolicyKind v) { policyKind = v; return this; }
        /** Default FRACTION. */
        public Builder budgetKind(BudgetKind v) { budgetKind = v; return this; }
        /** Fraction of events in (0,1], or labels per minute. Default 0.1. */
        public Builder budget(double v) { budget = v; return this; }
        /** Recent scores the quantile filter keeps. Default 100. */
        public Builder quantileWindow(int v) { quantileWindow = v; return this; }
        /** Balancing tolerance w_tol of the quantile filter (events). Default 10. */
        public Builder quantileTolerance(double v) { quantileTolerance = v; return this; }
        /** Step s of variable uncertainty. Default 0.01. */
        public Builder uncertaintyStep(double v) { uncertaintyStep = v; return this; }
        /** Starting threshold of variable uncertainty; NaN = the first score seen. Default NaN. */
        public Builder uncertaintyInitialThreshold(double v) { uncertaintyInitialThreshold = v; return this; }
        /** Tumbling-window length for windowed top-k (events). Default 100. */
        public Builder topKWindow(int v) { topKWindow = v; return this; }

        public LearnerConfig build() {
            require(inputDim > 0, "inputDim must be positive, got " + inputDim);
            require(numClasses >= 1, "numClasses must be at least 1, got " + numClasses);
            Objects.requireNonNull(hiddenWidths, "hiddenWidths");
            for (int w : hiddenWidths) {
                require(w > 0, "hidden widths must be positive: " + java.util.Arrays.toString(hiddenWidths));
            }
            require(dropout >= 0 && dropout < 1, "dropout must be in [0,1), got " + dropout);
            require(ridgeLambda >= 0, "ridgeLambda must be >= 0, got " + ridgeLambda);
            require(kernelCap >= 1, "kernelCap must be >= 1, got " + kernelCap);
            require(kernelCapWhileRetraining >= 0, "kernelCapWhileRetraining must be >= 0 (0: twice kernelCap), got " + kernelCapWhileRetraining);
            require(refreshEvery >= 0 && warmupLabels >= 0, "refreshEvery and warmupLabels must be >= 0");
            require(refreshGrowth == 0 || refreshGrowth > 1, "refreshGrowth must be 0 (off) or > 1");
            require(maxTrainingLabels >= 1, "maxTrainingLabels must be >= 1");
            require(dedupWindow >= 1, "dedupWindow must be >= 1, got " + dedupWindow);
            require(trainEpochs >= 0 && learningRate > 0 && batchSize >= 1, "bad training settings");
            require(trainSteps >= 1, "trainSteps must be >= 1, got " + trainSteps);
            require(trainMinSteps >= 0, "trainMinSteps must be >= 0, got " + trainMinSteps);
            require(trainPatienceSteps >= 0, "trainPatienceSteps must be >= 0, got " + trainPatienceSteps);
            require(posteriorSamples >= 1, "posteriorSamples must be >= 1");
            require(gaussianPriorVariance >= 0, "gaussianPriorVariance must be >= 0");
            require(softmaxTemperature > 0, "softmaxTemperature must be > 0");
            require(referencePoolSize >= 0, "referencePoolSize must be >= 0");
            require(lookaheadChunk >= 1, "lookaheadChunk must be >= 1");
            require(posteriorKind != PosteriorKind.MC_DROPOUT || (dropout > 0 && hiddenWidths.length > 0),
                    "MC_DROPOUT posterior needs dropout > 0 and a hidden layer");
            require(budget > 0 && (budgetKind != BudgetKind.FRACTION || budget <= 1),
                    "budget must be a fraction in (0,1] or a positive labels/minute rate, got " + budget);
            require(quantileWindow >= 1 && quantileTolerance > 0 && uncertaintyStep > 0 && topKWindow >= 1,
                    "bad selection settings");
            for (String f : acquisitionFunctions) {
                io.alstream.learner.acquisition.Acquisitions.canonical(f); // throws for unknown names
            }
            io.alstream.learner.acquisition.Acquisitions.canonical(selectBy);
            return new LearnerConfig(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
