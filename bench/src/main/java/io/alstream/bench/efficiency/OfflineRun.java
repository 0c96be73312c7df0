package io.alstream.bench.efficiency;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.alstream.learner.FeatureMoments;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.nn.InputStandardization;
import io.alstream.learner.nn.LossPlateau;
import io.alstream.learner.nn.DeviceMlp;
import io.alstream.learner.nn.MlpNetwork;
import io.alstream.learner.nn.MlpWeights;
import io.alstream.learner.util.ComputeDevice;
import io.alstream.learner.util.SplitMix64;

import java.util.ArrayList;
import java.util.List;

/**
 * The offline yardstick: the streaming learner's own network (same widths, activation, dropout, loss, optimiser,
 * learning rate and mini-batch) trained from a fresh initialisation to convergence on N random labels, for each
 * label count N, and evaluated on the held-out set. The N labels are a uniform random sample of the stream (the
 * first N events of the seed's stream order): the pool-based learner that sees the same kind of labels as the
 * random strategy, with all of them at once and as much training as it needs. It is the line the streaming
 * learner's random baseline should reach. With the learner's standardisation on it trains and is evaluated on the
 * inputs the learner's network sees: standardised as the learner does, by the whole stream's moments.
 *
 * <p>Convergence: Adam until the epoch loss has not improved on its best by 1% for {@link #PATIENCE_STEPS} steps
 * (and at least {@link #PATIENCE_EPOCHS} epochs), after at least {@link #MIN_STEPS} steps, at most
 * {@link #MAX_STEPS} steps. The steps each count took are kept in the point's "events" column of points.csv
 * (there is no stream here), its seconds are the training time.
 */
public final class OfflineRun {
    static final int MIN_STEPS = 500;
    static final int MAX_STEPS = 20_000;
    static final int PATIENCE_STEPS = 300;
    static final int PATIENCE_EPOCHS = 10;
    static final double MIN_IMPROVEMENT = 0.01;

    public static final String LEARNER = "offline";
    public static final String STRATEGY = "network-from-scratch";

    private final BenchData data;
    private final long seed;
    private final RunSettings settings;
    private final Progress progress;

    public OfflineRun(BenchData data, long seed, RunSettings settings, Progress progress) {
        this.data = data;
        this.seed = seed;
        this.settings = settings;
        this.progress = progress;
    }

    public RunResult run() {
        LearnerConfig cfg = settings.configFor(data, Strategy.RANDOM, seed);
        int[] order = data.streamOrder(seed);
        int[] counts = settings.reachable(order.length);
        InputStandardization input = learnerStandardization(cfg, data.stream().features());
        float[][] xs = transform(input, data.stream().features());
        float[][] heldOut = transform(input, data.heldOut().features());
        int[] ys = data.stream().labels();
        List<CurvePoint> points = new ArrayList<>();
        double total = 0;
        int[] widths = MlpWeights.widths(cfg.inputDim(), cfg.hiddenWidths(), cfg.numClasses());
        for (int n : counts) {
            long t0 = System.nanoTime();
            List<float[]> tx = new ArrayList<>(n);
            int[] ty = new int[n];
            for (int i = 0; i < n; i++) {
                tx.add(xs[order[i]]);
                ty[i] = ys[order[i]];
            }
            long trainSeed = SplitMix64.derive(seed, 0x0FF1L + n);
            long[] steps = {0};
            MlpWeights trained;
            try (MlpNetwork net = new MlpNetwork(cfg, MlpWeights.initialise(widths, cfg.activation(), trainSeed), ComputeDevice.get())) {
                LossPlateau rule = new LossPlateau(MIN_STEPS, PATIENCE_STEPS, PATIENCE_EPOCHS, MIN_IMPROVEMENT);
                net.train(tx, ty, Integer.MAX_VALUE, MAX_STEPS, cfg.learningRate(), cfg.batchSize(), trainSeed, () -> false,
                        (epoch, s, loss) -> {
                            steps[0] = s;
                            return rule.stop(epoch, s, loss);
                        });
                trained = net.weights();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            total += seconds;
            double acc = accuracy(trained, heldOut, data.heldOut().labels());
            points.add(new CurvePoint(n, steps[0], acc, seconds));
            if (progress != null) {
                progress.update(name(), n, 0, order.length, acc);
            }
        }
        int most = counts.length == 0 ? 0 : counts[counts.length - 1];
        RunResult r = new RunResult(LEARNER, STRATEGY, seed, points, most, most, total);
        if (progress != null) {
            progress.finished(name(), r, 0);
        }
        return r;
    }

    /**
     * The standardisation the learner's retrains would apply (null when its config keeps raw inputs), from the
     * moments of the whole stream: the unlabelled pool an offline learner has at hand.
     */
    static InputStandardization learnerStandardization(LearnerConfig cfg, float[][] stream) {
        if (!cfg.standardizeInputs()) {
            return null;
        }
        FeatureMoments m = new FeatureMoments(cfg.inputDim());
        for (float[] x : stream) {
            m.add(x);
        }
        return m.standardization(cfg.standardizeScale() == LearnerConfig.StandardizeScale.UNIT_NORM);
    }

    private static float[][] transform(InputStandardization s, float[][] xs) {
        if (s == null) {
            return xs;
        }
        float[][] out = new float[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            out[i] = s.applyAsFloats(xs[i]);
        }
        return out;
    }

    public String name() {
        return "offline network seed " + seed;
    }

    /** Held-out accuracy of an MLP's argmax. */
    static double accuracy(MlpWeights w, float[][] xs, int[] ys) {
        int right = 0;
        try (NDManager m = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
             DeviceMlp mlp = new DeviceMlp(m, w, DataType.FLOAT32)) {
            for (int from = 0; from < xs.length; from += 2048) {
                int to = Math.min(xs.length, from + 2048);
                float[][] rows = java.util.Arrays.copyOfRange(xs, from, to);
                NDArray out = mlp.forward(mlp.toDevice(rows));
                long[] pred = out.argMax(1).toLongArray();
                out.close();
                for (int i = 0; i < pred.length; i++) {
                    right += pred[i] == ys[from + i] ? 1 : 0;
                }
            }
        }
        return right / (double) xs.length;
    }
}
