package io.alstream.bench.efficiency;

import java.util.List;

/**
 * One learning curve: a learner (alstream path or MOA peer), a strategy, a seed; its points, the labels it
 * obtained and the events it saw, and its wall time.
 *
 * @param learner  "alstream" (in process), "alstream-pipeline" (Kafka + Flink + broker) or "moa-&lt;base&gt;"
 * @param strategy the strategy label (alstream) or "var-uncertainty" / "random" (MOA)
 */
public record RunResult(String learner, String strategy, long seed, List<CurvePoint> points, long labels, long events,
                        double seconds) {

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
