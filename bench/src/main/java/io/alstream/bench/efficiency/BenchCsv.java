package io.alstream.bench.efficiency;

import io.alstream.learner.data.LabelledDataset;

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
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The benchmark's CSV reader (no header, one row per line, .gz allowed). Stricter than the demo's
 * {@link LabelledDataset#csv}: the benchmark's figures mean nothing on a file it misread, so every problem stops
 * the run with one sentence naming the file, the line and the column (columns counted from 0, as
 * {@code --label-column}); the command turns it into exit code 2.
 *
 * <p>Refused: a row whose column count differs from the first row's, a label column outside the row, a cell that
 * is not a finite number (a header line is one), a label that is not a whole number in [0, {@value #MAX_CLASSES}),
 * a feature column that holds one value in every row (constant: nothing to learn from, and a zero variance for
 * any standardisation), and a file whose rows all carry one class.
 */
public final class BenchCsv {
    /** Labels are class numbers 0 .. MAX_CLASSES - 1 (the network has one output per class up to the largest). */
    public static final int MAX_CLASSES = 1000;

    private BenchCsv() {
    }

    public static LabelledDataset read(Path file, int labelColumn) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " does not exist or is not a file");
        }
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            return read(file.toString(), file.getFileName().toString().replaceAll("\\.(csv|gz)", ""), in, labelColumn);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static LabelledDataset read(String where, String name, InputStream in, int labelColumn) throws IOException {
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        List<Integer> lineOf = new ArrayList<>();
        int width = -1;
        int lc = -1;
        int maxLabel = -1;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(",", -1);
            if (width < 0) {
                width = parts.length;
                if (width < 2) {
                    throw new IllegalArgumentException(where + " line " + lineNo + " has " + width
                            + " column; the benchmark needs at least one feature column and a label column (comma-separated)");
                }
                lc = labelColumn < 0 ? width + labelColumn : labelColumn;
                if (lc < 0 || lc >= width) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "--label-column %d is outside the %d columns (0 to %d) of %s line %d", labelColumn, width,
                            width - 1, where, lineNo));
                }
            } else if (parts.length != width) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s line %d has %d columns where line %d has %d",
                        where, lineNo, parts.length, lineOf.isEmpty() ? 1 : lineOf.get(0), width));
            }
            float[] x = new float[width - 1];
            int j = 0;
            for (int c = 0; c < width; c++) {
                String cell = parts[c].trim();
                double v;
                try {
                    v = Double.parseDouble(cell);
                } catch (NumberFormatException e) {
                    v = Double.NaN;
                }
                if (!Double.isFinite(v) || cell.isEmpty()) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "%s line %d, column %d%s: '%s' is not a finite number%s", where, lineNo, c,
                            c == lc ? " (the label column)" : "", abbreviate(cell),
                            xs.isEmpty() ? " (the file must have no header line)" : ""));
                }
                if (c == lc) {
                    if (v != Math.rint(v) || v < 0 || v >= MAX_CLASSES) {
                        throw new IllegalArgumentException(String.format(Locale.ROOT,
                                "%s line %d, column %d (the label column): label '%s' is out of range: labels must be "
                                        + "whole class numbers from 0 to %d", where, lineNo, c, abbreviate(cell), MAX_CLASSES - 1));
                    }
                    int y = (int) v;
                    maxLabel = Math.max(maxLabel, y);
                    ys.add(y);
                } else {
                    x[j++] = (float) v;
                }
            }
            xs.add(x);
            lineOf.add(lineNo);
        }
        if (xs.isEmpty()) {
            throw new IllegalArgumentException(where + " has no rows");
        }
        int n = xs.size();
        for (int f = 0; f < width - 1; f++) {
            float first = xs.get(0)[f];
            boolean constant = true;
            for (int i = 1; i < n && constant; i++) {
                constant = xs.get(i)[f] == first;
            }
            if (constant) {
                int column = f < lc ? f : f + 1;
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s column %d is constant (%s on every line, %d to %d): it carries no information; drop it", where,
                        column, abbreviate(Float.toString(first)), lineOf.get(0), lineOf.get(n - 1)));
            }
        }
        int firstLabel = ys.get(0);
        if (ys.stream().allMatch(y -> y == firstLabel)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s has one class only: column %d (the label column) is %d on every line, %d to %d; a classifier needs "
                            + "at least two", where, lc, firstLabel, lineOf.get(0), lineOf.get(n - 1)));
        }
        return new LabelledDataset(name, xs.toArray(new float[0][]), ys.stream().mapToInt(Integer::intValue).toArray(),
                maxLabel + 1);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
