package io.alstream.bench.efficiency;

import java.util.List;

/**
 * One learning curve: a learner (alstream path or MOA peer), a strategy, a seed; its points, the labels it
 * obtained and the events it saw, and its wall time.
 *
 * @param learner  "alstream" (in process), "alstream-pipeline" (Kafka + Flink + broker) or "moa-&lt;base&gt;"
 * @param strategy the strategy label (alstream) or "var-uncertainty" / "random" (MOA)
 * @param retrains       retrains of the learner's network in the run (0: none, or a learner without them)
 * @param retrainSeconds their training time, part of seconds
 * @param retrainSteps   their Adam steps
 */
public record RunResult(String learner, String strategy, long seed, List<CurvePoint> points, long labels, long events,
                        double seconds, int retrains, double retrainSeconds, long retrainSteps) {

    /** A run without retrains to report. */
    public RunResult(String learner, String strategy, long seed, List<CurvePoint> points, long labels, long events,
                     double seconds) {
        this(learner, strategy, seed, points, labels, events, seconds, 0, 0, 0);
    }

    /** The series name in the report: learner and strategy. */
    public String series() {
        return "alstream".equals(learner) ? strategy : learner + " " + strategy;
    }

    /** Labels per second of wall time (the whole run: scoring, folding, refreshes, evaluation). */
    public double labelsPerSecond() {
        return seconds > 0 ? labels / seconds : Double.NaN;
    }

    /** Accuracy at exactly this label count, or NaN if the run did not reach it. */
    public double accuracyAt(int labelCount) {
        for (CurvePoint p : points) {
            if (p.labels() == labelCount) {
                return p.accuracy();
            }
        }
        return Double.NaN;
    }
}
