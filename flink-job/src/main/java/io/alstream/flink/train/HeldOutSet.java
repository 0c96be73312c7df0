package io.alstream.flink.train;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import io.alstream.learner.data.LabelledDataset;

/**
 * Labelled examples the trainer evaluates each model version on (optional; {@code data.held-out-path}).
 * CSV, no header, features then the label in the last column; {@code .gz} is read compressed. Loaded
 * when the job is built and shipped with it, so TaskManagers need no access to the file.
 */
public record HeldOutSet(float[][] features, int[] labels) implements java.io.Serializable {

    public static HeldOutSet read(Path file, int featureDim) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("data.held-out-path " + file + ": no readable file there");
        }
        LabelledDataset d = LabelledDataset.csv(file, -1);
        if (d.featureDim() != featureDim) {
            throw new IllegalArgumentException("held-out set " + file + " has " + d.featureDim()
                    + " features per row, data.feature-dim is " + featureDim);
        }
        return new HeldOutSet(d.features(), d.labels());
    }

    /** {@code data.held-out-path} as given: a path, or a {@code file:} URI. */
    public static HeldOutSet read(String pathOrUri, int featureDim) {
        Path file;
        try {
            file = pathOrUri.startsWith("file:") ? Path.of(URI.create(pathOrUri)) : Path.of(pathOrUri);
        } catch (IllegalArgumentException e) { // a bad URI, or InvalidPathException
            throw new IllegalArgumentException("data.held-out-path " + pathOrUri + " is not a usable path or file URI: " + e.getMessage());
        }
        return read(file, featureDim);
    }

    public int size() {
        return labels.length;
    }
}
