package io.alstream.learner.util;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every array comes back bit for bit, in the fewest bytes its values allow. */
class CompactArraysTest {

    private static byte[] encode(double[] v) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompactArrays.write(new DataOutputStream(bytes), v);
        return bytes.toByteArray();
    }

    private static double[] decode(byte[] b) throws IOException {
        return CompactArrays.read(new DataInputStream(new ByteArrayInputStream(b)));
    }

    private static void assertBitIdentical(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(actual[i]), "value " + i);
        }
    }

    @Test
    void roundTripsInTheNarrowestLosslessForm() throws IOException {
        double[] oneHot = {0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
        double[] floats = {0.5, (double) 0.1f, -3.25, (double) Float.MAX_VALUE, 0};
        double[] doubles = {0.5, 0.1, -3.25};
        double[] signedZero = {0, -0.0, 1};
        double[] empty = {};
        assertEquals(1 + 4 + 4, encode(oneHot).length, "one-hot: an index");
        assertEquals(1 + 4 + 4 * floats.length, encode(floats).length, "exact floats: 4 bytes each");
        assertEquals(1 + 4 + 8 * doubles.length, encode(doubles).length, "0.1 is no float: 8 bytes each");
        for (double[] v : new double[][] {oneHot, floats, doubles, signedZero, empty, {Double.NaN, 2}, {1, 1}}) {
            assertBitIdentical(v, decode(encode(v)));
        }
    }

    @Test
    void rejectsCorruptInput() {
        assertThrows(IOException.class, () -> decode(new byte[] {7, 0, 0, 0, 1}));
        assertThrows(IOException.class, () -> decode(new byte[] {2, 0, 0, 0, 3, 0, 0, 0, 3}));
        assertThrows(IOException.class, () -> decode(new byte[] {1, -1, -1, -1, -1}));
    }

    @Test
    void fitsFloatIsExact() {
        assertTrue(CompactArrays.fitsFloat(new double[] {1.5, -2, -0.0}));
        assertFalse(CompactArrays.fitsFloat(new double[] {1.5, 1e-300}));
    }
}
