package io.alstream.connectors.registry.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.CompatibilityLevel;
import io.alstream.connectors.registry.TlsContexts;

/**
 * Everything a registry server can be told. Required: the Kafka bootstrap servers. Every other setting
 * has a default, listed at its setter. Doubles as the embedded builder:
 * {@code RegistryServer.builder("localhost:9092").port(0).start()}.
 */
public final class RegistryServerOptions {
    private final String bootstrapServers;
    private String host = "localhost";
    private int port = 8081;
    private String topic = Topics.SCHEMAS;
    private short topicReplicationFactor = 1;
    private CompatibilityLevel defaultCompatibility = CompatibilityLevel.BACKWARD;
    private final Map<String, String> users = new LinkedHashMap<>();
    private final Map<String, String> kafkaProperties = new LinkedHashMap<>();
    private TlsContexts.StoreFile tlsKeyStore;
    private String tlsKeyPassword;
    private TlsContexts.StoreFile tlsClientTrustStore;
    private Duration timeout = Duration.ofSeconds(30);
    private int httpThreads = io.alstream.connectors.limits.HttpLimits.DEFAULT_MAX_THREADS;
    private String instanceName;

    public RegistryServerOptions(String bootstrapServers) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are required (host:port[,host:port])");
        }
        this.bootstrapServers = bootstrapServers;
    }

    /** Interface to listen on; default {@code localhost}. {@code 0.0.0.0} for all. */
    public RegistryServerOptions host(String host) {
        this.host = Objects.requireNonNull(host);
        return this;
    }

    /** HTTP port; default 8081 (Confluent's). 0 picks a free port ({@link RegistryServer#port()} tells which). */
    public RegistryServerOptions port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        this.port = port;
        return this;
    }

    /** The schemas topic; default {@code _schemas}. Created compacted with 1 partition when missing. */
    public RegistryServerOptions topic(String topic) {
        this.topic = Objects.requireNonNull(topic);
        return this;
    }

    /** Replication factor when the server creates the topic; default 1 (use 3 on a production cluster). */
    public RegistryServerOptions topicReplicationFactor(int rf) {
        if (rf < 1 || rf > Short.MAX_VALUE) {
            throw new IllegalArgumentException("replication factor must be >= 1, was " + rf);
        }
        this.topicReplicationFactor = (short) rf;
        return this;
    }

    /** Global compatibility level until one is set through PUT /config; default BACKWARD. */
    public RegistryServerOptions defaultCompatibility(CompatibilityLevel level) {
        this.defaultCompatibility = Objects.requireNonNull(level);
        return this;
    }

    /** Requires HTTP basic auth on every endpoint; call once per user. Default: no auth. */
    public RegistryServerOptions basicAuthUser(String user, String password) {
        if (user == null || user.isEmpty() || user.contains(":") || password == null) {
            throw new IllegalArgumentException("basic-auth user must be non-empty without ':' and have a password");
        }
        users.put(user, password);
        return this;
    }

    /** Serves HTTPS with this key store (the server's certificate). Default: plain HTTP. */
    public RegistryServerOptions tls(Path keyStore, String password, String type, String keyPassword) {
        this.tlsKeyStore = new TlsContexts.StoreFile(keyStore, password, type);
        this.tlsKeyPassword = keyPassword;
        return this;
    }

    /** With {@link #tls}: requires client certificates signed by what this trust store holds (mutual TLS). */
    public RegistryServerOptions tlsClientAuth(Path trustStore, String password, String type) {
        this.tlsClientTrustStore = new TlsContexts.StoreFile(trustStore, password, type);
        return this;
    }

    /** Any Kafka client setting (security.protocol, sasl.*, ...) for the server's admin, consumer and producer. */
    public RegistryServerOptions kafkaProperty(String key, String value) {
        kafkaProperties.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
        return this;
    }

    /** How long start-up may take to read the topic, and a write to become visible; default 30 s. */
    public RegistryServerOptions timeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.timeout = timeout;
        return this;
    }

    /** Threads answering HTTP requests; default 8. */
    public RegistryServerOptions httpThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("httpThreads must be >= 1");
        }
        this.httpThreads = threads;
        return this;
    }

    /** Name of this instance in logs and Kafka client ids; default {@code pid<pid>-<n>}. */
    public RegistryServerOptions instanceName(String name) {
        this.instanceName = Objects.requireNonNull(name);
        return this;
    }

    /** Starts a server with these options (embedded use). */
    public RegistryServer start() {
        return RegistryServer.start(this);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String topic() {
        return topic;
    }

    public short topicReplicationFactor() {
        return topicReplicationFactor;
    }

    public CompatibilityLevel defaultCompatibility() {
        return defaultCompatibility;
    }

    public Map<String, String> users() {
        return Map.copyOf(users);
    }

    public Map<String, String> kafkaProperties() {
        return Map.copyOf(kafkaProperties);
    }

    public TlsContexts.StoreFile tlsKeyStore() {
        return tlsKeyStore;
    }

    public String tlsKeyPassword() {
        return tlsKeyPassword;
    }

    public TlsContexts.StoreFile tlsClientTrustStore() {
        return tlsClientTrustStore;
    }

    public Duration timeout() {
        return timeout;
    }

    public int httpThreads() {
        return httpThreads;
    }

    public String instanceName() {
        return instanceName;
    }
}
