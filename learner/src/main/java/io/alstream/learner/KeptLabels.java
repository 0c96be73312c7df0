package io.alstream.learner;

import io.alstream.learner.util.StateCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The labels kept for retraining (features as float32, class), oldest first, numbered by a running sequence.
 * For checkpoints they are cut into chunks of {@link #CHUNK} consecutive sequence numbers, each in a compact
 * versioned encoding ({@link #encodeChunks()}); a full chunk never changes, so its bytes are encoded once and
 * reused by every later checkpoint: a checkpoint encodes at most the oldest (partly evicted) and the newest
 * (partly filled) chunk, not every kept label.
 */
final class KeptLabels {
    static final int CHUNK = 1024;
    /** Format of one encoded chunk. */
    static final byte CHUNK_FORMAT = 1;

    private final java.util.ArrayDeque<float[]> xs = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<Integer> ys = new java.util.ArrayDeque<>();
    /** Sequence number of the oldest kept label. */
    private long head;
    private final Map<Long, byte[]> encoded = new HashMap<>();

    int size() { return xs.size(); }

    long head() { return head; }

    /** For labels restored inline: the sequence number of the oldest (nothing is cached yet). */
    void setHead(long seq) {
        head = seq;
        encoded.clear();
    }

    void add(float[] x, int y) {
        xs.addLast(x);
        ys.addLast(y);
    }

    void evictOldest() {
        xs.removeFirst();
        ys.removeFirst();
        head++;
        encoded.remove((head - 1) / CHUNK); // that chunk is partial from now on (or gone)
    }

    Iterator<float[]> features() { return xs.iterator(); }

    Iterator<Integer> labels() { return ys.iterator(); }

    /** The kept labels as chunks; full chunks come from the cache. */
    List<byte[]> encodeChunks() {
        List<byte[]> out = new ArrayList<>();
        long end = head + xs.size();
        Iterator<float[]> xi = xs.iterator();
        Iterator<Integer> yi = ys.iterator();
        long seq = head;
        while (seq < end) {
            long chunk = seq / CHUNK;
            long to = Math.min(end, (chunk + 1) * CHUNK);
            int n = (int) (to - seq);
            boolean full = seq == chunk * CHUNK && to == (chunk + 1) * CHUNK;
            byte[] bytes = full ? encoded.get(chunk) : null;
            if (bytes != null) {
                for (int i = 0; i < n; i++) { // skip past it
                    xi.next();
                    yi.next();
                }
            } else {
                bytes = encode(seq, n, xi, yi);
                if (full) {
                    encoded.put(chunk, bytes);
                }
            }
            out.add(bytes);
            seq = to;
        }
        return out;
    }

    private static byte[] encode(long first, int n, Iterator<float[]> xi, Iterator<Integer> yi) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(CHUNK_FORMAT);
            out.writeLong(first);
            out.writeInt(n);
            int[] labels = new int[n];
            float[][] rows = new float[n][];
            for (int i = 0; i < n; i++) {
                rows[i] = xi.next();
                labels[i] = yi.next();
            }
            StateCodec.writeInts(out, labels);
            int dim = n == 0 ? 0 : rows[0].length;
            float[] flat = new float[n * dim];
            for (int i = 0; i < n; i++) {
                System.arraycopy(rows[i], 0, flat, i * dim, dim);
            }
            out.writeInt(dim);
            StateCodec.writeFloats(out, flat);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The kept labels with sequence numbers in [from, to), clipped to those kept, as one chunk (not cached); null if
     * none is kept in that range.
     */
    byte[] encodeRange(long from, long to) {
        long lo = Math.max(from, head);
        long hi = Math.min(to, head + xs.size());
        if (lo >= hi) {
            return null;
        }
        Iterator<float[]> xi = xs.iterator();
        Iterator<Integer> yi = ys.iterator();
        for (long s = head; s < lo; s++) { // ArrayDeque has no random access; a checkpoint encodes the newest chunks
            xi.next();
            yi.next();
        }
        return encode(lo, (int) (hi - lo), xi, yi);
    }

    /** Rebuilds the kept labels from chunks (any order; they must be consecutive). */
    static KeptLabels decodeChunks(Iterable<byte[]> chunks, int expectedDim) {
        return decodeChunks(chunks, expectedDim, -1);
    }

    /**
     * Rebuilds the kept labels from chunks (any order; together they must cover [fromSeq, end) without a gap), skipping
     * labels before {@code fromSeq} (evicted after their chunk was written); fromSeq -1: from the first chunk's first.
     */
    static KeptLabels decodeChunks(Iterable<byte[]> chunks, int expectedDim, long fromSeq) {
        java.util.TreeMap<Long, byte[]> byFirst = new java.util.TreeMap<>();
        for (byte[] c : chunks) {
            if (c.length < 13 || c[0] != CHUNK_FORMAT) {
                throw new IllegalArgumentException("kept-labels chunk of unknown format " + (c.length == 0 ? "(empty)" : c[0])
                        + "; this version reads " + CHUNK_FORMAT);
            }
            long first = java.nio.ByteBuffer.wrap(c, 1, 8).getLong();
            if (byFirst.put(first, c) != null) {
                throw new IllegalArgumentException("two kept-labels chunks start at " + first);
            }
        }
        KeptLabels k = new KeptLabels();
        boolean first = true;
        if (fromSeq >= 0) {
            k.head = fromSeq;
            first = false;
        }
        for (Map.Entry<Long, byte[]> e : byFirst.entrySet()) {
            try {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(e.getValue()));
                in.readByte();
                long seq = in.readLong();
                int n = in.readInt();
                if (seq + n <= k.head + k.size() && !first) {
                    continue; // wholly before fromSeq (or already covered): evicted labels
                }
                if (first) {
                    k.head = seq;
                    first = false;
                } else if (seq > k.head + k.size()) {
                    throw new IllegalArgumentException("kept-labels chunks are not consecutive: " + seq + " after "
                            + (k.head + k.size()));
                }
                int[] labels = StateCodec.readInts(in);
                int dim = in.readInt();
                float[] flat = StateCodec.readFloats(in);
                if (labels.length != n || (n > 0 && dim != expectedDim) || flat.length != (long) n * dim) {
                    throw new IllegalArgumentException("corrupt kept-labels chunk at " + seq);
                }
                for (int i = (int) (k.head + k.size() - seq); i < n; i++) { // from the first label not yet kept
                    k.add(java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim), labels[i]);
                }
            } catch (IOException ex) {
                throw new IllegalArgumentException("corrupt kept-labels chunk: " + ex.getMessage(), ex);
            }
        }
        return k;
    }
}
