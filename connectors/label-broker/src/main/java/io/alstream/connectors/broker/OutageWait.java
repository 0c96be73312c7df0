package io.alstream.connectors.broker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.alstream.connectors.registry.RegistryAuthException;
import io.alstream.connectors.registry.RegistryUnavailableException;
import io.alstream.connectors.serde.WireFormatException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits out an infrastructure failure instead of blaming the record: a call that fails because the
 * schema registry (or Kafka) cannot be reached is retried with backoff, each pause at most
 * {@code maxBackoff}, for as long as it takes or until the broker shuts down. A record is only ever
 * dead-lettered for what is wrong with its own bytes.
 *
 * <p>While waiting it sets the gauge {@code alstream_broker_outage_waiting} (1) and counts
 * {@code alstream_broker_outage_retries_total}; it logs when the wait starts, every 30 s while it lasts,
 * and when it ends.
 */
public final class OutageWait {
    private static final Logger LOG = LoggerFactory.getLogger(OutageWait.class);
    private static final long LOG_EVERY_MS = 30_000;

    private final Duration maxBackoff;
    private final AtomicLong waitingSince = new AtomicLong();
    private final Counter retries;
    private volatile boolean stopping;

    public OutageWait(Duration maxBackoff, MeterRegistry registry) {
        if (maxBackoff == null || maxBackoff.isNegative() || maxBackoff.isZero()) {
            throw new IllegalArgumentException("maxBackoff must be positive, was " + maxBackoff);
        }
        this.maxBackoff = maxBackoff;
        Gauge.builder("alstream.broker.outage.waiting", waitingSince, s -> s.get() > 0 ? 1 : 0)
                .description("1 while the broker waits for the schema registry or Kafka to come back").register(registry);
        this.retries = Counter.builder("alstream.broker.outage.retries")
                .description("Calls retried because the schema registry or Kafka could not be reached").register(registry);
    }

    /**
     * Whether {@code e} says the infrastructure failed rather than the record: the registry unreachable,
     * timing out or answering 5xx; the registry refusing the broker's credentials; a retriable Kafka error.
     * A {@link WireFormatException} (the bytes themselves are bad) never is.
     */
    public static boolean isInfrastructure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WireFormatException) {
                return false;
            }
            if (t instanceof RegistryUnavailableException || t instanceof RegistryAuthException
                    || t instanceof RetriableException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Runs {@code call}, retrying it while it fails for an infrastructure reason. */
    public <T> T call(String what, Supplier<T> call) {
        int attempt = 0;
        long loggedAt = 0;
        while (true) {
            try {
                T result = call.get();
                long since = waitingSince.getAndSet(0);
                if (since > 0) {
                    LOG.info("{}: back after {} s of outage ({} retries); carrying on", what,
                            (System.currentTimeMillis() - since) / 1000, attempt);
                }
                return result;
            } catch (RuntimeException e) {
                if (!isInfrastructure(e) || stopping || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                long now = System.currentTimeMillis();
                waitingSince.compareAndSet(0, now);
                if (now - loggedAt >= LOG_EVERY_MS) {
                    LOG.warn("{}: {} is unreachable since {} s; waiting for it (nothing is dead-lettered for this): {}", what,
                            e instanceof RetriableException ? "Kafka" : "the schema registry",
                            (now - waitingSince.get()) / 1000, e.getMessage());
                    loggedAt = now;
                }
                retries.increment();
                attempt++;
                pause(backoff(attempt), e);
            }
        }
    }

    /** Pause before retry {@code attempt} (1-based): 200 ms doubling up to the maximum. */
    long backoff(int attempt) {
        long ms = 200L << Math.min(attempt - 1, 16);
        return Math.min(ms, maxBackoff.toMillis());
    }

    private void pause(long ms, RuntimeException cause) {
        long end = System.currentTimeMillis() + ms;
        try {
            // in short steps, so a shutdown does not wait out a long pause
            while (!stopping && System.currentTimeMillis() < end) {
                Thread.sleep(Math.min(100, Math.max(1, end - System.currentTimeMillis())));
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }

    /** Whether a call is waiting for an outage to end now. */
    public boolean waiting() {
        return waitingSince.get() > 0;
    }

    /** Since when (epoch millis) calls have been waiting; 0 when none is. */
    public long waitingSince() {
        return waitingSince.get();
    }

    /** Stops waiting: calls that are waiting (and any later failure) fail with their cause. */
    public void stop() {
        stopping = true;
    }
}
