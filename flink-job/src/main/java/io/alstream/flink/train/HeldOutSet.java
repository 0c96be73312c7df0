package io.alstream.flink.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Labelled examples the trainer evaluates each model version on (optional; {@code data.held-out-path}).
 * CSV, no header, features then the label in the last column; {@code .gz} is read compressed.
 */
public record HeldOutSet(float[][] features, int[] labels) implements java.io.Serializable {

    public static HeldOutSet read(Path file, int featureDim) {
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",");
                if (parts.length != featureDim + 1) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": " + parts.length
                            + " columns, expected " + (featureDim + 1) + " (features then label)");
                }
                float[] x = new float[featureDim];
                for (int i = 0; i < featureDim; i++) {
                    x[i] = Float.parseFloat(parts[i].trim());
                }
                xs.add(x);
                ys.add((int) Double.parseDouble(parts[featureDim].trim()));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read held-out set " + file + ": " + e.getMessage(), e);
        }
        return new HeldOutSet(xs.toArray(new float[0][]), ys.stream().mapToInt(Integer::intValue).toArray());
    }

    public int size() {
        return labels.length;
    }
}
