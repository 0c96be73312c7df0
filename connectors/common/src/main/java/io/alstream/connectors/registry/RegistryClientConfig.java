package io.alstream.connectors.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Kafka-style configuration keys for the client, so serializers created by class name (and Flink
 * wrappers that carry plain properties) can build one. Names follow Confluent's where they exist.
 */
public final class RegistryClientConfig {
    /** Comma-separated base URLs. Required. */
    public static final String URL = "schema.registry.url";
    /** {@code user:password} for basic auth. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";
    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String MAX_RETRIES = "schema.registry.max.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    public static final String CACHE_CAPACITY = "schema.registry.cache.capacity";

    private RegistryClientConfig() {
    }

    /** A builder preset from the keys above; unknown keys are ignored (they belong to Kafka). */
    public static SchemaRegistryClient.Builder builderFrom(Map<String, ?> config) {
        String url = string(config, URL);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("'" + URL + "' is required (e.g. http://localhost:8081)");
        }
        SchemaRegistryClient.Builder b = SchemaRegistryClient.builder(url);
        String userInfo = string(config, BASIC_AUTH_USER_INFO);
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + BASIC_AUTH_USER_INFO + "' must be user:password");
            }
            b.basicAuth(userInfo.substring(0, colon), userInfo.substring(colon + 1));
        }
        String trust = string(config, TRUSTSTORE_LOCATION);
        if (trust != null) {
            b.trustStore(Path.of(trust), string(config, TRUSTSTORE_PASSWORD), string(config, TRUSTSTORE_TYPE));
        }
        String key = string(config, KEYSTORE_LOCATION);
        if (key != null) {
            b.keyStore(Path.of(key), string(config, KEYSTORE_PASSWORD), string(config, KEYSTORE_TYPE), string(config, KEY_PASSWORD));
        }
        Long v;
        if ((v = number(config, CONNECT_TIMEOUT_MS)) != null) {
            b.connectTimeout(Duration.ofMillis(v));
        }
        if ((v = number(config, REQUEST_TIMEOUT_MS)) != null) {
            b.requestTimeout(Duration.ofMillis(v));
        }
        Long retries = number(config, MAX_RETRIES);
        Long backoff = number(config, RETRY_BACKOFF_MS);
        Long backoffMax = number(config, RETRY_BACKOFF_MAX_MS);
        if (retries != null || backoff != null || backoffMax != null) {
            RetryPolicy d = RetryPolicy.DEFAULT;
            Duration initial = backoff == null ? d.initialBackoff() : Duration.ofMillis(backoff);
            Duration max = backoffMax == null ? (d.maxBackoff().compareTo(initial) < 0 ? initial : d.maxBackoff()) : Duration.ofMillis(backoffMax);
            b.retry(new RetryPolicy(retries == null ? d.maxRetries() : retries.intValue(), initial, max));
        }
        if ((v = number(config, CACHE_CAPACITY)) != null) {
            b.cacheCapacity(v.intValue());
        }
        return b;
    }

    private static String string(Map<String, ?> config, String key) {
        Object v = config.get(key);
        return v == null ? null : v.toString();
    }

    private static Long number(Map<String, ?> config, String key) {
        Object v = config.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' must be a whole number, was '" + v + "'");
        }
    }
}
