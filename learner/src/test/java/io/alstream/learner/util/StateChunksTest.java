package io.alstream.learner.util;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateChunksTest {

    private static byte[] stream(int n, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rng.nextInt(256);
        }
        return b;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    @Test
    void piecesAreBoundedAndReadBackInAnyOrder() throws IOException {
        byte[] data = stream(10_000, 1);
        // mixed single-byte and bulk writes across piece boundaries
        List<byte[]> pieces = StateChunks.write(1000, out -> {
            out.write(data, 0, 7);
            for (int i = 7; i < 1500; i++) {
                out.write(data[i]);
            }
            out.write(data, 1500, data.length - 1500);
        });
        assertEquals(10, pieces.size());
        for (byte[] p : pieces) {
            assertTrue(p.length <= 1000 + StateChunks.HEADER, "piece of " + p.length + " bytes");
        }
        assertArrayEquals(data, readAll(StateChunks.read(pieces)));
        List<byte[]> shuffled = new ArrayList<>(pieces);
        Collections.shuffle(shuffled, new java.util.Random(3));
        assertArrayEquals(data, readAll(StateChunks.read(shuffled)));
        // DataInputStream.readFully across pieces
        DataInputStream in = new DataInputStream(StateChunks.read(pieces));
        byte[] head = new byte[2500];
        in.readFully(head);
        assertArrayEquals(java.util.Arrays.copyOf(data, 2500), head);
    }

    @Test
    void anEmptyStreamIsOnePiece() throws IOException {
        List<byte[]> pieces = StateChunks.write(16, out -> { });
        assertEquals(1, pieces.size());
        assertEquals(0, readAll(StateChunks.read(pieces)).length);
    }

    @Test
    void missingRepeatedOrForeignPiecesAreErrors() throws IOException {
        byte[] data = stream(100, 2);
        List<byte[]> pieces = StateChunks.write(30, out -> out.write(data));
        assertEquals(4, pieces.size());
        assertThrows(IllegalArgumentException.class, () -> StateChunks.read(pieces.subList(0, 3)), "the last is missing");
        assertThrows(IllegalArgumentException.class, () -> StateChunks.read(pieces.subList(1, 4)), "the first is missing");
        List<byte[]> twice = new ArrayList<>(pieces);
        twice.set(1, pieces.get(2));
        assertThrows(IllegalArgumentException.class, () -> StateChunks.read(twice));
        List<byte[]> foreign = new ArrayList<>(pieces);
        foreign.set(0, new byte[] {9, 0, 0, 0, 0, 0, 1});
        assertThrows(IllegalArgumentException.class, () -> StateChunks.read(foreign));
        assertThrows(IllegalArgumentException.class, () -> StateChunks.read(List.of()));
    }

    @Test
    void aSingleUnframedBlobOfAnEarlierVersionIsReadAsItIs() throws IOException {
        byte[] legacy = {0x41, 0x4C, 0x53, 0x4D, 0, 0, 0, 3, 42};
        assertArrayEquals(legacy, readAll(StateChunks.read(List.of(legacy))));
    }
}
