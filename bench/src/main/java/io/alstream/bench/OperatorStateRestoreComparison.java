package io.alstream.bench;

import io.alstream.learner.util.SplitMix64;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.DefaultOperatorStateBackend;
import org.apache.flink.runtime.state.DefaultOperatorStateBackendBuilder;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.filesystem.FsCheckpointStreamFactory;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.RunnableFuture;

/**
 * How long Flink takes to restore operator list state of byte[] pieces (the trainer's model: {@code online-model},
 * pieces of at most 1 MiB) from a local checkpoint folder, with and without snapshot compression, in one process.
 * Flink 2.2 reads uncompressed operator state through a stream that only implements the one-byte read, so every
 * byte is one read(2) on a local file; compressed, the bytes come from the decompressor's buffer.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.alstream.bench.OperatorStateRestoreComparison [MiB] [rounds]</pre>
 * The pieces hold random doubles (like A^{-1} and the weights: Snappy gains little on them).
 */
public final class OperatorStateRestoreComparison {
    private OperatorStateRestoreComparison() {
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<byte[]> pieces = pieces(mib);
        System.out.printf(Locale.ROOT, "operator state: %d pieces of 1 MiB (random doubles); load average %s%n", mib, LoadAverage.now());
        System.out.println("round,compression,snapshot_bytes,snapshot_ms,restore_ms");
        double[] sum = new double[2];
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < 2; c++) {
                boolean compress = c == 1;
                double[] t = once(pieces, compress);
                sum[c] += t[2];
                System.out.printf(Locale.ROOT, "%d,%s,%.0f,%.0f,%.0f%n", r, compress, t[0], t[1], t[2]);
            }
        }
        System.out.printf(Locale.ROOT, "restore: uncompressed %.0f ms, compressed %.0f ms (mean of %d): compressed is %.1fx faster%n",
                sum[0] / rounds, sum[1] / rounds, rounds, sum[0] / sum[1]);
    }

    private static List<byte[]> pieces(int mib) {
        SplitMix64 rng = new SplitMix64(11);
        List<byte[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < mib; i++) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            while (b.remaining() >= 8) {
                b.putDouble(rng.nextGaussian());
            }
            out.add(b.array());
        }
        return out;
    }

    /** {snapshot bytes, snapshot ms, restore ms}. */
    private static double[] once(List<byte[]> pieces, boolean compress) throws Exception {
        Path dir = Files.createTempDirectory("alstream-opstate-");
        try {
            ExecutionConfig ec = new ExecutionConfig();
            ec.setUseSnapshotCompression(compress);
            ClassLoader cl = OperatorStateRestoreComparison.class.getClassLoader();
            ListStateDescriptor<byte[]> desc = new ListStateDescriptor<>("online-model", BytePrimitiveArraySerializer.INSTANCE);
            OperatorStateHandle handle;
            long t0 = System.nanoTime();
            try (CloseableRegistry reg = new CloseableRegistry()) {
                DefaultOperatorStateBackend backend = new DefaultOperatorStateBackendBuilder(cl, ec, false, List.of(), reg).build();
                ListState<byte[]> state = backend.getListState(desc);
                for (byte[] p : pieces) {
                    state.add(p);
                }
                org.apache.flink.core.fs.Path p = org.apache.flink.core.fs.Path.fromLocalFile(dir.toFile());
                FsCheckpointStreamFactory f = new FsCheckpointStreamFactory(FileSystem.getLocalFileSystem(), p, p, 1024, 4096);
                RunnableFuture<SnapshotResult<OperatorStateHandle>> fut =
                        backend.snapshot(1L, System.currentTimeMillis(), f, CheckpointOptions.forCheckpointWithDefaultLocation());
                fut.run();
                handle = fut.get().getJobManagerOwnedSnapshot();
                backend.dispose();
            }
            long t1 = System.nanoTime();
            long bytes = 0;
            try (CloseableRegistry reg = new CloseableRegistry()) {
                DefaultOperatorStateBackend restored = new DefaultOperatorStateBackendBuilder(cl, ec, false, List.of(handle), reg).build();
                for (byte[] p : restored.getListState(desc).get()) {
                    bytes += p.length;
                }
                restored.dispose();
            }
            long t2 = System.nanoTime();
            long expected = (long) pieces.size() << 20;
            if (bytes != expected) {
                throw new IllegalStateException("restored " + bytes + " bytes, wrote " + expected);
            }
            return new double[] {handle.getStateSize(), (t1 - t0) / 1e6, (t2 - t1) / 1e6};
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
            }
        }
    }

}
