package io.alstream.bench;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.util.SplitMix64;

import java.util.List;

/** Builds benchmark states: a warm model (trained on a seed set) with |T| labels folded in one block update. */
final class ModelFixture {
    static final int DIM = 64;
    static final int CLASSES = 10;

    private ModelFixture() { }

    static LearnerConfig config(List<String> functions, LearnerConfig.Precision precision) {
        return config(functions, precision, DIM);
    }

    /** As {@link #config(List, LearnerConfig.Precision)} with dim input features (784: the Fashion-MNIST network). */
    static LearnerConfig config(List<String> functions, LearnerConfig.Precision precision, int dim) {
        return LearnerConfig.builder().inputDim(dim).numClasses(CLASSES).hiddenWidths(256)
                .warmupLabels(64).trainEpochs(5).kernelCap(1 << 20).refreshGrowth(0).precision(precision)
                .acquisitionFunctions(functions).selectBy(functions.get(0)).build();
    }

    static float[][] rows(SplitMix64 rng, int n) {
        return rows(rng, n, DIM);
    }

    static float[][] rows(SplitMix64 rng, int n, int dim) {
        float[][] out = new float[n][dim];
        for (float[] r : out) {
            for (int j = 0; j < dim; j++) {
                r[j] = (float) rng.nextDouble();
            }
        }
        return out;
    }

    /** A warm model whose T holds exactly kernelSize labels. */
    static OnlineModel model(LearnerConfig config, int kernelSize) {
        SplitMix64 rng = new SplitMix64(77);
        OnlineModel m = OnlineModel.create(config);
        int dim = config.inputDim();
        float[][] seed = rows(rng, 64, dim);
        for (int i = 0; i < seed.length; i++) {
            m.fold("seed" + i, seed[i], i % CLASSES); // the 64th triggers the warm-up training (T restarts empty)
        }
        float[][] xs = rows(rng, kernelSize, dim);
        String[] ids = new String[kernelSize];
        int[] ys = new int[kernelSize];
        for (int i = 0; i < kernelSize; i++) {
            ids[i] = "t" + i;
            ys[i] = rng.nextInt(CLASSES);
        }
        m.foldBatch(ids, xs, ys);
        if (m.stats().kernelSize() != kernelSize) {
            throw new IllegalStateException("expected |T| = " + kernelSize + ", got " + m.stats());
        }
        return m;
    }
}
