package io.alstream.bench.efficiency;

import io.alstream.learner.data.LabelledDataset;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of (Fashion-)MNIST: an images file (magic 0x00000803, count, rows, cols, then one
 * unsigned byte per pixel) and a labels file (magic 0x00000801, count, one unsigned byte per label), either
 * gzipped (name ends in .gz) or plain. Pixels are scaled to [0, 1].
 */
public final class IdxReader {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() { }

    /** The images and labels as a data set named name; throws if the files do not match. */
    public static LabelledDataset read(String name, Path images, Path labels) {
        float[][] x = readImages(images);
        int[] y = readLabels(labels);
        if (x.length != y.length) {
            throw new IllegalArgumentException(images + " has " + x.length + " images but " + labels + " has " + y.length + " labels");
        }
        int classes = 0;
        for (int v : y) {
            classes = Math.max(classes, v + 1);
        }
        return new LabelledDataset(name, x, y, classes);
    }

    static float[][] readImages(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IllegalArgumentException(file + " is not an IDX image file (magic " + Integer.toHexString(magic) + ")");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            int d = rows * cols;
            float[][] out = new float[n][d];
            byte[] buf = new byte[d];
            for (int i = 0; i < n; i++) {
                in.readFully(buf);
                for (int j = 0; j < d; j++) {
                    out[i][j] = (buf[j] & 0xFF) / 255f;
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static int[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new IllegalArgumentException(file + " is not an IDX label file (magic " + Integer.toHexString(magic) + ")");
            }
            int n = in.readInt();
            byte[] buf = new byte[n];
            in.readFully(buf);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = buf[i] & 0xFF;
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return new DataInputStream(file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw);
    }
}
