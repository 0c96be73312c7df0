package io.alstream.learner.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * A labelled data set in memory: rows of features and their classes. The demo streams the features as
 * events and lets the simulated crowd answer from the labels.
 */
public record LabelledDataset(String name, float[][] features, int[] labels, int numClasses) {

    /** The 1,797-row digits set shipped inside the jar (64 features, 10 classes). */
    public static LabelledDataset digits() {
        try (InputStream in = LabelledDataset.class.getResourceAsStream("/datasets/digits.csv.gz")) {
            if (in == null) {
                throw new IllegalStateException("the shipped digits data set is missing from the class path");
            }
            return readCsv("digits", new GZIPInputStream(in), -1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A CSV without header; {@code labelColumn} counts from 0, negative from the end (-1 = last). */
    public static LabelledDataset csv(Path file, int labelColumn) {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            return readCsv(file.getFileName().toString(), in, labelColumn);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static LabelledDataset readCsv(String name, InputStream in, int labelColumn) throws IOException {
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        int width = -1;
        int maxLabel = -1;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(",");
            if (width < 0) {
                width = parts.length;
            } else if (parts.length != width) {
                throw new IllegalArgumentException(name + " line " + lineNo + ": " + parts.length + " columns, expected " + width);
            }
            int lc = labelColumn < 0 ? width + labelColumn : labelColumn;
            float[] x = new float[width - 1];
            int j = 0;
            for (int c = 0; c < width; c++) {
                if (c != lc) {
                    x[j++] = Float.parseFloat(parts[c].trim());
                }
            }
            int y = (int) Double.parseDouble(parts[lc].trim());
            if (y < 0) {
                throw new IllegalArgumentException(name + " line " + lineNo + ": negative label " + y);
            }
            maxLabel = Math.max(maxLabel, y);
            xs.add(x);
            ys.add(y);
        }
        if (xs.isEmpty()) {
            throw new IllegalArgumentException(name + " has no rows");
        }
        return new LabelledDataset(name, xs.toArray(new float[0][]), ys.stream().mapToInt(Integer::intValue).toArray(), maxLabel + 1);
    }

    public int size() {
        return labels.length;
    }

    public int featureDim() {
        return features[0].length;
    }

    /** Features divided by {@code scale} (digits: 16), so the network sees values in [0, 1]. */
    public LabelledDataset scaled(float scale) {
        float[][] f = new float[features.length][];
        for (int i = 0; i < f.length; i++) {
            f[i] = features[i].clone();
            for (int j = 0; j < f[i].length; j++) {
                f[i][j] /= scale;
            }
        }
        return new LabelledDataset(name, f, labels, numClasses);
    }

    /** A seeded shuffle split: the first part streams, the second is held out for evaluation. */
    public Split split(double heldOutFraction, long seed) {
        int n = size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int k = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[k];
            order[k] = t;
        }
        int held = (int) Math.round(n * heldOutFraction);
        return new Split(subset(order, held, n), subset(order, 0, held));
    }

    private LabelledDataset subset(int[] order, int from, int to) {
        float[][] f = new float[to - from][];
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            f[i - from] = features[order[i]];
            y[i - from] = labels[order[i]];
        }
        return new LabelledDataset(name, f, y, numClasses);
    }

    /** Stream part and held-out part. */
    public record Split(LabelledDataset stream, LabelledDataset heldOut) {
    }

    /** Writes features then label per line, the format of {@code data.held-out-path}. */
    public void writeCsv(Path file) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size(); i++) {
            for (float v : features[i]) {
                sb.append(v).append(',');
            }
            sb.append(labels[i]).append('\n');
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
