package io.alstream.learner;

import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.nn.MlpWeights;
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
 * T (features, targets, pending flags, ids) and A^{-1}, plus the version. Broadcast to every scoring task
 * after each update. A^{-1} is symmetric, so only its upper triangle travels: for |T| = 1024, D = 64,
 * C = 10, one hidden layer of 256 and a scalar kernel that is 4.2 MB of A^{-1} + 0.5 MB of features +
 * 0.08 MB of targets + 0.15 MB of weights, about 5 MB in all ({@link #sizeBytes()} reports the exact
 * figure). The full C x C kernel multiplies the A^{-1} part by C^2.
 */
public final class ModelSnapshot implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int MAGIC = 0x414C5353; // "ALSS"
    private static final int FORMAT = 1;

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
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeLong(version);
            out.writeBoolean(warm);
            weights.write(out);
            writeEntries(out, entries);
            out.writeInt(inverseSize);
            StateCodec.writeDoubles(out, inverseUpper);
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
            if (format != FORMAT) {
                throw new IllegalArgumentException("unsupported snapshot format " + format);
            }
            long version = in.readLong();
            boolean warm = in.readBoolean();
            MlpWeights w = MlpWeights.read(in);
            List<KernelEntry> entries = readEntries(in);
            int n = in.readInt();
            double[] upper = StateCodec.readDoubles(in);
            return new ModelSnapshot(version, warm, w, entries, n, upper);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt model snapshot: " + e.getMessage(), e);
        }
    }

    /** Size of {@link #toBytes()}. */
    public int sizeBytes() {
        return toBytes().length;
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
