package io.alstream.bench;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelDelta;
import io.alstream.learner.ModelReplica;
import io.alstream.learner.ModelSnapshot;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.Scorer;
import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.util.CompactArrays;
import io.alstream.learner.util.SplitMix64;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a scoring subtask pays to follow the trainer, in one process, paired rounds:
 * <ul>
 *   <li>m labels folded in one trainer batch reach a scorer as one delta of m appended entries (applied as one block,
 *   {@code KernelRegressionState.appendAll}) against the same m entries as m deltas of one (a row at a time: what a
 *   scorer did for every delta before);</li>
 *   <li>the deltas that reach a scorer between two scored batches applied as each comes against composed into one
 *   at the next batch ({@link ModelReplica});</li>
 *   <li>decoding the float32 arrays of a snapshot (T's features) a chunk at a time ({@link CompactArrays#read})
 *   against one {@code readFloat} per value over the same bytes (what it did before).</li>
 * </ul>
 * <pre>java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
 *   -cp bench/target/benchmarks.jar io.alstream.bench.DeltaApplyComparison [|T|=1024] [m=32] [rounds=5] [dim=784]</pre>
 */
public final class DeltaApplyComparison {
    private DeltaApplyComparison() {
    }

    public static void main(String[] args) throws Exception {
        int kernelSize = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int dim = args.length > 3 ? Integer.parseInt(args[3]) : 784;
        LearnerConfig cfg = ModelFixture.config(List.of("balent"), LearnerConfig.Precision.FLOAT64, dim);
        System.out.printf(Locale.ROOT, "|T| = %d, %d appended entries, %d features, %d rounds; load average %s%n",
                kernelSize, m, dim, rounds, LoadAverage.now());
        try (OnlineModel model = ModelFixture.model(cfg, kernelSize)) {
            ModelSnapshot snapshot = ModelSnapshot.fromBytes(model.snapshot().toBytes());
            List<KernelEntry> base = new ArrayList<>(model.kernelState().entries());
            List<KernelEntry> added = new ArrayList<>();
            SplitMix64 rng = new SplitMix64(3);
            float[][] xs = ModelFixture.rows(rng, m, dim);
            for (int i = 0; i < m; i++) {
                double[] y = new double[ModelFixture.CLASSES];
                y[rng.nextInt(ModelFixture.CLASSES)] = 1;
                double[] x = new double[dim];
                for (int j = 0; j < dim; j++) {
                    x[j] = xs[i][j];
                }
                added.add(new KernelEntry("new" + i, x, y, false));
            }
            long v0 = snapshot.version();
            System.out.println("round,one_delta_of_m_ms,m_deltas_of_one_ms");
            double sumBlock = 0;
            double sumRows = 0;
            for (int r = 0; r < rounds; r++) {
                double block;
                try (Scorer s = Scorer.of(snapshot, cfg)) {
                    List<KernelEntry> after = new ArrayList<>(base);
                    after.addAll(added);
                    ModelDelta d = ModelDelta.between(v0, base, v0 + 1, true, after);
                    long t0 = System.nanoTime();
                    require(s.apply(d));
                    block = (System.nanoTime() - t0) / 1e6;
                }
                double rows;
                try (Scorer s = Scorer.of(snapshot, cfg)) {
                    List<ModelDelta> ds = new ArrayList<>();
                    List<KernelEntry> before = new ArrayList<>(base);
                    for (int i = 0; i < m; i++) {
                        List<KernelEntry> after = new ArrayList<>(before);
                        after.add(added.get(i));
                        ds.add(ModelDelta.between(v0 + i, before, v0 + i + 1, true, after));
                        before = after;
                    }
                    long t0 = System.nanoTime();
                    for (ModelDelta d : ds) {
                        require(s.apply(d));
                    }
                    rows = (System.nanoTime() - t0) / 1e6;
                }
                if (r > 0) { // the first round warms up the JIT
                    sumBlock += block;
                    sumRows += rows;
                }
                System.out.printf(Locale.ROOT, "%d,%.1f,%.1f%n", r, block, rows);
            }
            int counted = Math.max(1, rounds - 1);
            System.out.printf(Locale.ROOT, "delta of %d rows: one block %.1f ms, a row at a time %.1f ms (mean of %d rounds after the first): block %.1fx faster%n",
                    m, sumBlock / counted, sumRows / counted, counted, sumRows / sumBlock);
        }
        composed(cfg, kernelSize, m, rounds, dim);
        floats(kernelSize, dim, rounds);
    }

    /**
     * The deltas a scorer receives between two scored batches: m requests, each published as a delta appending its
     * pending entry and then one confirming it (its label), 2m deltas in all. A replica that applies each delta as it
     * comes (what scorers did before) against one that applies them composed at the next batch
     * ({@link ModelReplica#scorer()}), both from the same snapshot, paired per round.
     */
    private static void composed(LearnerConfig cfg, int kernelSize, int m, int rounds, int dim) {
        try (OnlineModel model = ModelFixture.model(cfg, kernelSize)) {
            byte[] snapshot = model.snapshot().toBytes();
            List<KernelEntry> base = new ArrayList<>(model.kernelState().entries());
            long v0 = model.version();
            SplitMix64 rng = new SplitMix64(5);
            float[][] xs = ModelFixture.rows(rng, m, dim);
            List<ModelDelta> chain = new ArrayList<>();
            List<KernelEntry> before = new ArrayList<>(base);
            long v = v0;
            for (int i = 0; i < m; i++) {
                double[] x = new double[dim];
                for (int j = 0; j < dim; j++) {
                    x[j] = xs[i][j];
                }
                double[] pseudo = new double[ModelFixture.CLASSES];
                pseudo[0] = 1;
                List<KernelEntry> after = new ArrayList<>(before);
                after.add(new KernelEntry("req" + i, x, pseudo, true));
                chain.add(ModelDelta.between(v, before, v + 1, true, after));
                v++;
                before = after;
                double[] label = new double[ModelFixture.CLASSES];
                label[rng.nextInt(ModelFixture.CLASSES)] = 1;
                after = new ArrayList<>(before);
                after.set(after.size() - 1, after.get(after.size() - 1).withTarget(label, false));
                chain.add(ModelDelta.between(v, before, v + 1, true, after));
                v++;
                before = after;
            }
            System.out.println("round,each_delta_as_it_comes_ms,composed_at_the_next_batch_ms");
            double sumEach = 0;
            double sumComposed = 0;
            for (int r = 0; r < rounds; r++) {
                double each;
                try (ModelReplica replica = new ModelReplica(cfg)) {
                    replica.offer(ModelSnapshot.fromBytes(snapshot));
                    long t0 = System.nanoTime();
                    for (ModelDelta d : chain) {
                        require(replica.offer(d) == ModelReplica.Outcome.APPLIED);
                        require(replica.scorer() != null);
                    }
                    each = (System.nanoTime() - t0) / 1e6;
                }
                double composed;
                try (ModelReplica replica = new ModelReplica(cfg)) {
                    replica.offer(ModelSnapshot.fromBytes(snapshot));
                    long t0 = System.nanoTime();
                    for (ModelDelta d : chain) {
                        require(replica.offer(d) == ModelReplica.Outcome.APPLIED);
                    }
                    require(replica.scorer() != null && replica.updatesInPlace() == 1);
                    composed = (System.nanoTime() - t0) / 1e6;
                }
                if (r > 0) {
                    sumEach += each;
                    sumComposed += composed;
                }
                System.out.printf(Locale.ROOT, "%d,%.1f,%.1f%n", r, each, composed);
            }
            int counted = Math.max(1, rounds - 1);
            System.out.printf(Locale.ROOT, "%d deltas (%d requests appended, then confirmed) between two batches: each as it comes %.1f ms, "
                    + "composed %.1f ms (mean of %d rounds after the first): composed %.1fx faster%n",
                    chain.size(), m, sumEach / counted, sumComposed / counted, counted, sumEach / sumComposed);
        }
    }

    private static void floats(int rows, int dim, int rounds) throws Exception {
        SplitMix64 rng = new SplitMix64(9);
        double[] v = new double[rows * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            CompactArrays.write(out, v);
        }
        byte[] encoded = bytes.toByteArray();
        System.out.println("round,chunked_ms,per_value_ms");
        double sumChunk = 0;
        double sumValue = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            double[] a = CompactArrays.read(new DataInputStream(new ByteArrayInputStream(encoded)));
            double chunk = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            double[] b = perValue(new DataInputStream(new ByteArrayInputStream(encoded)));
            double value = (System.nanoTime() - t0) / 1e6;
            if (!java.util.Arrays.equals(a, v) || !java.util.Arrays.equals(b, v)) {
                throw new IllegalStateException("decoded arrays differ from the encoded one");
            }
            if (r > 0) {
                sumChunk += chunk;
                sumValue += value;
            }
            System.out.printf(Locale.ROOT, "%d,%.1f,%.1f%n", r, chunk, value);
        }
        System.out.printf(Locale.ROOT, "float32 array of %d values: chunked %.1f ms, per value %.1f ms: chunked %.1fx faster%n",
                v.length, sumChunk / Math.max(1, rounds - 1), sumValue / Math.max(1, rounds - 1), sumValue / sumChunk);
    }

    /** The decoding of the float32 form before: one readFloat per value (tag byte and length first). */
    private static double[] perValue(DataInputStream in) throws java.io.IOException {
        in.readByte();
        int n = in.readInt();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }

    private static void require(boolean applied) {
        if (!applied) {
            throw new IllegalStateException("the scorer refused a delta from its own version");
        }
    }

}
