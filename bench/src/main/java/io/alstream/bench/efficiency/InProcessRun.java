package io.alstream.bench.efficiency;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.ReferencePool;
import io.alstream.learner.ScoredBatch;
import io.alstream.learner.Scorer;
import io.alstream.learner.selection.SelectionPolicies;
import io.alstream.learner.selection.SelectionPolicy;
import io.alstream.learner.util.SplitMix64;

import java.util.ArrayList;
import java.util.List;

/**
 * One learning curve with the learner alone, in this thread: the stream passes in micro-batches; each batch
 * enters the reference pool, is scored by the model as it is (a live {@link Scorer}: no snapshot copies) and
 * offered to the budget policy (and counted into the learner's running feature moments, which its retrains
 * standardise by unless {@code standardize-inputs=false}); requested labels come from the {@link SimulatedOracle} (pending in the model
 * while they are late, as the job does) and are folded one by one. Held-out accuracy is measured right after
 * the fold that reaches each label count. Until the model is warm (its first training on the seed labels)
 * selection is random within the budget, as in the job; the random strategy stays random throughout.
 *
 * <p>The reported seconds exclude the held-out evaluations (they are the harness's cost, not the learner's).
 */
public final class InProcessRun {
    private final BenchData data;
    private final Strategy strategy;
    private final long seed;
    private final RunSettings settings;
    private final Progress progress;

    public InProcessRun(BenchData data, Strategy strategy, long seed, RunSettings settings, Progress progress) {
        this.data = data;
        this.strategy = strategy;
        this.seed = seed;
        this.settings = settings;
        this.progress = progress;
    }

    public String name() {
        return "alstream " + strategy.label() + " seed " + seed;
    }

    public RunResult run() {
        LearnerConfig cfg = settings.configFor(data, strategy, seed);
        int[] order = data.streamOrder(seed);
        float[][] xs = data.stream().features();
        int[] truth = data.stream().labels();
        int[] counts = settings.reachable(order.length);
        int target = counts.length == 0 ? 0 : counts[counts.length - 1];
        SimulatedOracle oracle = new SimulatedOracle(truth, data.numClasses(), settings.noise(), settings.delay(), seed);
        ReferencePool pool = ReferencePool.fromConfig(cfg);
        SelectionPolicy warmupPolicy = SelectionPolicies.fromConfig(cfg);
        SelectionPolicy policy = SelectionPolicies.fromConfig(cfg);
        SplitMix64 coin = new SplitMix64(SplitMix64.derive(seed, 0x4A4DL));
        List<CurvePoint> points = new ArrayList<>();
        long start = System.nanoTime();
        long evalNanos = 0;
        int next = 0;          // index into counts
        int labels = 0;
        long events = 0;
        double lastAccuracy = Double.NaN;
        io.alstream.learner.ModelStats stats;
        try (OnlineModel model = OnlineModel.create(cfg); Scorer scorer = Scorer.live(model)) {
            for (int from = 0; from < order.length && (target == 0 || labels < target); from += settings.batch()) {
                int to = Math.min(order.length, from + settings.batch());
                float[][] batch = new float[to - from][];
                for (int i = from; i < to; i++) {
                    batch[i - from] = xs[order[i]];
                    pool.offer(batch[i - from]);
                }
                events = to;
                model.observe(batch); // every streamed event counts into the learner's feature moments (no-op when off)
                int[] chosen;
                if (strategy == Strategy.RANDOM || !model.isWarm()) {
                    double[] u = new double[batch.length];
                    for (int i = 0; i < u.length; i++) {
                        u[i] = coin.nextDouble();
                    }
                    chosen = (strategy == Strategy.RANDOM ? policy : warmupPolicy).offerWindow(u, to);
                } else {
                    ScoredBatch scored = scorer.score(batch, pool.snapshot());
                    chosen = policy.offerWindow(scored.scores(cfg.selectBy()), to);
                }
                for (int i : chosen) {
                    int row = order[from + i];
                    oracle.request(row, to);
                    if (oracle.delay() > 0) {
                        model.addPending(id(row), xs[row]);
                    }
                }
                for (SimulatedOracle.Answer a : oracle.arrived(to)) {
                    model.fold(id(a.row()), xs[a.row()], a.label());
                    labels++;
                    if (next < counts.length && labels == counts[next]) {
                        long t0 = System.nanoTime();
                        lastAccuracy = model.accuracy(data.heldOut().features(), data.heldOut().labels());
                        evalNanos += System.nanoTime() - t0;
                        points.add(new CurvePoint(labels, events, lastAccuracy, (System.nanoTime() - start - evalNanos) / 1e9));
                        next++;
                    }
                    if (labels >= target && target > 0) {
                        break;
                    }
                }
                if (progress != null) {
                    progress.update(name(), labels, events, order.length, lastAccuracy);
                }
            }
            stats = model.stats();
        }
        double seconds = (System.nanoTime() - start - evalNanos) / 1e9;
        RunResult r = new RunResult("alstream", strategy.label(), seed, points, labels, events, seconds,
                stats.refreshCount(), stats.retrainMillis() / 1e3, stats.retrainSteps());
        if (progress != null) {
            progress.finished(name(), r, order.length);
        }
        return r;
    }

    static String id(int row) {
        return "e" + row;
    }
}
