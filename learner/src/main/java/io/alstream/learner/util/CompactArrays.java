package io.alstream.learner.util;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Lossless, narrowest-fit encoding of double arrays for the model broadcast: a one-hot vector travels as its
 * index, an array whose every value is exactly a float (weights trained in float32, features that arrived as
 * float32, anything computed on a float32 device) as 4 bytes a value, anything else as 8. Decoding gives back
 * the identical doubles, so a receiver cannot tell which form was used, only the byte count can.
 */
public final class CompactArrays {
    private static final byte FLOAT64 = 0;
    private static final byte FLOAT32 = 1;
    private static final byte ONE_HOT = 2;
    private static final int CHUNK = 8192;

    private CompactArrays() { }

    public static void write(DataOutputStream out, double[] v) throws IOException {
        int hot = oneHotIndex(v);
        if (hot >= 0) {
            out.writeByte(ONE_HOT);
            out.writeInt(v.length);
            out.writeInt(hot);
        } else if (fitsFloat(v)) {
            out.writeByte(FLOAT32);
            out.writeInt(v.length);
            // the bytes writeFloat would write (big-endian), a chunk at a time: one call per value was most of the
            // cost of a model broadcast
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Math.min(v.length, CHUNK) * Float.BYTES);
            for (int from = 0; from < v.length; from += CHUNK) {
                int to = Math.min(v.length, from + CHUNK);
                b.clear();
                for (int i = from; i < to; i++) {
                    b.putFloat((float) v[i]);
                }
                out.write(b.array(), 0, (to - from) * Float.BYTES);
            }
        } else {
            out.writeByte(FLOAT64);
            StateCodec.writeDoubles(out, v);
        }
    }

    public static double[] read(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case FLOAT64:
                return StateCodec.readDoubles(in);
            case FLOAT32: {
                int n = length(in.readInt());
                double[] v = new double[n];
                byte[] buf = new byte[Math.min(n, CHUNK) * Float.BYTES];
                for (int from = 0; from < n; from += CHUNK) {
                    int to = Math.min(n, from + CHUNK);
                    in.readFully(buf, 0, (to - from) * Float.BYTES);
                    java.nio.FloatBuffer f = java.nio.ByteBuffer.wrap(buf, 0, (to - from) * Float.BYTES).asFloatBuffer();
                    for (int i = from; i < to; i++) {
                        v[i] = f.get();
                    }
                }
                return v;
            }
            case ONE_HOT: {
                int n = length(in.readInt());
                int hot = in.readInt();
                if (hot < 0 || hot >= n) {
                    throw new IOException("corrupt one-hot array: index " + hot + " of " + n);
                }
                double[] v = new double[n];
                v[hot] = 1;
                return v;
            }
            default:
                throw new IOException("unknown array encoding " + tag);
        }
    }

    /** True when every value survives a round trip through float exactly (NaN payloads aside). */
    public static boolean fitsFloat(double[] v) {
        for (double d : v) {
            if ((double) (float) d != d && !Double.isNaN(d)) {
                return false;
            }
        }
        return true;
    }

    private static int oneHotIndex(double[] v) {
        int hot = -1;
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 1.0 && Double.doubleToRawLongBits(v[i]) == Double.doubleToRawLongBits(1.0)) {
                if (hot >= 0) {
                    return -1;
                }
                hot = i;
            } else if (Double.doubleToRawLongBits(v[i]) != 0L) { // -0.0 is not 0.0 here: keep it exact
                return -1;
            }
        }
        return hot;
    }

    private static int length(int n) throws IOException {
        if (n < 0) {
            throw new IOException("corrupt array: negative length " + n);
        }
        return n;
    }
}
