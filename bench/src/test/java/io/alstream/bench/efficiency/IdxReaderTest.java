package io.alstream.bench.efficiency;

import io.alstream.learner.data.LabelledDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdxReaderTest {

    @Test
    void readsGzippedAndPlainIdxFiles(@TempDir Path dir) throws IOException {
        // three 2x2 images, pixel values chosen to cover 0, 255 and the unsigned-byte range above 127
        int[][] pixels = {{0, 255, 128, 1}, {10, 20, 30, 40}, {200, 201, 202, 203}};
        int[] labels = {7, 0, 9};
        writeImages(dir.resolve("img.gz"), pixels, true);
        writeLabels(dir.resolve("lab"), labels, false);
        LabelledDataset d = IdxReader.read("t", dir.resolve("img.gz"), dir.resolve("lab"));
        assertEquals(3, d.size());
        assertEquals(4, d.featureDim());
        assertEquals(10, d.numClasses());
        assertArrayEquals(labels, d.labels());
        assertArrayEquals(new float[] {0f, 1f, 128 / 255f, 1 / 255f}, d.features()[0], 1e-7f);
        assertArrayEquals(new float[] {200 / 255f, 201 / 255f, 202 / 255f, 203 / 255f}, d.features()[2], 1e-7f);
    }

    @Test
    void rejectsSwappedFilesAndMismatchedCounts(@TempDir Path dir) throws IOException {
        writeImages(dir.resolve("img"), new int[][] {{1}, {2}}, false);
        writeLabels(dir.resolve("lab"), new int[] {1}, false);
        assertThrows(IllegalArgumentException.class, () -> IdxReader.read("t", dir.resolve("lab"), dir.resolve("img")));
        assertThrows(IllegalArgumentException.class, () -> IdxReader.read("t", dir.resolve("img"), dir.resolve("lab")));
    }

    private static void writeImages(Path file, int[][] pixels, boolean gzip) throws IOException {
        try (DataOutputStream out = new DataOutputStream(open(file, gzip))) {
            out.writeInt(0x803);
            out.writeInt(pixels.length);
            int side = (int) Math.round(Math.sqrt(pixels[0].length));
            out.writeInt(side);
            out.writeInt(pixels[0].length / side);
            for (int[] p : pixels) {
                for (int v : p) {
                    out.writeByte(v);
                }
            }
        }
    }

    private static void writeLabels(Path file, int[] labels, boolean gzip) throws IOException {
        try (DataOutputStream out = new DataOutputStream(open(file, gzip))) {
            out.writeInt(0x801);
            out.writeInt(labels.length);
            for (int v : labels) {
                out.writeByte(v);
            }
        }
    }

    private static OutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream raw = Files.newOutputStream(file);
        return gzip ? new GZIPOutputStream(raw) : raw;
    }
}
