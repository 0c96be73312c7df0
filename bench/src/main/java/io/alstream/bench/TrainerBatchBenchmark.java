package io.alstream.bench;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelInput;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.util.SplitMix64;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's work at a 10% budget (issue 9), labels folded per second: every label was first a request
 * (a pending entry) and then arrives as its confirmation. One call handles {@code batch} new requests and the
 * labels of the previous call's requests, either one input at a time ({@code sequential}: addPending and fold,
 * what the trainer did before) or as one {@link OnlineModel#apply} batch ({@code batched}). Each iteration is
 * {@value #LABELS} labels (the score is its time: labels/s = {@value #LABELS} / score), starting from the same
 * restored state of |T| = kernelSize, so every variant grows T by the same {@value #LABELS} entries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(batchSize = 1)
@Measurement(batchSize = 1)
public class TrainerBatchBenchmark {
    /** Labels folded per iteration. */
    static final int LABELS = 128;

    @Param({"1024", "4096"})
    public int kernelSize;

    @Param({"1", "8", "32"})
    public int batch;

    @Param({"sequential", "batched"})
    public String path;

    @Param({"784"})
    public int dim;

    private LearnerConfig config;
    private byte[] saved;
    private OnlineModel model;
    private float[][] xs;

    @Setup(Level.Trial)
    public void build() {
        config = ModelFixture.config(List.of("entropy"), LearnerConfig.Precision.FLOAT64, dim);
        try (OnlineModel m = ModelFixture.model(config, kernelSize)) {
            saved = m.toBytes();
        }
        xs = ModelFixture.rows(new SplitMix64(21), LABELS + batch, dim);
    }

    @Setup(Level.Iteration)
    public void restore() {
        if (model != null) {
            model.close();
        }
        model = OnlineModel.fromBytes(config, saved);
    }

    /** LABELS labels: requests in groups of batch, each group's labels arriving with the next group. */
    @Benchmark
    public long foldLabels() {
        int groups = LABELS / batch;
        for (int g = 0; g <= groups; g++) {
            List<ModelInput> inputs = new ArrayList<>(2 * batch);
            for (int i = 0; i < batch && g < groups; i++) {
                int e = g * batch + i;
                inputs.add(ModelInput.pending("r" + e, xs[e]));
            }
            for (int i = 0; i < batch && g > 0; i++) {
                int e = (g - 1) * batch + i;
                inputs.add(ModelInput.label("r" + e, xs[e], e % ModelFixture.CLASSES));
            }
            if (path.equals("batched")) {
                model.apply(inputs);
            } else {
                for (ModelInput in : inputs) {
                    if (in.kind() == ModelInput.Kind.PENDING) {
                        model.addPending(in.eventId(), xs[Integer.parseInt(in.eventId().substring(1))]);
                    } else {
                        model.fold(in.eventId(), xs[Integer.parseInt(in.eventId().substring(1))], in.label());
                    }
                }
            }
        }
        long folded = model.stats().labelsFolded();
        if (model.stats().kernelSize() != kernelSize + LABELS) {
            throw new IllegalStateException("expected |T| = " + (kernelSize + LABELS) + ", got " + model.stats());
        }
        return folded;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }
}
