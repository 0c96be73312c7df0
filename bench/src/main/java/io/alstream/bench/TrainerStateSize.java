package io.alstream.bench;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.util.SplitMix64;

import java.util.List;
import java.util.Locale;

/**
 * The trainer's checkpointed model state with many kept labels, by part: {@code java -cp benchmarks.jar
 * io.alstream.bench.TrainerStateSize [keptLabels] [dim] [kernelCap]} (defaults 100000, 784, 1024: Fashion-MNIST
 * shaped, the default cap). Labels are random (the size does not depend on their values; a compressing codec
 * would); training is cut to one step (the size does not depend on the weights either).
 */
public final class TrainerStateSize {
    private TrainerStateSize() { }

    public static void main(String[] args) {
        int kept = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 784;
        int cap = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        LearnerConfig cfg = LearnerConfig.builder().inputDim(dim).numClasses(10).hiddenWidths(256)
                .warmupLabels(64).trainEpochs(1).trainSteps(1).kernelCap(cap).refreshGrowth(0)
                .maxTrainingLabels(kept).acquisitionFunctions(List.of("entropy")).selectBy("entropy").build();
        SplitMix64 rng = new SplitMix64(1);
        long t0 = System.nanoTime();
        try (OnlineModel m = OnlineModel.create(cfg)) {
            int batch = cap / 2;
            int folded = 0;
            while (folded < kept + cap / 2) { // end with T half full, as in the middle of a linearisation
                int b = Math.min(batch, kept + cap / 2 - folded);
                String[] ids = new String[b];
                float[][] xs = new float[b][dim];
                int[] ys = new int[b];
                for (int i = 0; i < b; i++) {
                    ids[i] = "event-" + (folded + i);
                    for (int j = 0; j < dim; j++) {
                        xs[i][j] = (float) rng.nextDouble();
                    }
                    ys[i] = rng.nextInt(10);
                }
                m.foldBatch(ids, xs, ys);
                folded += b;
            }
            long t1 = System.nanoTime();
            byte[] state = m.toBytes();
            long t2 = System.nanoTime();
            var s = m.stats();
            long labelsPart = (long) Math.min(kept, s.labelsFolded()) * (4 + 4L * dim + 4);
            long inversePart = 4 + 8L * s.kernelSize() * s.kernelSize();
            System.out.printf(Locale.ROOT, "kept labels %d (dim %d), |T| %d, labels folded %d, dedup window %d%n",
                    Math.min(kept, s.labelsFolded()), dim, s.kernelSize(), s.labelsFolded(), cfg.dedupWindow());
            System.out.printf(Locale.ROOT, "OnlineModel state: %.1f MB (%d bytes), encoded in %d ms%n",
                    state.length / 1e6, state.length, (t2 - t1) / 1_000_000);
            System.out.printf(Locale.ROOT, "  of which kept labels ~%.1f MB, A^-1 %.1f MB, rest (weights x2, T's rows, ids) %.1f MB%n",
                    labelsPart / 1e6, inversePart / 1e6, (state.length - labelsPart - inversePart) / 1e6);
            // as the trainer checkpoints it: the model apart from its kept labels, and the labels in chunks
            long t3 = System.nanoTime();
            byte[] apart = m.toBytesWithoutKeptLabels();
            long t4 = System.nanoTime();
            List<byte[]> chunks = m.keptLabelChunks();
            long t5 = System.nanoTime();
            List<byte[]> again = m.keptLabelChunks();
            long t6 = System.nanoTime();
            long chunkBytes = chunks.stream().mapToLong(c -> c.length).sum();
            System.out.printf(Locale.ROOT, "trainer checkpoint (model + kept-label chunks): %.1f MB = %.1f MB model state (encoded in %d ms)"
                            + " + %.1f MB in %d chunks (first encoding %d ms, next checkpoint %d ms: full chunks cached)%n",
                    (apart.length + chunkBytes) / 1e6, apart.length / 1e6, (t4 - t3) / 1_000_000, chunkBytes / 1e6, chunks.size(),
                    (t5 - t4) / 1_000_000, (t6 - t5) / 1_000_000);
            // as the trainer checkpoints it now: the model streamed into pieces of at most 1 MiB (operator state), the
            // kept labels in keyed chunks of 256 labels, each written once
            long t7 = System.nanoTime();
            List<byte[]> pieces;
            try {
                pieces = io.alstream.learner.util.StateChunks.write(io.alstream.learner.util.StateChunks.DEFAULT_CHUNK_BYTES,
                        m::writeWithoutKeptLabels);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            long t8 = System.nanoTime();
            long pieceBytes = pieces.stream().mapToLong(p -> p.length).sum();
            int largestPiece = pieces.stream().mapToInt(p -> p.length).max().orElse(0);
            long keyedBytes = 0;
            int keyedChunks = 0;
            int largestChunk = 0;
            for (long c = m.keptLabelsHead() / 256; c * 256 < m.keptLabelsEnd(); c++) {
                byte[] chunk = m.encodeKeptLabels(c * 256, (c + 1) * 256);
                keyedBytes += chunk.length;
                keyedChunks++;
                largestChunk = Math.max(largestChunk, chunk.length);
            }
            System.out.printf(Locale.ROOT, "streamed: model %.1f MB in %d pieces (largest %d bytes, written in %d ms); kept labels %.1f MB"
                            + " in %d keyed chunks (largest %d bytes)%n", pieceBytes / 1e6, pieces.size(), largestPiece,
                    (t8 - t7) / 1_000_000, keyedBytes / 1e6, keyedChunks, largestChunk);
            System.out.printf(Locale.ROOT, "built in %.0f s%n", (t1 - t0) / 1e9);
        }
    }
}
