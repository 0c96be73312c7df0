package io.alstream.flink.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.alstream.connectors.secrets.Secrets;

/**
 * The job's settings: what a config file and {@code key=value} overrides said, over the defaults of
 * {@link JobOptions}. Keys under {@code learner.} are kept as they are for the learner's own options;
 * any other unknown key is an error, so a typo does not silently leave a default in place.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String LEARNER_PREFIX = "learner.";
    /** Raw Kafka client settings, passed through to every consumer and producer. */
    public static final String KAFKA_CLIENT_PREFIX = "kafka.client.";
    /** Registry client settings under Confluent's names, e.g. {@code registry.client.schema.registry.ssl.truststore.location}. */
    public static final String REGISTRY_CLIENT_PREFIX = "registry.client.";

    private final Map<String, String> values;

    private JobConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static JobConfig of(Map<String, String> settings) {
        Set<String> known = JobOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
        for (String key : settings.keySet()) {
            if (!known.contains(key) && !key.startsWith(LEARNER_PREFIX) && !key.startsWith(KAFKA_CLIENT_PREFIX)
                    && !key.startsWith(REGISTRY_CLIENT_PREFIX)) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; `alstream options` lists them all");
            }
        }
        // ${env:NAME} and ${file:PATH} in a value name where a secret is, so it never has to be on a command line
        JobConfig c = new JobConfig(Secrets.resolveAll(settings));
        for (ConfigOption<?> o : JobOptions.all()) {
            c.get(o); // parse everything now: a bad value fails at start, not in the middle of a stream
        }
        c.checkConsistent();
        return c;
    }

    /** Settings that only make sense together: caught at start, in one sentence. */
    private void checkConsistent() {
        long interval = get(JobOptions.CHECKPOINT_INTERVAL_MS);
        long cpTimeout = get(JobOptions.CHECKPOINT_TIMEOUT_MS);
        long txTimeout = get(JobOptions.TRANSACTION_TIMEOUT_MS);
        if (txTimeout < interval + cpTimeout) {
            // a sink transaction opened after checkpoint n commits when checkpoint n+1 completes: up to one interval
            // plus one checkpoint duration later; a shorter timeout lets the broker abort it first (data loss)
            throw new IllegalArgumentException("kafka.transaction-timeout-ms (" + txTimeout + ") must be at least "
                    + "job.checkpoint-interval-ms + job.checkpoint-timeout-ms (" + (interval + cpTimeout) + ")");
        }
        String naming = get(JobOptions.TRANSACTION_NAMING);
        if (!naming.equals("pooling") && !naming.equals("incrementing")) {
            throw new IllegalArgumentException("kafka.transaction-naming must be pooling or incrementing, not '" + naming + "'");
        }
        String backend = get(JobOptions.STATE_BACKEND);
        if (!backend.isEmpty() && !backend.equals("rocksdb") && !backend.equals("hashmap")) {
            throw new IllegalArgumentException("job.state-backend must be rocksdb, hashmap or empty (the cluster's), not '"
                    + backend + "'");
        }
        if (get(JobOptions.MAX_PARALLELISM) < get(JobOptions.PARALLELISM)) {
            throw new IllegalArgumentException("job.max-parallelism (" + get(JobOptions.MAX_PARALLELISM)
                    + ") must be at least job.parallelism (" + get(JobOptions.PARALLELISM) + ")");
        }
    }

    /** Reads a {@code .properties} file. */
    public static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> m = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    public <T> T get(ConfigOption<T> option) {
        String v = values.get(option.key());
        if (v == null) {
            v = option.defaultValue();
        }
        if (v == null) {
            throw new IllegalArgumentException("setting " + option.key() + " is required: " + option.description());
        }
        return option.parse(v);
    }

    public boolean isSet(ConfigOption<?> option) {
        return values.containsKey(option.key());
    }

    /** Settings under {@code learner.}, with the prefix removed. */
    public Map<String, String> learnerSettings() {
        return withPrefix(LEARNER_PREFIX);
    }

    /** Raw Kafka client settings ({@code kafka.client.*}, prefix removed), e.g. security settings. */
    public Map<String, String> kafkaClientSettings() {
        return withPrefix(KAFKA_CLIENT_PREFIX);
    }

    /** Registry client settings ({@code registry.client.*}, prefix removed). */
    public Map<String, String> registryClientSettings() {
        return withPrefix(REGISTRY_CLIENT_PREFIX);
    }

    private Map<String, String> withPrefix(String prefix) {
        Map<String, String> m = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                m.put(k.substring(prefix.length()), v);
            }
        });
        return m;
    }

    public List<String> classNames() {
        String s = get(JobOptions.CLASS_NAMES);
        if (s.isBlank()) {
            return List.of();
        }
        return Arrays.stream(s.split(",")).map(String::trim).collect(Collectors.toList());
    }

    public JobConfig with(String key, String value) {
        Map<String, String> m = new TreeMap<>(values);
        m.put(key, value);
        return of(m);
    }

    public Map<String, String> asMap() {
        return values;
    }

    @Override
    public String toString() {
        // logged at start: passwords, JAAS lines, tokens and basic-auth credentials masked
        return Secrets.redacted(values).toString();
    }
}
