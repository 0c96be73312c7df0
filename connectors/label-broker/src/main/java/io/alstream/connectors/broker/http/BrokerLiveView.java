package io.alstream.connectors.broker.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import io.alstream.connectors.broker.BrokerMetrics;
import io.alstream.connectors.live.ChartSeries;
import io.alstream.connectors.live.LiveView;

/**
 * The label broker's live page ({@code /live}): its queue (open, queued, leased), what it labelled and how
 * fast, the answers it took and refused by reason, read from its own meters. A sampler records the queue and
 * the counts once a second so the charts fill in whether or not a page is open.
 */
final class BrokerLiveView implements Supplier<LiveView>, AutoCloseable {
    private static final int MAX_POINTS = 600;
    private final MeterRegistry registry;
    private final ChartSeries queue = new ChartSeries("queue", "Queue: open requests, waiting for a worker, leased", "time",
            "requests", true, MAX_POINTS);
    private final ChartSeries flow = new ChartSeries("flow", "Requests in, labels out, answers taken", "time", "count",
            true, MAX_POINTS);
    private final ChartSeries latency = new ChartSeries("latency", "Label latency, request to label", "time", "seconds",
            true, MAX_POINTS);
    private final ScheduledExecutorService sampler;

    BrokerLiveView(BrokerMetrics metrics) {
        this.registry = metrics.registry();
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-live-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private double gauge(String name) {
        Gauge g = registry.find(name).gauge();
        return g == null ? 0 : g.value();
    }

    private double count(String name, String... tags) {
        double sum = 0;
        for (Counter c : registry.find(name).tags(tags).counters()) {
            sum += c.count();
        }
        return sum;
    }

    /** Counter totals by the value of one tag. */
    private Map<String, Double> byTag(String name, String tag, String... filter) {
        Map<String, Double> m = new TreeMap<>();
        for (Counter c : registry.find(name).tags(filter).counters()) {
            String v = c.getId().getTag(tag);
            m.merge(v == null ? "-" : v, c.count(), Double::sum);
        }
        return m;
    }

    private double latencyPercentile(double p) {
        Timer t = registry.find("alstream.broker.label.latency").timer();
        if (t == null || t.count() == 0) {
            return Double.NaN;
        }
        for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
            if (Math.abs(v.percentile() - p) < 1e-9) {
                return v.value(TimeUnit.SECONDS);
            }
        }
        return Double.NaN;
    }

    synchronized void sample() {
        double now = System.currentTimeMillis() / 1000.0;
        queue.add("open", now, gauge("alstream.broker.open.requests"));
        queue.add("waiting", now, gauge("alstream.broker.queued.requests"));
        queue.add("leased", now, gauge("alstream.broker.active.leases"));
        flow.add("requests", now, count("alstream.broker.requests", "result", "accepted"));
        flow.add("labels", now, count("alstream.broker.labels"));
        flow.add("answers", now, count("alstream.broker.answers", "result", "accepted"));
        latency.add("median", now, latencyPercentile(0.5));
        latency.add("p90", now, latencyPercentile(0.9));
    }

    @Override
    public LiveView get() {
        LiveView.Builder v = LiveView.builder("alstream label broker", "the queue and the crowd, from this broker's meters");
        v.tile("open", "open requests", fmt(gauge("alstream.broker.open.requests")), "not yet labelled or closed");
        v.tile("waiting", "waiting for a worker", fmt(gauge("alstream.broker.queued.requests")), "");
        v.tile("leased", "leased now", fmt(gauge("alstream.broker.active.leases")), "held by workers");
        double labelled = count("alstream.broker.labels", "outcome", "labelled");
        double unlabelled = count("alstream.broker.labels", "outcome", "unlabelled");
        v.tile("labels", "labels", fmt(labelled), fmt(unlabelled) + " closed unlabelled");
        double p50 = latencyPercentile(0.5);
        v.tile("label-latency", "label latency (median)", Double.isNaN(p50) ? "-" : String.format(Locale.ROOT, "%.1f s", p50),
                Double.isNaN(latencyPercentile(0.9)) ? "" : String.format(Locale.ROOT, "p90 %.1f s", latencyPercentile(0.9)));
        double accepted = count("alstream.broker.answers", "result", "accepted");
        double answers = count("alstream.broker.answers");
        v.tile("answers", "answers taken", fmt(accepted), fmt(answers - accepted) + " refused");
        v.chart(queue.chart()).chart(flow.chart()).chart(latency.chart());
        List<List<String>> refused = new ArrayList<>();
        for (Counter c : registry.find("alstream.broker.answers").counters()) {
            if (!"accepted".equals(c.getId().getTag("result")) && c.count() > 0) {
                refused.add(List.of(String.valueOf(c.getId().getTag("result")), String.valueOf(c.getId().getTag("reason")),
                        fmt(c.count())));
            }
        }
        v.table("answers-refused", "Answers refused, by reason", List.of("result", "reason", "answers"), refused);
        List<List<String>> outcomes = new ArrayList<>();
        for (Counter c : registry.find("alstream.broker.labels").counters()) {
            outcomes.add(List.of(String.valueOf(c.getId().getTag("method")), String.valueOf(c.getId().getTag("outcome")),
                    String.valueOf(c.getId().getTag("reason")), fmt(c.count())));
        }
        v.table("labels", "Labels by method and outcome", List.of("method", "outcome", "reason", "labels"), outcomes);
        List<List<String>> leases = new ArrayList<>();
        byTag("alstream.broker.leases", "result").forEach((k, n) -> leases.add(List.of(k, fmt(n))));
        v.table("leases", "Leases by result", List.of("result", "leases"), leases);
        return v.build();
    }

    private static String fmt(double x) {
        return String.format(Locale.ROOT, "%.0f", x);
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
