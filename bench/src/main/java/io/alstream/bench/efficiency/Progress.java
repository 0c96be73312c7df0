package io.alstream.bench.efficiency;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress lines for long benchmark runs: which run of how many, strategy and seed, labels so far, events,
 * elapsed time and an ETA for the whole benchmark (from the fraction of the work done, counted in events;
 * runs not started yet are assumed to cost what the finished ones did). At most one line per interval.
 */
public final class Progress {
    private final PrintStream out;
    private final long totalEvents;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private long doneEvents;
    private long lastPrint;

    public Progress(PrintStream out, long totalEvents, double intervalSeconds) {
        this.out = out;
        this.totalEvents = Math.max(1, totalEvents);
        this.intervalNanos = (long) (intervalSeconds * 1e9);
    }

    /** Called while a run goes; events = events of this run so far. */
    public synchronized void update(String run, long labels, long events, long runEvents, double accuracy) {
        long now = System.nanoTime();
        if (now - lastPrint < intervalNanos) {
            return;
        }
        lastPrint = now;
        double elapsed = (now - start) / 1e9;
        double fraction = Math.min(1, (doneEvents + events) / (double) totalEvents);
        double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : Double.NaN;
        out.printf(Locale.ROOT, "[%s] %-38s labels %5d  events %6d/%d  last held-out %s  | total %4.1f%%  ETA %s%n",
                clock(elapsed), run, labels, events, runEvents,
                Double.isNaN(accuracy) ? "  -  " : String.format(Locale.ROOT, "%.3f", accuracy), 100 * fraction,
                Double.isNaN(eta) ? "?" : clock(eta));
    }

    /** A run finished after events events. */
    public synchronized void finished(String run, RunResult r, long events) {
        doneEvents += events;
        double elapsed = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "[%s] done %-33s %d labels in %.0f s (%.1f labels/s), final held-out %.3f%n",
                clock(elapsed), run, r.labels(), r.seconds(), r.labelsPerSecond(),
                r.points().isEmpty() ? Double.NaN : r.points().get(r.points().size() - 1).accuracy());
        lastPrint = 0;
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
