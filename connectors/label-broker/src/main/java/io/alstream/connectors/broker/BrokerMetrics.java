package io.alstream.connectors.broker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The broker's own meters, by Prometheus convention once scraped ({@code alstream_broker_*}):
 * <ul>
 *   <li>{@code alstream_broker_requests_total{result=accepted|duplicate|invalid|expired|<a dead-letter reason: null-value, missing-id, undecodable, bad-magic-byte, ...>}}</li>
 *   <li>{@code alstream_broker_answers_total{result=accepted|rejected, reason=...}} — reason is a reject code or {@code none}</li>
 *   <li>{@code alstream_broker_labels_total{method, outcome=labelled|unlabelled, reason}} — reason is the closeReason or {@code none}</li>
 *   <li>{@code alstream_broker_leases_total{result=granted|empty|expired|released|stale|confirmed|confirmed-after-expiry|confirm-late}}</li>
 *   <li>{@code alstream_broker_redundancy_raised_total} — items given one more answer because their answers disagreed</li>
 *   <li>{@code alstream_broker_label_latency_seconds} — request creation to label</li>
 *   <li>{@code alstream_broker_answers_per_label} — answers an item took</li>
 *   <li>{@code alstream_broker_label_confidence} — posterior of the emitted label (annotator agreement)</li>
 *   <li>gauges {@code alstream_broker_open_requests}, {@code alstream_broker_queued_requests}, {@code alstream_broker_active_leases}</li>
 *   <li>{@code alstream_broker_http_requests_total{route, status}}</li>
 *   <li>{@code alstream_broker_crowd_exhausted_total} — items closed early because every active worker had answered or released them</li>
 *   <li>{@code alstream_broker_outage_waiting}, {@code alstream_broker_outage_retries_total} — waiting out a registry or Kafka outage (see {@link OutageWait})</li>
 *   <li>{@code alstream_broker_stream_thread_failures_total{response=replaced|waited|shutdown}} — stream threads that died, and what was done</li>
 * </ul>
 * Counted where the topology processes a record; a record reprocessed after a crash (exactly-once
 * aborts and retries it) can be counted twice, its effects on state and topics cannot.
 */
public final class BrokerMetrics {
    private final MeterRegistry registry;
    private final AtomicLong openRequests = new AtomicLong();
    private final AtomicLong queuedRequests = new AtomicLong();
    private final AtomicLong activeLeases = new AtomicLong();
    private final Timer labelLatency;
    private final DistributionSummary answersPerLabel;
    private final DistributionSummary labelConfidence;
    private final Counter redundancyRaised;

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("alstream.broker.open.requests", openRequests, AtomicLong::get)
                .description("Label requests open (not yet labelled or closed)").register(registry);
        Gauge.builder("alstream.broker.queued.requests", queuedRequests, AtomicLong::get)
                .description("Open requests waiting for a worker").register(registry);
        Gauge.builder("alstream.broker.active.leases", activeLeases, AtomicLong::get)
                .description("Leases held by workers now").register(registry);
        this.labelLatency = Timer.builder("alstream.broker.label.latency")
                .description("From the request's creation to its label")
                .publishPercentiles(0.5, 0.9, 0.99)
                .register(registry);
        this.answersPerLabel = DistributionSummary.builder("alstream.broker.answers.per.label")
                .description("Answers an item took before it was labelled").register(registry);
        this.labelConfidence = DistributionSummary.builder("alstream.broker.label.confidence")
                .description("Posterior probability of the emitted label").register(registry);
        this.redundancyRaised = Counter.builder("alstream.broker.redundancy.raised")
                .description("Items given one more answer because their answers disagreed").register(registry);
    }

    /** Meters kept in memory only, for tests and benchmarks. */
    public static BrokerMetrics inMemory() {
        return new BrokerMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void request(String result) {
        registry.counter("alstream.broker.requests", "result", result).increment();
    }

    public void answer(String result, String reason) {
        registry.counter("alstream.broker.answers", "result", result, "reason", reason == null ? "none" : reason).increment();
    }

    public void label(String method, boolean labelled, String reason, int answers, double confidence, long latencyMs) {
        registry.counter("alstream.broker.labels", "method", method, "outcome", labelled ? "labelled" : "unlabelled",
                "reason", reason == null ? "none" : reason).increment();
        if (labelled) {
            answersPerLabel.record(answers);
            labelConfidence.record(confidence);
        }
        if (latencyMs >= 0) {
            labelLatency.record(Duration.ofMillis(latencyMs));
        }
    }

    public void lease(String result) {
        registry.counter("alstream.broker.leases", "result", result).increment();
    }

    public void crowdExhausted() {
        registry.counter("alstream.broker.crowd.exhausted").increment();
    }

    public void streamThreadFailure(String response) {
        registry.counter("alstream.broker.stream.thread.failures", "response", response).increment();
    }

    public void redundancyRaised() {
        redundancyRaised.increment();
    }

    public void http(String route, int status) {
        registry.counter("alstream.broker.http.requests", "route", route, "status", Integer.toString(status)).increment();
    }

    public void gauges(long open, long queued, long leases) {
        openRequests.set(open);
        queuedRequests.set(queued);
        activeLeases.set(leases);
    }

    /** Sum of the counters with this name and these tags (any other tags), 0 if none (for tests and reports). */
    public double count(String name, String... tags) {
        double sum = 0;
        for (Counter c : registry.find(name).tags(tags).counters()) {
            sum += c.count();
        }
        return sum;
    }
}
