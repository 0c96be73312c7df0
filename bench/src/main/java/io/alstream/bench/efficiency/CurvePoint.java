package io.alstream.bench.efficiency;

/** Held-out accuracy of one run when it had folded {@code labels} labels, after {@code events} events and {@code seconds}. */
public record CurvePoint(int labels, long events, double accuracy, double seconds) {
}
