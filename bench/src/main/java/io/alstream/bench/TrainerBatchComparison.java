package io.alstream.bench;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelInput;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.util.SplitMix64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trainer's labels per second, one input at a time against batches, measured in alternation (issue 9): on a
 * machine whose load changes from minute to minute, JMH trials minutes apart do not compare, so each round runs
 * every variant once, back to back, from the same restored state (|T| = kernel size), and the report gives each
 * round's ratio to the one-at-a-time path of that round. The work is {@link TrainerBatchBenchmark}'s: every label
 * was first a request (a pending entry) and arrives later as its confirmation.
 *
 * <pre>java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
 *   -cp bench/target/benchmarks.jar io.alstream.bench.TrainerBatchComparison [kernelSizes] [batches] [rounds] [labels] [dim]</pre>
 * defaults: 1024,4096  1,8,32  3  128  784.
 */
public final class TrainerBatchComparison {
    private TrainerBatchComparison() { }

    public static void main(String[] args) {
        int[] sizes = ints(args.length > 0 ? args[0] : "1024,4096");
        int[] batches = ints(args.length > 1 ? args[1] : "1,8,32");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int labels = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int dim = args.length > 4 ? Integer.parseInt(args[4]) : 784;
        System.out.println("kernel_size,round,variant,labels,seconds,labels_per_s,ratio_to_sequential");
        for (int size : sizes) {
            LearnerConfig config = ModelFixture.config(List.of("entropy"), LearnerConfig.Precision.FLOAT64, dim);
            byte[] saved;
            try (OnlineModel m = ModelFixture.model(config, size)) {
                saved = m.toBytes();
            }
            float[][] xs = ModelFixture.rows(new SplitMix64(21), labels, dim);
            run(config, saved, xs, 1, false, labels); // warm-up of both paths (JIT, DJL), not reported
            run(config, saved, xs, batches[batches.length - 1], true, labels);
            for (int round = 1; round <= rounds; round++) {
                double sequential = run(config, saved, xs, 1, false, labels);
                print(size, round, "sequential", labels, sequential, sequential);
                for (int b : batches) {
                    print(size, round, "batch-" + b, labels, run(config, saved, xs, b, true, labels), sequential);
                }
            }
        }
    }

    private static void print(int size, int round, String variant, int labels, double seconds, double sequential) {
        System.out.printf("%d,%d,%s,%d,%.3f,%.1f,%.2f%n", size, round, variant, labels, seconds, labels / seconds, sequential / seconds);
    }

    /** Seconds to fold the labels (requests in groups of batch, each group's labels with the next group). */
    private static double run(LearnerConfig config, byte[] saved, float[][] xs, int batch, boolean batched, int labels) {
        try (OnlineModel model = OnlineModel.fromBytes(config, saved)) {
            int size = model.stats().kernelSize();
            int groups = (labels + batch - 1) / batch;
            long t0 = System.nanoTime();
            for (int g = 0; g <= groups; g++) {
                List<ModelInput> inputs = new ArrayList<>(2 * batch);
                for (int i = 0; i < batch && g < groups && g * batch + i < labels; i++) {
                    int e = g * batch + i;
                    inputs.add(ModelInput.pending("r" + e, xs[e]));
                }
                for (int i = 0; i < batch && g > 0 && (g - 1) * batch + i < labels; i++) {
                    int e = (g - 1) * batch + i;
                    inputs.add(ModelInput.label("r" + e, xs[e], e % ModelFixture.CLASSES));
                }
                if (batched) {
                    model.apply(inputs);
                } else {
                    for (ModelInput in : inputs) {
                        int e = Integer.parseInt(in.eventId().substring(1));
                        if (in.kind() == ModelInput.Kind.PENDING) {
                            model.addPending(in.eventId(), xs[e]);
                        } else {
                            model.fold(in.eventId(), xs[e], in.label());
                        }
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (model.stats().kernelSize() != size + labels || model.stats().pendingCount() != 0) {
                throw new IllegalStateException("expected |T| = " + (size + labels) + " and nothing pending, got " + model.stats());
            }
            return seconds;
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }
}
