package io.alstream.learner.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A byte stream cut into pieces of bounded size, so state of any size is written and read without one
 * allocation that grows with it (no ByteArrayOutputStream doubling its buffer, no {@code toByteArray()} copy).
 * Each piece is self-describing: {@code [format 1][int index][byte last]} then up to {@code chunkBytes} of the
 * stream, so pieces may come back in any order and a missing one is an error, not a shorter state.
 *
 * <p>A stream written in one piece before this framing existed (its first byte is not {@link #FORMAT}) is read
 * as it is: the trainer's state of earlier versions restores through the same path.
 */
public final class StateChunks {
    private StateChunks() { }

    /** Format of a piece's header. */
    public static final byte FORMAT = 1;
    static final int HEADER = 1 + 4 + 1;
    /** Default payload per piece: 1 MiB. */
    public static final int DEFAULT_CHUNK_BYTES = 1 << 20;

    /** An output stream that hands each full piece to {@code sink}; {@link #close()} hands over the last one. */
    public static final class Writer extends OutputStream {
        private final int chunkBytes;
        private final Consumer<byte[]> sink;
        private byte[] buf;
        private int pos;
        private int index;
        private long total;
        private boolean closed;

        public Writer(int chunkBytes, Consumer<byte[]> sink) {
            if (chunkBytes < 1) {
                throw new IllegalArgumentException("chunkBytes must be >= 1, got " + chunkBytes);
            }
            this.chunkBytes = chunkBytes;
            this.sink = sink;
            fresh();
        }

        private void fresh() {
            buf = new byte[HEADER + chunkBytes];
            pos = HEADER;
        }

        private void emit(boolean last) {
            buf[0] = FORMAT;
            buf[1] = (byte) (index >>> 24);
            buf[2] = (byte) (index >>> 16);
            buf[3] = (byte) (index >>> 8);
            buf[4] = (byte) index;
            buf[5] = (byte) (last ? 1 : 0);
            sink.accept(pos == buf.length ? buf : Arrays.copyOf(buf, pos)); // only the last piece is trimmed
            index++;
        }

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            if (pos == buf.length) {
                emit(false);
                fresh();
            }
            buf[pos++] = (byte) b;
            total++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureOpen();
            while (len > 0) {
                if (pos == buf.length) {
                    emit(false);
                    fresh();
                }
                int n = Math.min(len, buf.length - pos);
                System.arraycopy(b, off, buf, pos, n);
                pos += n;
                off += n;
                len -= n;
                total += n;
            }
        }

        private void ensureOpen() throws IOException {
            if (closed) {
                throw new IOException("state stream already closed");
            }
        }

        /** Bytes of the stream written so far (headers not counted). */
        public long bytes() { return total; }

        /** Pieces handed over so far. */
        public int pieces() { return index; }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                emit(true);
                buf = null;
            }
        }
    }

    /** Writes a stream into pieces of at most {@code chunkBytes} payload and returns them in order. */
    public static List<byte[]> write(int chunkBytes, IOWriter body) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (Writer w = new Writer(chunkBytes, out::add)) {
            body.write(w);
        }
        return out;
    }

    /** Writes the body of a stream. */
    @FunctionalInterface
    public interface IOWriter {
        void write(OutputStream out) throws IOException;
    }

    /**
     * The stream the pieces hold, in index order whatever order they come in. A single piece that does not start
     * with this framing is an unframed stream (state of earlier versions) and is read as it is. Fails on a
     * missing, repeated or unknown piece.
     */
    public static InputStream read(Iterable<byte[]> pieces) {
        List<byte[]> list = new ArrayList<>();
        pieces.forEach(list::add);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no state pieces");
        }
        if (list.size() == 1 && (list.get(0).length < HEADER || list.get(0)[0] != FORMAT)) {
            return new java.io.ByteArrayInputStream(list.get(0)); // unframed: written in one piece by an earlier version
        }
        byte[][] ordered = new byte[list.size()][];
        for (byte[] p : list) {
            if (p.length < HEADER || p[0] != FORMAT) {
                throw new IllegalArgumentException("state piece of unknown format " + (p.length == 0 ? "(empty)" : p[0])
                        + "; this version reads " + FORMAT);
            }
            int index = ((p[1] & 0xff) << 24) | ((p[2] & 0xff) << 16) | ((p[3] & 0xff) << 8) | (p[4] & 0xff);
            if (index < 0 || index >= ordered.length) {
                throw new IllegalArgumentException("state piece " + index + " of " + ordered.length + ": pieces are missing");
            }
            if (ordered[index] != null) {
                throw new IllegalArgumentException("state piece " + index + " twice");
            }
            boolean last = p[5] == 1;
            if (last != (index == ordered.length - 1)) {
                throw new IllegalArgumentException("state piece " + index + (last ? " ends the stream early" : " is not the last")
                        + " of " + ordered.length + ": pieces are missing or extra");
            }
            ordered[index] = p;
        }
        return new Reader(Arrays.asList(ordered).iterator());
    }

    /** Reads the payloads of pieces one after another, without joining them. */
    private static final class Reader extends InputStream {
        private final Iterator<byte[]> pieces;
        private byte[] cur;
        private int pos;

        Reader(Iterator<byte[]> pieces) {
            this.pieces = pieces;
        }

        private boolean advance() {
            while (cur == null || pos == cur.length) {
                if (!pieces.hasNext()) {
                    cur = null;
                    return false;
                }
                cur = pieces.next();
                pos = HEADER;
            }
            return true;
        }

        @Override
        public int read() {
            if (!advance()) {
                return -1;
            }
            return cur[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!advance()) {
                return -1;
            }
            int n = Math.min(len, cur.length - pos);
            System.arraycopy(cur, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
