package io.alstream.bench;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelReplica;
import io.alstream.learner.ModelSnapshot;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.util.SplitMix64;

import java.util.List;
import java.util.Locale;

/**
 * What the trainer's periodic full snapshot ({@code job.model-snapshot-interval-ms}) costs a scoring thread that
 * already follows the model by deltas, in one process, paired rounds: the snapshot decoded from its bytes, then
 * either a scorer built from it (what {@link ModelReplica} did for every snapshot) or the scorer held re-anchored
 * to it ({@link io.alstream.learner.Scorer#reanchor}: the entries changed since, then the snapshot's A^{-1}), each
 * followed by the first scored batch of 64 (which pays what the install left lazy). The held scorer is m labels
 * behind the snapshot, as it is when the snapshot goes out instead of the next delta.
 * <pre>java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
 *   -cp bench/target/benchmarks.jar io.alstream.bench.SnapshotInstallComparison [|T|=1024] [m=8] [rounds=6] [dim=784]</pre>
 */
public final class SnapshotInstallComparison {
    private SnapshotInstallComparison() {
    }

    public static void main(String[] args) {
        int kernelSize = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        int dim = args.length > 3 ? Integer.parseInt(args[3]) : 784;
        LearnerConfig cfg = ModelFixture.config(List.of("balent"), LearnerConfig.Precision.FLOAT64, dim);
        System.out.printf(Locale.ROOT, "|T| = %d (then %d more labels), %d features, balent, float64, %d rounds; load average %s%n",
                kernelSize, m, dim, rounds, LoadAverage.now());
        try (OnlineModel model = ModelFixture.model(cfg, kernelSize)) {
            byte[] before = model.snapshot().toBytes();
            SplitMix64 rng = new SplitMix64(13);
            float[][] xs = ModelFixture.rows(rng, m, dim);
            for (int i = 0; i < m; i++) {
                model.fold("late" + i, xs[i], rng.nextInt(ModelFixture.CLASSES));
            }
            byte[] after = model.snapshot().toBytes();
            float[][] batch = ModelFixture.rows(rng, 64, dim);
            System.out.printf(Locale.ROOT, "snapshot %d bytes%n", after.length);
            System.out.println("round,decode_ms,rebuild_ms,rebuild_first_batch_ms,reanchor_ms,reanchor_first_batch_ms");
            double[] sum = new double[5];
            for (int r = 0; r < rounds; r++) {
                double[] t = new double[5];
                try (ModelReplica replica = new ModelReplica(cfg)) {
                    replica.offer(ModelSnapshot.fromBytes(before));
                    replica.scorer().score(batch, new float[0][]);
                    long t0 = System.nanoTime();
                    ModelSnapshot s = ModelSnapshot.fromBytes(after);
                    t[0] = ms(t0);
                    t0 = System.nanoTime();
                    // what offer did for every snapshot before: a scorer built from it
                    io.alstream.learner.Scorer fresh = io.alstream.learner.Scorer.of(s, cfg);
                    t[1] = ms(t0);
                    t0 = System.nanoTime();
                    fresh.score(batch, new float[0][]);
                    t[2] = ms(t0);
                    fresh.close();
                }
                try (ModelReplica replica = new ModelReplica(cfg)) {
                    replica.offer(ModelSnapshot.fromBytes(before));
                    replica.scorer().score(batch, new float[0][]);
                    ModelSnapshot s = ModelSnapshot.fromBytes(after);
                    long t0 = System.nanoTime();
                    require(replica.offer(s) == ModelReplica.Outcome.APPLIED && replica.snapshotsReanchored() == 1);
                    t[3] = ms(t0);
                    t0 = System.nanoTime();
                    replica.scorer().score(batch, new float[0][]);
                    t[4] = ms(t0);
                }
                if (r > 0) { // the first round warms up the JIT
                    for (int i = 0; i < t.length; i++) {
                        sum[i] += t[i];
                    }
                }
                System.out.printf(Locale.ROOT, "%d,%.1f,%.1f,%.1f,%.1f,%.1f%n", r, t[0], t[1], t[2], t[3], t[4]);
            }
            int n = Math.max(1, rounds - 1);
            System.out.printf(Locale.ROOT, "means of %d rounds after the first: decode %.1f ms; rebuild %.1f ms + first batch %.1f ms; "
                            + "re-anchor %.1f ms + first batch %.1f ms; install + first batch: re-anchor %.1fx faster (decode excluded), "
                            + "%.1fx with the decode; load average %s%n", n, sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n, sum[4] / n,
                    (sum[1] + sum[2]) / (sum[3] + sum[4]), (sum[0] + sum[1] + sum[2]) / (sum[0] + sum[3] + sum[4]), LoadAverage.now());
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void require(boolean ok) {
        if (!ok) {
            throw new IllegalStateException("check failed");
        }
    }
}
