package io.alstream.learner;

import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.util.CompactArrays;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The change from one model version to a later one with the same linearisation (same weights): which entries
 * of T were dropped, which had their target replaced (a pending request confirmed by its label), and which
 * were appended at the end. A scorer holding exactly {@link #baseVersion()} applies it in place
 * ({@link Scorer#apply(ModelDelta)}): the dropped rows leave A^{-1} by the reverse block update, the appended
 * ones enter by the block-inverse update on features the scorer computes itself, so a label costs the scorer
 * O(|T|^2) instead of rebuilding T's NTK features and installing a new A^{-1}; and a label costs the wire
 * its features (float32) and an index instead of the whole model.
 *
 * <p>Wire format ({@link #toBytes()}, versioned): magic, format, base version, version, warm, dropped ids,
 * confirmed (id, pending, target), appended entries, arrays in {@link CompactArrays} form.
 */
public final class ModelDelta {
    private static final int MAGIC = 0x414C5344; // "ALSD"
    private static final int FORMAT = 1;

    /** A kept entry whose target or pending flag changed. */
    public record Confirmed(String id, double[] target, boolean pending) { }

    private final long baseVersion;
    private final long version;
    private final boolean warm;
    private final List<String> dropped;
    private final List<Confirmed> confirmed;
    private final List<KernelEntry> appended;

    public ModelDelta(long baseVersion, long version, boolean warm, List<String> dropped, List<Confirmed> confirmed,
                      List<KernelEntry> appended) {
        if (version <= baseVersion) {
            throw new IllegalArgumentException("a delta goes forward: base " + baseVersion + ", version " + version);
        }
        this.baseVersion = baseVersion;
        this.version = version;
        this.warm = warm;
        this.dropped = Collections.unmodifiableList(new ArrayList<>(dropped));
        this.confirmed = Collections.unmodifiableList(new ArrayList<>(confirmed));
        this.appended = Collections.unmodifiableList(new ArrayList<>(appended));
    }

    /**
     * The delta that turns T = before (at baseVersion) into T = after (at version), in the operations the
     * kernel state has: the longest run of before's entries that starts after and keeps their order is kept
     * (their target updated where it changed); the other entries of before are dropped; the rest of after is
     * appended in order. Always exact; it is small when T changed by appends, confirms and drops (an entry
     * dropped and added again is dropped and appended).
     */
    public static ModelDelta between(long baseVersion, List<KernelEntry> before, long version, boolean warm,
                                     List<KernelEntry> after) {
        Map<String, Integer> positionBefore = new HashMap<>();
        for (int i = 0; i < before.size(); i++) {
            positionBefore.put(before.get(i).id(), i);
        }
        List<Confirmed> confirmed = new ArrayList<>();
        boolean[] kept = new boolean[before.size()];
        int last = -1;
        int split = 0;
        for (; split < after.size(); split++) {
            KernelEntry now = after.get(split);
            Integer at = positionBefore.get(now.id());
            if (at == null || at <= last) {
                break;
            }
            KernelEntry was = before.get(at);
            if (was != now) { // entries are immutable: the same object is the same entry
                if (!java.util.Arrays.equals(was.x(), now.x())) {
                    break; // same id, other features: dropped and appended
                }
                if (was.pending() != now.pending() || !java.util.Arrays.equals(was.target(), now.target())) {
                    confirmed.add(new Confirmed(now.id(), now.target(), now.pending()));
                }
            }
            last = at;
            kept[at] = true;
        }
        List<String> dropped = new ArrayList<>();
        for (int i = 0; i < before.size(); i++) {
            if (!kept[i]) {
                dropped.add(before.get(i).id());
            }
        }
        return new ModelDelta(baseVersion, version, warm, dropped, confirmed, after.subList(split, after.size()));
    }

    /**
     * One delta equal to applying {@code chain} in order (each starting at the version the previous one ends at):
     * a scorer that receives many small deltas between two batches applies them as one - one pass over A^{-1} and
     * one block update for all appended rows instead of one per delta. The result holds, in the operations
     * {@link Scorer#apply} has: the base entries dropped along the chain; the last target of each base entry
     * confirmed and not dropped; and the appended entries still there at the end, in the order they were appended
     * (with their last target, an entry appended and then dropped left out, an entry dropped and appended again at
     * its new place). T after the composed delta is T after the chain, entry for entry and in the same order.
     * A chain that names an entry its base cannot hold (a confirm of an entry dropped before it) keeps that
     * reference, so applying the composition fails as applying the chain would.
     */
    public static ModelDelta compose(List<ModelDelta> chain) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("nothing to compose");
        }
        if (chain.size() == 1) {
            return chain.get(0);
        }
        java.util.LinkedHashSet<String> droppedBase = new java.util.LinkedHashSet<>();
        Map<String, Confirmed> confirmedBase = new java.util.LinkedHashMap<>();
        Map<String, KernelEntry> appended = new java.util.LinkedHashMap<>();
        long at = chain.get(0).baseVersion;
        for (ModelDelta d : chain) {
            if (d.baseVersion != at) {
                throw new IllegalArgumentException("deltas do not chain: one starts at " + d.baseVersion + ", the one before ends at " + at);
            }
            at = d.version;
            for (String id : d.dropped) {
                if (appended.remove(id) == null) { // not appended within the chain: an entry of the base
                    confirmedBase.remove(id);
                    droppedBase.add(id);
                }
            }
            for (Confirmed c : d.confirmed) {
                KernelEntry e = appended.get(c.id());
                if (e != null) {
                    appended.put(c.id(), e.withTarget(c.target(), c.pending())); // keeps its place in the map
                } else {
                    confirmedBase.put(c.id(), c);
                }
            }
            for (KernelEntry e : d.appended) {
                appended.remove(e.id()); // appended again: it goes to the end, as it would in T
                appended.put(e.id(), e);
            }
        }
        ModelDelta last = chain.get(chain.size() - 1);
        return new ModelDelta(chain.get(0).baseVersion, last.version, last.warm, new ArrayList<>(droppedBase),
                new ArrayList<>(confirmedBase.values()), new ArrayList<>(appended.values()));
    }

    public long baseVersion() { return baseVersion; }
    public long version() { return version; }
    public boolean isWarm() { return warm; }
    public List<String> dropped() { return dropped; }
    public List<Confirmed> confirmed() { return confirmed; }
    public List<KernelEntry> appended() { return appended; }

    /** Entries touched: dropped + confirmed + appended. */
    public int changes() { return dropped.size() + confirmed.size() + appended.size(); }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeLong(baseVersion);
            out.writeLong(version);
            out.writeBoolean(warm);
            out.writeInt(dropped.size());
            for (String id : dropped) {
                out.writeUTF(id);
            }
            out.writeInt(confirmed.size());
            for (Confirmed c : confirmed) {
                out.writeUTF(c.id());
                out.writeBoolean(c.pending());
                CompactArrays.write(out, c.target());
            }
            ModelSnapshot.writeCompactEntries(out, appended);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelDelta fromBytes(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a model delta");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unsupported model delta format " + format);
            }
            long base = in.readLong();
            long version = in.readLong();
            boolean warm = in.readBoolean();
            int nd = count(in.readInt());
            List<String> dropped = new ArrayList<>();
            for (int i = 0; i < nd; i++) {
                dropped.add(in.readUTF());
            }
            int nc = count(in.readInt());
            List<Confirmed> confirmed = new ArrayList<>();
            for (int i = 0; i < nc; i++) {
                String id = in.readUTF();
                boolean pending = in.readBoolean();
                confirmed.add(new Confirmed(id, CompactArrays.read(in), pending));
            }
            List<KernelEntry> appended = ModelSnapshot.readCompactEntries(in);
            return new ModelDelta(base, version, warm, dropped, confirmed, appended);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt model delta: " + e.getMessage(), e);
        }
    }

    private static int count(int n) throws IOException {
        if (n < 0) {
            throw new IOException("negative count " + n);
        }
        return n;
    }
}
