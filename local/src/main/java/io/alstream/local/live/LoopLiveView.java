package io.alstream.local.live;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.alstream.connectors.live.ChartSeries;
import io.alstream.connectors.live.LiveView;
import io.alstream.local.demo.LoopMonitor;
import io.alstream.schemas.ModelUpdate;

/**
 * The live page's view of the loop, for {@code alstream demo} and {@code alstream run}: built from what
 * a {@link LoopMonitor} reads on the output topics (read_committed) and a count of events in. A sampler
 * thread records the figures that change with time once a second, so the time charts fill in whether or
 * not a page is open.
 */
public final class LoopLiveView implements Supplier<LiveView>, AutoCloseable {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final int MAX_POINTS = 600;

    private final String title;
    private final String subtitle;
    private final LoopMonitor monitor;
    private final LongSupplier eventsIn;
    private final double budget;
    private final ChartSeries accuracy = new ChartSeries("accuracy", "Accuracy against labels folded", "labels folded",
            "accuracy", false, MAX_POINTS);
    private final ChartSeries progress = new ChartSeries("progress", "Events, label requests and labels folded", "time",
            "count", true, MAX_POINTS);
    private final ChartSeries spent = new ChartSeries("budget", "Budget spent: label requests / events", "time",
            "fraction of events", true, MAX_POINTS);
    private final ChartSeries latency = new ChartSeries("latency", "Label latency, request to consolidated label", "time",
            "seconds", true, MAX_POINTS);
    private final ScheduledExecutorService sampler;
    private long updatesSeen;

    /**
     * @param eventsIn events that entered the loop so far (written by the demo; the events topic's size for run)
     * @param budget   the job's label budget, a fraction of events
     */
    public LoopLiveView(String title, String subtitle, LoopMonitor monitor, LongSupplier eventsIn, double budget) {
        this.title = title;
        this.subtitle = subtitle;
        this.monitor = monitor;
        this.eventsIn = eventsIn;
        this.budget = budget;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    /** Records the time series' next points; reads the model updates that arrived since the last call. */
    synchronized void sample() {
        LoopMonitor.Snapshot s = monitor.snapshot();
        double now = System.currentTimeMillis() / 1000.0;
        long events = eventsIn.getAsLong();
        progress.add("events", now, events);
        progress.add("label requests", now, s.requests());
        progress.add("labels folded", now, s.foldedDistinct());
        if (events > 0) {
            spent.add("spent", now, (double) s.requests() / events);
            spent.add("budget", now, budget);
        }
        List<Long> recent = s.labelLatenciesMs();
        if (!recent.isEmpty()) {
            // the newest 50 labels: how long the crowd takes now, not since the start
            List<Long> window = recent.subList(Math.max(0, recent.size() - 50), recent.size());
            latency.add("median", now, LoopMonitor.Snapshot.quantile(window, 0.5) / 1000.0);
            latency.add("p90", now, LoopMonitor.Snapshot.quantile(window, 0.9) / 1000.0);
        }
        List<ModelUpdate> updates = s.updates();
        // a bounded monitor remembers only the newest updates: updatesSeen counts every update read
        long first = s.updatesTotal() - updates.size();
        for (int i = (int) Math.max(0, updatesSeen - first); i < updates.size(); i++) {
            ModelUpdate u = updates.get(i);
            Double heldOut = u.getMetrics().get("heldout_accuracy");
            if (heldOut != null) {
                accuracy.add("held-out", u.getLabelsFolded(), heldOut);
            }
            if (u.getPrequentialAccuracy() != null) {
                accuracy.add("prequential", u.getLabelsFolded(), u.getPrequentialAccuracy());
            }
        }
        updatesSeen = s.updatesTotal();
    }

    @Override
    public LiveView get() {
        LoopMonitor.Snapshot s = monitor.snapshot();
        long events = eventsIn.getAsLong();
        ModelUpdate last = s.lastUpdate();
        LiveView.Builder v = LiveView.builder(title, subtitle);
        v.tile("model-version", "model version", last == null ? "-" : "v" + last.getVersion(),
                last == null ? "no model update yet"
                        : String.format(Locale.ROOT, "%d refresh(es), |T| = %d, %d pending", last.getRefreshCount(),
                                last.getKernelSize(), last.getPending()));
        v.tile("labels-folded", "labels folded", String.valueOf(s.foldedDistinct()),
                s.foldedTotal() == s.foldedDistinct() ? "each exactly once"
                        : (s.foldedTotal() - s.foldedDistinct()) + " folded twice");
        Double heldOut = s.heldOutAccuracy();
        v.tile("heldout-accuracy", "held-out accuracy", heldOut == null ? "-" : percent(heldOut), "on the held-out set");
        Double preq = null;
        for (int i = s.updates().size() - 1; i >= 0 && preq == null; i--) {
            preq = s.updates().get(i).getPrequentialAccuracy();
        }
        v.tile("prequential-accuracy", "prequential accuracy", preq == null ? "-" : percent(preq),
                "predicted before each label was folded");
        v.tile("events", "events", String.valueOf(events), "into the loop");
        v.tile("budget-spent", "budget spent", events == 0 ? "-" : percent((double) s.requests() / events),
                String.format(Locale.ROOT, "%d requests; budget %s", s.requests(), percent(budget)));
        int waiting = Math.max(0, s.requests() - s.labels() - s.closedUnlabelled());
        v.tile("queue", "awaiting labels", String.valueOf(waiting),
                String.format(Locale.ROOT, "%d labelled, %d closed unlabelled", s.labels(), s.closedUnlabelled()));
        v.tile("label-latency", "label latency (median)", s.labelLatenciesMs().isEmpty() ? "-"
                        : String.format(Locale.ROOT, "%.1f s", s.medianLatencyMs() / 1000.0),
                s.labelLatenciesMs().isEmpty() ? "" : String.format(Locale.ROOT, "p90 %.1f s",
                        LoopMonitor.Snapshot.quantile(s.labelLatenciesMs(), 0.9) / 1000.0));
        v.tile("dead-letters", "dead letters", String.valueOf(s.deadLetterCount()),
                s.deadLetters().isEmpty() ? "none" : s.deadLetters().size() + " reason(s)");
        v.chart(accuracy.chart()).chart(progress.chart()).chart(spent.chart()).chart(latency.chart());
        List<List<String>> reasons = new ArrayList<>();
        for (Map.Entry<String, Integer> e : s.deadLetters().entrySet()) {
            reasons.add(List.of(e.getKey(), String.valueOf(e.getValue())));
        }
        v.table("dead-letters", "Dead letters by reason", List.of("reason", "records"), reasons);
        List<List<String>> requests = new ArrayList<>();
        for (LoopMonitor.RecentRequest r : s.recentRequests()) {
            requests.add(List.of(CLOCK.format(Instant.ofEpochMilli(r.writtenAt())), r.eventId(), r.strategy(),
                    String.format(Locale.ROOT, "%.4f", r.score()), "v" + r.modelVersion()));
        }
        v.table("recent-requests", "Most recent label requests", List.of("written", "event", "strategy", "score", "model"),
                requests);
        return v.build();
    }

    private static String percent(double x) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * x);
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
