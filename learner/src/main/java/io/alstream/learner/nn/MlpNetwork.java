package io.alstream.learner.nn;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.util.SplitMix64;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainable MLP (DESIGN 4.1): DJL Linear/activation/Dropout blocks trained with DJL's Trainer, Adam and
 * MSE (L2 loss) on one-hot targets. Deterministic under a seed: weights start from
 * {@link MlpWeights#initialise} (Java RNG), batches are shuffled by a seeded Java RNG, and the engine's
 * global generator (dropout masks) is re-seeded under a JVM-wide lock for each training run.
 * Holds a DJL {@link Model}: close it.
 */
public final class MlpNetwork implements AutoCloseable {
    /** Engine RNG is process-global; training runs that use it must not interleave. */
    private static final Object ENGINE_RNG_LOCK = new Object();

    private final LearnerConfig config;
    private final int[] widths;
    private final Model model;
    private final List<Linear> linears = new ArrayList<>();

    public MlpNetwork(LearnerConfig config, MlpWeights start, Device device) {
        this.config = config;
        this.widths = MlpWeights.widths(config.inputDim(), config.hiddenWidths(), config.numClasses());
        SequentialBlock block = new SequentialBlock();
        for (int l = 1; l < widths.length; l++) {
            Linear linear = Linear.builder().setUnits(widths[l]).build();
            linears.add(linear);
            block.add(linear);
            if (l < widths.length - 1) {
                block.add(config.activation() == LearnerConfig.Activation.RELU ? Activation.reluBlock() : Activation.tanhBlock());
                if (config.dropout() > 0) {
                    block.add(Dropout.builder().optRate((float) config.dropout()).build());
                }
            }
        }
        this.model = Model.newInstance("alstream-mlp", device, "PyTorch");
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, widths[0]));
        setWeights(start);
    }

    /** Overwrites the parameters (rounded to float32, the training type). */
    public void setWeights(MlpWeights w) {
        if (!java.util.Arrays.equals(w.widths(), widths)) {
            throw new IllegalArgumentException("weights for widths " + java.util.Arrays.toString(w.widths())
                    + " do not fit " + java.util.Arrays.toString(widths));
        }
        for (int l = 0; l < linears.size(); l++) {
            linears.get(l).getParameters().get("weight").getArray().set(toFloats(w.weight(l)));
            linears.get(l).getParameters().get("bias").getArray().set(toFloats(w.bias(l)));
        }
    }

    /** The current parameters as doubles. */
    public MlpWeights weights() {
        double[][] w = new double[linears.size()][];
        double[][] b = new double[linears.size()][];
        for (int l = 0; l < linears.size(); l++) {
            w[l] = toDoubles(linears.get(l).getParameters().get("weight").getArray().toFloatArray());
            b[l] = toDoubles(linears.get(l).getParameters().get("bias").getArray().toFloatArray());
        }
        return new MlpWeights(widths, config.activation(), w, b);
    }

    /**
     * Trains on (x, y) with MSE on one-hot targets for the configured epochs; seed fixes shuffling and
     * dropout. Returns the mean loss of the last epoch.
     */
    public double train(List<float[]> xs, int[] ys, int epochs, double learningRate, int batchSize, long seed) {
        return train(xs, ys, epochs, Integer.MAX_VALUE, learningRate, batchSize, seed, () -> false);
    }

    /**
     * As {@link #train(List, int[], int, double, int, long)}, stopping after maxSteps mini-batch steps (the
     * step budget: a retrain costs at most that, however many labels are kept) or as soon as cancelled says
     * so (checked before each step; the weights are then partly trained, for the caller to discard). Returns
     * the mean loss of the last epoch begun.
     */
    public double train(List<float[]> xs, int[] ys, int epochs, int maxSteps, double learningRate, int batchSize,
                        long seed, java.util.function.BooleanSupplier cancelled) {
        return train(xs, ys, epochs, maxSteps, learningRate, batchSize, seed, cancelled, (epoch, steps, loss) -> false);
    }

    /** Decides after each epoch whether training has gone far enough (e.g. its loss no longer falls). */
    @FunctionalInterface
    public interface StopRule {
        /** epoch counts from 1; steps are the mini-batch steps so far; loss is that epoch's mean loss. */
        boolean stop(int epoch, long steps, double loss);
    }

    /** As {@link #train(List, int[], int, int, double, int, long, java.util.function.BooleanSupplier)}, also ending when stopRule says so after an epoch. */
    public double train(List<float[]> xs, int[] ys, int epochs, int maxSteps, double learningRate, int batchSize,
                        long seed, java.util.function.BooleanSupplier cancelled, StopRule stopRule) {
        int n = xs.size();
        if (n == 0 || epochs == 0 || maxSteps <= 0) {
            return Double.NaN;
        }
        int d = widths[0];
        int c = widths[widths.length - 1];
        DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.l2Loss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) learningRate)).build())
                .optDevices(new Device[] {model.getNDManager().getDevice()});
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(seed, 0x5EEDL));
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double lastLoss = Double.NaN;
        synchronized (ENGINE_RNG_LOCK) {
            Engine.getEngine("PyTorch").setRandomSeed((int) SplitMix64.derive(seed, 0xD20L));
            try (Trainer trainer = model.newTrainer(tc)) {
                long steps = 0;
                for (int epoch = 0; epoch < epochs && steps < maxSteps; epoch++) {
                    for (int i = n - 1; i > 0; i--) { // Fisher-Yates
                        int j = rng.nextInt(i + 1);
                        int t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                    }
                    double sum = 0;
                    int batches = 0;
                    for (int from = 0; from < n && steps < maxSteps; from += batchSize) {
                        if (cancelled.getAsBoolean()) {
                            return Double.NaN;
                        }
                        steps++;
                        int to = Math.min(n, from + batchSize);
                        float[] xb = new float[(to - from) * d];
                        float[] yb = new float[(to - from) * c];
                        for (int i = from; i < to; i++) {
                            System.arraycopy(xs.get(order[i]), 0, xb, (i - from) * d, d);
                            yb[(i - from) * c + ys[order[i]]] = 1f;
                        }
                        try (NDManager bm = trainer.getManager().newSubManager()) {
                            NDArray x = bm.create(xb, new Shape(to - from, d));
                            NDArray y = bm.create(yb, new Shape(to - from, c));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDList pred = trainer.forward(new NDList(x));
                                NDArray loss = trainer.getLoss().evaluate(new NDList(y), pred);
                                gc.backward(loss);
                                sum += loss.getFloat();
                            }
                            trainer.step();
                        }
                        batches++;
                    }
                    lastLoss = sum / batches;
                    if (stopRule.stop(epoch + 1, steps, lastLoss)) {
                        break;
                    }
                }
            }
        }
        return lastLoss;
    }

    /** Saves the parameters with DJL's format under dir (file name-0000.params). */
    public void save(Path dir, String name) throws IOException {
        model.save(dir, name);
    }

    /** Loads parameters saved by {@link #save} into a network of this config. */
    public static MlpNetwork load(LearnerConfig config, Path dir, String name, Device device) throws IOException {
        MlpNetwork net = new MlpNetwork(config, MlpWeights.initialise(
                MlpWeights.widths(config.inputDim(), config.hiddenWidths(), config.numClasses()),
                config.activation(), config.seed()), device);
        try {
            net.model.load(dir, name);
        } catch (MalformedModelException e) {
            net.close();
            throw new IOException("cannot load " + name + " from " + dir + ": " + e.getMessage(), e);
        }
        return net;
    }

    public Block block() { return model.getBlock(); }

    @Override
    public void close() {
        model.close();
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
