package io.alstream.learner;

import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.nn.MlpWeights;
import io.alstream.learner.util.CompactArrays;
import io.alstream.learner.util.StateCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything a {@link Scorer} needs, immutable and free of DJL objects: the linearisation point (weights),
 * T (features, targets, pending flags, ids) and A^{-1}, plus the version. Broadcast to every scoring task at
 * each retrain and every few seconds; between them {@link ModelDelta}s carry the changes to T.
 *
 * <p>Wire format 3 ({@link #toBytes()}; 2 plus the input standardisation): A^{-1} is symmetric, so only its upper triangle travels; every array
 * goes in the narrowest lossless form ({@link CompactArrays}): weights trained in float32 and features that
 * arrived as float32 at 4 bytes a value, targets as a class index, A^{-1} at 8 bytes (4 when the kernel maths
 * run in float32). For |T| = 1024, 784 inputs, one hidden layer of 256, C = 10 and a scalar kernel that is
 * 4.2 MB of A^{-1} + 3.2 MB of features + 0.8 MB of weights (format 1, all float64: 12.3 MB);
 * {@link #sizeBytes()} reports the exact figure. Format 3 adds the linearisation's input standardisation after
 * the weights (a flag, then mean and sd in float64); formats 1 and 2 (raw inputs) are still read. The full C x C kernel multiplies the
 * A^{-1} part by C^2.
 */
public final class ModelSnapshot implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int MAGIC = 0x414C5353; // "ALSS"
    private static final int FORMAT_FLOAT64 = 1;
    private static final int FORMAT_COMPACT = 2;
    private static final int FORMAT = 3;

    private final long version;
    private final boolean warm;
    private final MlpWeights weights;
    private final List<KernelEntry> entries;
    private final int inverseSize;
    private final double[] inverseUpper;

    ModelSnapshot(long version, boolean warm, MlpWeights weights, List<KernelEntry> entries, double[] inverseFull) {
        this.version = version;
        this.warm = warm;
        this.weights = weights;
        this.entries = Collections.unmodifiableList(new ArrayList<>(entries));
        this.inverseSize = (int) Math.round(Math.sqrt(inverseFull.length));
        this.inverseUpper = upper(inverseFull, inverseSize);
    }

    private ModelSnapshot(long version, boolean warm, MlpWeights weights, List<KernelEntry> entries, int n, double[] upper) {
        this.version = version;
        this.warm = warm;
        this.weights = weights;
        this.entries = Collections.unmodifiableList(entries);
        this.inverseSize = n;
        this.inverseUpper = upper;
    }

    public long version() { return version; }
    public boolean isWarm() { return warm; }
    public MlpWeights weights() { return weights; }
    public List<KernelEntry> entries() { return entries; }
    public int kernelSize() { return entries.size(); }

    /** A^{-1}'s upper triangle, rows one after another (not a copy: do not change it). */
    double[] inverseUpperUnsafe() { return inverseUpper; }

    public int pendingCount() {
        int p = 0;
        for (KernelEntry e : entries) {
            p += e.pending() ? 1 : 0;
        }
        return p;
    }

    /** A^{-1} as a full row-major square (rebuilt from the upper triangle). */
    public double[] inverse() {
        int n = inverseSize;
        double[] full = new double[n * n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                full[i * n + j] = inverseUpper[k];
                full[j * n + i] = inverseUpper[k];
                k++;
            }
        }
        return full;
    }

    private static double[] upper(double[] full, int n) {
        double[] u = new double[n * (n + 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                // average the two triangles: the incremental updates leave rounding-level asymmetry
                u[k++] = 0.5 * (full[i * n + j] + full[j * n + i]);
            }
        }
        return u;
    }

    public byte[] toBytes() {
        return toBytes(FORMAT);
    }

    /**
     * About the encoded size (an upper bound for the float32 parts), so the buffer does not grow by copying: growing
     * a 12 MB snapshot from 32 bytes was 9% of the trainer's time in the cluster benchmark's profile.
     */
    private int sizeHint(boolean compact) {
        int perValue = compact ? 4 : 8;
        long n = 1024 + weights.parameterCount() * perValue + 8L * inverseUpper.length;
        for (KernelEntry e : entries) {
            n += 64 + (long) e.id().length() * 3 + (long) perValue * e.dim() + 8L * e.classes();
        }
        return (int) Math.min(Integer.MAX_VALUE - 64, n);
    }

    /**
     * In a given wire format: 3 (the default), 2 (compact, raw inputs) or 1 (all float64, what earlier versions
     * wrote); 1 and 2 cannot carry an input standardisation.
     */
    byte[] toBytes(int format) {
        if (format != FORMAT && format != FORMAT_COMPACT && format != FORMAT_FLOAT64) {
            throw new IllegalArgumentException("unknown snapshot format " + format);
        }
        if (format != FORMAT && weights.input() != null) {
            throw new IllegalArgumentException("snapshot format " + format + " cannot carry the input standardisation");
        }
        boolean compact = format != FORMAT_FLOAT64;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint(compact));
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(format);
            out.writeLong(version);
            out.writeBoolean(warm);
            if (compact) {
                writeWeights(out, weights);
                if (format == FORMAT) {
                    io.alstream.learner.nn.InputStandardization.writeOptional(out, weights.input());
                }
                writeCompactEntries(out, entries);
                out.writeInt(inverseSize);
                CompactArrays.write(out, inverseUpper);
            } else {
                weights.write(out);
                writeEntries(out, entries);
                out.writeInt(inverseSize);
                StateCodec.writeDoubles(out, inverseUpper);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelSnapshot fromBytes(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a model snapshot");
            }
            int format = in.readInt();
            if (format != FORMAT && format != FORMAT_COMPACT && format != FORMAT_FLOAT64) {
                throw new IllegalArgumentException("unsupported snapshot format " + format);
            }
            boolean compact = format != FORMAT_FLOAT64;
            long version = in.readLong();
            boolean warm = in.readBoolean();
            MlpWeights w = compact ? readWeights(in) : MlpWeights.read(in);
            if (format == FORMAT) {
                w = w.withInput(io.alstream.learner.nn.InputStandardization.readOptional(in));
            }
            List<KernelEntry> entries = compact ? readCompactEntries(in) : readEntries(in);
            int n = in.readInt();
            double[] upper = compact ? CompactArrays.read(in) : StateCodec.readDoubles(in);
            if (upper.length != (long) n * (n + 1) / 2) {
                throw new IllegalArgumentException("corrupt model snapshot: A^-1 of size " + n + " has " + upper.length + " values");
            }
            return new ModelSnapshot(version, warm, w, entries, n, upper);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt model snapshot: " + e.getMessage(), e);
        }
    }

    /** Size of {@link #toBytes()}. */
    public int sizeBytes() {
        return toBytes().length;
    }

    /** The broadcast's weights: widths, activation, then each layer's weights and biases (compact). */
    static void writeWeights(DataOutputStream out, MlpWeights w) throws IOException {
        StateCodec.writeInts(out, w.widths());
        out.writeUTF(w.activation().name());
        for (int l = 0; l < w.layers(); l++) {
            CompactArrays.write(out, w.weight(l));
            CompactArrays.write(out, w.bias(l));
        }
    }

    static MlpWeights readWeights(DataInputStream in) throws IOException {
        int[] widths = StateCodec.readInts(in);
        if (widths.length < 2) {
            throw new IOException("corrupt weights: " + widths.length + " widths");
        }
        io.alstream.learner.LearnerConfig.Activation act = io.alstream.learner.LearnerConfig.Activation.valueOf(in.readUTF());
        double[][] w = new double[widths.length - 1][];
        double[][] b = new double[widths.length - 1][];
        for (int l = 0; l < w.length; l++) {
            w[l] = CompactArrays.read(in);
            b[l] = CompactArrays.read(in);
        }
        return new MlpWeights(widths, act, w, b);
    }

    /** Entries of T for the broadcast: id, pending flag, features and target in their compact forms. */
    static void writeCompactEntries(DataOutputStream out, List<KernelEntry> entries) throws IOException {
        out.writeInt(entries.size());
        for (KernelEntry e : entries) {
            writeCompactEntry(out, e);
        }
    }

    static void writeCompactEntry(DataOutputStream out, KernelEntry e) throws IOException {
        out.writeUTF(e.id());
        out.writeBoolean(e.pending());
        CompactArrays.write(out, e.x());
        CompactArrays.write(out, e.target());
    }

    static List<KernelEntry> readCompactEntries(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt entry count " + n);
        }
        List<KernelEntry> entries = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            entries.add(readCompactEntry(in));
        }
        return entries;
    }

    static KernelEntry readCompactEntry(DataInputStream in) throws IOException {
        String id = in.readUTF();
        boolean pending = in.readBoolean();
        double[] x = CompactArrays.read(in);
        double[] t = CompactArrays.read(in);
        return new KernelEntry(id, x, t, pending);
    }

    static void writeEntries(DataOutputStream out, List<KernelEntry> entries) throws IOException {
        out.writeInt(entries.size());
        for (KernelEntry e : entries) {
            out.writeUTF(e.id());
            out.writeBoolean(e.pending());
            StateCodec.writeDoubles(out, e.x());
            StateCodec.writeDoubles(out, e.target());
        }
    }

    static List<KernelEntry> readEntries(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<KernelEntry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = in.readUTF();
            boolean pending = in.readBoolean();
            double[] x = StateCodec.readDoubles(in);
            double[] t = StateCodec.readDoubles(in);
            entries.add(new KernelEntry(id, x, t, pending));
        }
        return entries;
    }
}
