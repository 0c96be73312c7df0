package io.alstream.bench.efficiency;

import io.alstream.learner.data.LabelledDataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /**
     * The UCI data sets the harness knows by name, as Debian's {@code r-cran-mlbench} ships them: name, R data set,
     * class column, what it is. Licence of the data: UCI Machine Learning Repository, CC BY 4.0; the R package
     * that carries them: GPL-2.
     */
    public static final List<String[]> MLBENCH = List.of(
            new String[] {"letter", "LetterRecognition", "lettr",
                    "UCI Letter Recognition: 20,000 rows, 16 integer features (0-15), 26 classes (about balanced)"},
            new String[] {"satellite", "Satellite", "classes",
                    "UCI Statlog (Landsat Satellite): 6,435 rows, 36 features (0-255), 6 classes (1,533 to 626 rows)"},
            new String[] {"shuttle", "Shuttle", "Class",
                    "UCI Statlog (Shuttle): 58,000 rows, 9 features (raw units, about -4,800 to 13,800), 7 classes, "
                            + "imbalanced 45,586 : 8,903 : 3,267 : 171 : 50 : 13 : 10"});
    /** Where r-cran-mlbench installs its data. */
    public static final Path MLBENCH_DIR = Path.of("/usr/lib/R/site-library/mlbench/data");

    /** The description of a named mlbench data set, or null. */
    public static String[] mlbenchEntry(String name) {
        return MLBENCH.stream().filter(e -> e[0].equals(name)).findFirst().orElse(null);
    }

    /**
     * One of {@link #MLBENCH}, converted by Rscript from r-cran-mlbench's installed R data (bench/mlbench_csv.R in
     * the jar) into a temporary CSV, read by {@link BenchCsv}, features as they come, split by splitSeed.
     */
    public static BenchData mlbench(String name, double heldOutFraction, long splitSeed) {
        String[] e = mlbenchEntry(name);
        if (e == null) {
            throw new IllegalArgumentException("no mlbench data set named " + name);
        }
        if (!Files.exists(MLBENCH_DIR.resolve(e[1] + ".rda"))) {
            throw new IllegalArgumentException("--data " + name + " reads " + e[1] + " from Debian's r-cran-mlbench, which is not "
                    + "installed (no " + MLBENCH_DIR.resolve(e[1] + ".rda") + "): apt-get install r-cran-mlbench");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("alstream-mlbench");
            Path script = dir.resolve("mlbench_csv.R");
            try (java.io.InputStream in = BenchData.class.getResourceAsStream("/bench/mlbench_csv.R")) {
                Files.copy(in, script);
            }
            Path csvFile = dir.resolve(name + ".csv");
            Process p;
            try {
                p = new ProcessBuilder("Rscript", script.toString(), e[1], e[2], csvFile.toString())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (java.io.IOException noR) {
                throw new IllegalArgumentException("--data " + name + " converts r-cran-mlbench's R data with Rscript, which is not "
                        + "on the PATH: apt-get install r-cran-mlbench (it brings r-base-core)");
            }
            String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroy();
                throw new IllegalStateException("Rscript could not convert mlbench's " + e[1] + ": " + err.strip());
            }
            LabelledDataset.Split s = BenchCsv.read(csvFile, -1).split(heldOutFraction, splitSeed);
            return new BenchData(name, new LabelledDataset(name, s.stream().features(), s.stream().labels(), s.stream().numClasses()),
                    new LabelledDataset(name, s.heldOut().features(), s.heldOut().labels(), s.heldOut().numClasses()));
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        } finally {
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (java.io.IOException ignored) {
                    // a temporary folder left behind is harmless
                }
            }
        }
    }

    /**
     * Features standardised by the stream's mean and standard deviation per feature (the unlabelled stream's
     * statistics, which a streaming learner can have; the held-out set is transformed with the same numbers).
     * A feature constant over the stream is only centred.
     */
    public BenchData standardized() {
        float[][] xs = stream.features();
        int d = featureDim();
        double[] mean = new double[d];
        double[] m2 = new double[d];
        for (float[] x : xs) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= xs.length;
        }
        for (float[] x : xs) {
            for (int j = 0; j < d; j++) {
                double c = x[j] - mean[j];
                m2[j] += c * c;
            }
        }
        double[] sd = new double[d];
        for (int j = 0; j < d; j++) {
            sd[j] = Math.sqrt(m2[j] / xs.length);
            sd[j] = sd[j] > 0 ? sd[j] : 1;
        }
        return new BenchData(name, transform(stream, mean, sd), transform(heldOut, mean, sd));
    }

    private static LabelledDataset transform(LabelledDataset d, double[] mean, double[] sd) {
        float[][] f = new float[d.size()][];
        for (int i = 0; i < f.length; i++) {
            float[] x = d.features()[i];
            f[i] = new float[x.length];
            for (int j = 0; j < x.length; j++) {
                f[i][j] = (float) ((x[j] - mean[j]) / sd[j]);
            }
        }
        return new LabelledDataset(d.name(), f, d.labels(), d.numClasses());
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
