package io.alstream.learner.util;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Length-prefixed arrays on Data streams: the building blocks of the learner's byte formats. */
public final class StateCodec {
    private StateCodec() { }

    public static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
        out.writeInt(v.length);
        for (double d : v) {
            out.writeDouble(d);
        }
    }

    public static double[] readDoubles(DataInputStream in) throws IOException {
        int n = checkedLength(in.readInt());
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readDouble();
        }
        return v;
    }

    public static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        for (float f : v) {
            out.writeFloat(f);
        }
    }

    public static float[] readFloats(DataInputStream in) throws IOException {
        int n = checkedLength(in.readInt());
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
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
