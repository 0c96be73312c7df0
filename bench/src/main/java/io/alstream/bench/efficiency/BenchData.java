package io.alstream.bench.efficiency;

import io.alstream.learner.data.LabelledDataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The stream and the held-out set of one benchmark: Fashion-MNIST (the 60,000 training images stream, the
 * 10,000 test images are held out), the shipped digits, or any CSV (a seeded split). The held-out set is
 * fixed for the whole benchmark; each run seed streams the events in its own order ({@link #streamOrder}).
 */
public record BenchData(String name, LabelledDataset stream, LabelledDataset heldOut) {
    /** Where Debian's dataset-fashion-mnist package puts the IDX files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    public static BenchData fashionMnist(Path dir) {
        Path trainImages = first(dir, "train-images-idx3-ubyte");
        Path trainLabels = first(dir, "train-labels-idx1-ubyte");
        Path testImages = first(dir, "t10k-images-idx3-ubyte");
        Path testLabels = first(dir, "t10k-labels-idx1-ubyte");
        return new BenchData("fashion-mnist", IdxReader.read("fashion-mnist", trainImages, trainLabels),
                IdxReader.read("fashion-mnist-test", testImages, testLabels));
    }

    /** The shipped digits (pixels 0..16 scaled to [0, 1]), split by splitSeed. */
    public static BenchData digits(double heldOutFraction, long splitSeed) {
        LabelledDataset.Split s = LabelledDataset.digits().scaled(16f).split(heldOutFraction, splitSeed);
        return new BenchData("digits", s.stream(), s.heldOut());
    }

    /** Any CSV without header ({@link BenchCsv}: refused with one sentence if malformed); features divided by scale; split by splitSeed. */
    public static BenchData csv(Path file, int labelColumn, double heldOutFraction, float scale, long splitSeed) {
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("--scale must be a positive number, got " + scale + " for " + file);
        }
        LabelledDataset d = BenchCsv.read(file, labelColumn);
        if (scale != 1f) {
            d = d.scaled(scale);
        }
        LabelledDataset.Split s = d.split(heldOutFraction, splitSeed);
        String name = file.getFileName().toString().replaceAll("\\.(csv|gz)", "");
        return new BenchData(name, s.stream(), s.heldOut());
    }

    /** At most maxEvents of the stream and maxHeldOut of the held-out set (first rows); <= 0 keeps all. */
    public BenchData limit(int maxEvents, int maxHeldOut) {
        return new BenchData(name, head(stream, maxEvents), head(heldOut, maxHeldOut));
    }

    public int numClasses() {
        return Math.max(stream.numClasses(), heldOut.numClasses());
    }

    public int featureDim() {
        return stream.featureDim();
    }

    /** The order in which run seed streams the events: a seeded shuffle, the same for every strategy. */
    public int[] streamOrder(long seed) {
        int n = stream.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5EEDF00DL);
        for (int i = n - 1; i > 0; i--) {
            int k = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[k];
            order[k] = t;
        }
        return order;
    }

    private static LabelledDataset head(LabelledDataset d, int n) {
        if (n <= 0 || n >= d.size()) {
            return d;
        }
        return new LabelledDataset(d.name(), java.util.Arrays.copyOf(d.features(), n), java.util.Arrays.copyOf(d.labels(), n),
                d.numClasses());
    }

    private static Path first(Path dir, String stem) {
        for (String suffix : new String[] {".gz", ""}) {
            Path p = dir.resolve(stem + suffix);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no " + stem + "[.gz] in " + dir
                + " (Debian: apt-get install dataset-fashion-mnist puts it in " + DEBIAN_FASHION_MNIST + ")");
    }
}
