package io.alstream.connectors.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently the client retries a request that failed for a transient reason (I/O
 * error, timeout, HTTP 5xx). Backoff doubles from {@code initialBackoff} up to {@code maxBackoff}, with
 * "equal jitter" (half fixed, half random) so that many clients hitting a restarting registry spread out.
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2));
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff, was " + initialBackoff + ", " + maxBackoff);
        }
    }

    /** Pause before retry number {@code retry} (1-based). */
    public Duration backoff(int retry) {
        long base = initialBackoff.toMillis();
        for (int i = 1; i < retry && base < maxBackoff.toMillis(); i++) {
            base *= 2;
        }
        base = Math.min(base, maxBackoff.toMillis());
        long half = base / 2;
        return Duration.ofMillis(half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
    }
}
