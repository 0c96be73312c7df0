package io.alstream.learner.util;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Length-prefixed arrays on Data streams: the building blocks of the learner's byte formats. */
public final class StateCodec {
    private StateCodec() { }

    /** Values per bulk copy: bounds the temporary buffer, and a corrupt length cannot allocate it all at once. */
    private static final int CHUNK = 1 << 16;

    /** Big-endian, as DataOutputStream writes them, but in bulk (one buffer per array, not one call per value). */
    public static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
        out.writeInt(v.length);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Math.min(v.length, CHUNK) * Double.BYTES);
        for (int from = 0; from < v.length; from += CHUNK) {
            int to = Math.min(v.length, from + CHUNK);
            b.clear();
            b.asDoubleBuffer().put(v, from, to - from);
            out.write(b.array(), 0, (to - from) * Double.BYTES);
        }
    }

    public static double[] readDoubles(DataInputStream in) throws IOException {
        int n = checkedLength(in.readInt());
        double[] v = new double[n];
        byte[] buf = new byte[Math.min(n, CHUNK) * Double.BYTES];
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            in.readFully(buf, 0, (to - from) * Double.BYTES);
            java.nio.ByteBuffer.wrap(buf, 0, (to - from) * Double.BYTES).asDoubleBuffer().get(v, from, to - from);
        }
        return v;
    }

    public static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Math.min(v.length, CHUNK) * Float.BYTES);
        for (int from = 0; from < v.length; from += CHUNK) {
            int to = Math.min(v.length, from + CHUNK);
            b.clear();
            b.asFloatBuffer().put(v, from, to - from);
            out.write(b.array(), 0, (to - from) * Float.BYTES);
        }
    }

    public static float[] readFloats(DataInputStream in) throws IOException {
        int n = checkedLength(in.readInt());
        float[] v = new float[n];
        byte[] buf = new byte[Math.min(n, CHUNK) * Float.BYTES];
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            in.readFully(buf, 0, (to - from) * Float.BYTES);
            java.nio.ByteBuffer.wrap(buf, 0, (to - from) * Float.BYTES).asFloatBuffer().get(v, from, to - from);
        }
        return v;
    }

    public static void writeInts(DataOutputStream out, int[] v) throws IOException {
        out.writeInt(v.length);
        for (int i : v) {
            out.writeInt(i);
        }
    }

    public static int[] readInts(DataInputStream in) throws IOException {
        int n = checkedLength(in.readInt());
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readInt();
        }
        return v;
    }

    private static int checkedLength(int n) throws IOException {
        if (n < 0) {
            throw new IOException("corrupt state: negative array length " + n);
        }
        return n;
    }
}
