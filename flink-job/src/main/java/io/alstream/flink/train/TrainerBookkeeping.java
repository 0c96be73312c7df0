package io.alstream.flink.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainer's figures besides the model itself; checkpointed with it in its own versioned byte format
 * ({@link #toBytes()}: a version byte, then the fields). Serializable only so that state written by the first
 * version (Java serialization) still restores.
 */
final class TrainerBookkeeping implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Format of {@link #toBytes()}; a reader of version v reads every version up to v. */
    static final byte FORMAT = 2;

    /** Decayed count of correct test-then-train predictions, and the decayed count of predictions. */
    double prequentialHits;
    double prequentialWeight;
    long duplicates;
    long closedUnlabelled;
    long pendingAdded;
    long labelsFoldedTotal;
    Long lastLabelAt;
    long lastPublishedVersion = -1;
    int lastPublishedRefreshes;
    boolean lastPublishedWarm;
    final List<String> foldedSinceUpdate = new ArrayList<>();
    Double lastHeldOutAccuracy;
    long lastHeldOutAt;
    /** Per scoring shard: {events seen, labels requested} from its latest label request (null in older checkpoints). */
    java.util.HashMap<Integer, long[]> budgetByShard;

    /** Keeps the highest counts heard per shard (a replayed request carries older ones). */
    void budgetHeard(Integer shard, Long seen, Long requested) {
        if (shard == null || seen == null || requested == null) {
            return;
        }
        if (budgetByShard == null) {
            budgetByShard = new java.util.HashMap<>();
        }
        long[] c = budgetByShard.computeIfAbsent(shard, k -> new long[2]);
        if (seen >= c[0]) {
            c[0] = seen;
            c[1] = Math.max(c[1], requested);
        }
    }

    /** Labels requested / events seen over all shards heard from; null before any. */
    Double budgetSpent() {
        if (budgetByShard == null) {
            return null;
        }
        long seen = 0;
        long requested = 0;
        for (long[] c : budgetByShard.values()) {
            seen += c[0];
            requested += c[1];
        }
        return seen == 0 ? null : (double) requested / seen;
    }

    void prequential(boolean hit, double decay) {
        prequentialHits = decay * prequentialHits + (hit ? 1 : 0);
        prequentialWeight = decay * prequentialWeight + 1;
    }

    Double prequentialAccuracy() {
        return prequentialWeight == 0 ? null : prequentialHits / prequentialWeight;
    }

    byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            out.writeDouble(prequentialHits);
            out.writeDouble(prequentialWeight);
            out.writeLong(duplicates);
            out.writeLong(closedUnlabelled);
            out.writeLong(pendingAdded);
            out.writeLong(labelsFoldedTotal);
            writeNullableLong(out, lastLabelAt);
            out.writeLong(lastPublishedVersion);
            out.writeInt(lastPublishedRefreshes);
            out.writeBoolean(lastPublishedWarm);
            out.writeInt(foldedSinceUpdate.size());
            for (String id : foldedSinceUpdate) {
                out.writeUTF(id);
            }
            out.writeBoolean(lastHeldOutAccuracy != null);
            if (lastHeldOutAccuracy != null) {
                out.writeDouble(lastHeldOutAccuracy);
            }
            out.writeLong(lastHeldOutAt);
            // format 2: the scoring shards' budget counts
            out.writeInt(budgetByShard == null ? -1 : budgetByShard.size());
            if (budgetByShard != null) {
                for (java.util.Map.Entry<Integer, long[]> e : budgetByShard.entrySet()) {
                    out.writeInt(e.getKey());
                    out.writeLong(e.getValue()[0]);
                    out.writeLong(e.getValue()[1]);
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TrainerBookkeeping fromBytes(byte[] b) {
        if (b.length >= 2 && (b[0] & 0xFF) == 0xAC && (b[1] & 0xFF) == 0xED) {
            return (TrainerBookkeeping) LearnerBridge.fromJavaBytes(b); // the first version's Java serialization
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
            int format = in.readByte();
            if (format < 1 || format > FORMAT) {
                throw new IllegalArgumentException("trainer bookkeeping of format " + format + ", this version reads 1.." + FORMAT);
            }
            TrainerBookkeeping t = new TrainerBookkeeping();
            t.prequentialHits = in.readDouble();
            t.prequentialWeight = in.readDouble();
            t.duplicates = in.readLong();
            t.closedUnlabelled = in.readLong();
            t.pendingAdded = in.readLong();
            t.labelsFoldedTotal = in.readLong();
            t.lastLabelAt = in.readBoolean() ? in.readLong() : null;
            t.lastPublishedVersion = in.readLong();
            t.lastPublishedRefreshes = in.readInt();
            t.lastPublishedWarm = in.readBoolean();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                t.foldedSinceUpdate.add(in.readUTF());
            }
            t.lastHeldOutAccuracy = in.readBoolean() ? in.readDouble() : null;
            t.lastHeldOutAt = in.readLong();
            if (format >= 2) {
                int shards = in.readInt();
                if (shards > 1 << 20) {
                    throw new IOException("implausible shard count " + shards);
                }
                if (shards >= 0) {
                    t.budgetByShard = new java.util.HashMap<>();
                    for (int i = 0; i < shards; i++) {
                        t.budgetByShard.put(in.readInt(), new long[] {in.readLong(), in.readLong()});
                    }
                }
            }
            return t;
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt trainer bookkeeping: " + e.getMessage(), e);
        }
    }

    private static void writeNullableLong(DataOutputStream out, Long v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeLong(v);
        }
    }
}
