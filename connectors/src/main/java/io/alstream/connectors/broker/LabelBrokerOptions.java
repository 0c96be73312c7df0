package io.alstream.connectors.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.alstream.connectors.broker.aggregation.AggregationMethod;
import io.alstream.connectors.broker.aggregation.ModelPrior;
import io.alstream.connectors.broker.http.WorkerTokens;

/**
 * What the standalone broker ({@code alstream broker}) is started with: where Kafka and the schema
 * registry are, how workers authenticate, and the {@link BrokerConfig} settings (defaults there).
 * Fluent setters, one per command-line option.
 *
 * <pre>{@code
 * LabelBrokerMain.run(new LabelBrokerOptions("kafka:9092", "http://registry:8081")
 *         .tokenSecret(System.getenv("ALSTREAM_BROKER_TOKEN_SECRET"))
 *         .httpHost("0.0.0.0").httpPort(8085)
 *         .stateDir(Path.of("/var/lib/alstream/broker")));
 * }</pre>
 */
public final class LabelBrokerOptions {
    private final String bootstrapServers;
    private final String registryUrl;
    private String registryUser;
    private String registryPassword;
    private Path tokensFile;
    private String tokenSecret;
    private String httpHost = "localhost";
    private int httpPort = 8085;
    private Path stateDir;
    private boolean createTopics = true;
    private int topicPartitions = 1;
    private final Map<String, String> kafkaProperties = new LinkedHashMap<>();
    private final BrokerConfig.Builder config = BrokerConfig.builder();
    private double priorAccuracy = ModelPrior.DEFAULT.accuracy();
    private double priorStrength = ModelPrior.DEFAULT.strength();

    /** Required: Kafka bootstrap servers and the schema registry's base URL. */
    public LabelBrokerOptions(String bootstrapServers, String registryUrl) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.registryUrl = Objects.requireNonNull(registryUrl, "registryUrl");
    }

    /** HTTP basic auth towards the registry. Default: none. */
    public LabelBrokerOptions registryBasicAuth(String user, String password) {
        this.registryUser = user;
        this.registryPassword = password;
        return this;
    }

    /** A properties file of {@code workerId=token} lines. */
    public LabelBrokerOptions tokensFile(Path file) {
        this.tokensFile = file;
        return this;
    }

    /** A shared secret from which worker tokens are derived (see {@link WorkerTokens#derive}); at least 16 characters. */
    public LabelBrokerOptions tokenSecret(String secret) {
        this.tokenSecret = secret;
        return this;
    }

    /** Interface the worker API binds to. Default localhost; 0.0.0.0 for all. */
    public LabelBrokerOptions httpHost(String host) {
        this.httpHost = Objects.requireNonNull(host);
        return this;
    }

    /** Port of the worker API. Default 8085; 0 for a free one. */
    public LabelBrokerOptions httpPort(int port) {
        this.httpPort = port;
        return this;
    }

    /** Kafka Streams' local state. Default: a temporary folder (restored from Kafka at each start). */
    public LabelBrokerOptions stateDir(Path dir) {
        this.stateDir = dir;
        return this;
    }

    /** Create missing input/output topics. Default true. */
    public LabelBrokerOptions createTopics(boolean create) {
        this.createTopics = create;
        return this;
    }

    /** Partitions of the topics it creates. Default 1. */
    public LabelBrokerOptions topicPartitions(int partitions) {
        this.topicPartitions = partitions;
        return this;
    }

    /** Any Kafka client setting (security.protocol, sasl.*, ...) for every client of the broker. */
    public LabelBrokerOptions kafkaProperty(String key, String value) {
        kafkaProperties.put(key, value);
        return this;
    }

    public LabelBrokerOptions applicationId(String id) {
        config.applicationId(id);
        return this;
    }

    public LabelBrokerOptions requestsTopic(String t) {
        config.requestsTopic(t);
        return this;
    }

    public LabelBrokerOptions answersTopic(String t) {
        config.answersTopic(t);
        return this;
    }

    public LabelBrokerOptions labelsTopic(String t) {
        config.labelsTopic(t);
        return this;
    }

    public LabelBrokerOptions deadLetterTopic(String t) {
        config.deadLetterTopic(t);
        return this;
    }

    /** {@code majority}, {@code one-coin-ds} or {@code dawid-skene} (default). */
    public LabelBrokerOptions method(String method) {
        config.method(AggregationMethod.parse(method));
        return this;
    }

    public LabelBrokerOptions minAnswers(int k) {
        config.minAnswers(k);
        return this;
    }

    public LabelBrokerOptions maxAnswers(int max) {
        config.maxAnswers(max);
        return this;
    }

    public LabelBrokerOptions agreement(double threshold) {
        config.agreement(threshold);
        return this;
    }

    /** {@code label-best} (default) or {@code close-unlabelled}. */
    public LabelBrokerOptions noAgreement(String policy) {
        config.noAgreement(BrokerConfig.NoAgreementPolicy.valueOf(policy.toUpperCase(java.util.Locale.ROOT).replace('-', '_')));
        return this;
    }

    public LabelBrokerOptions priorAccuracy(double accuracy) {
        this.priorAccuracy = accuracy;
        return this;
    }

    public LabelBrokerOptions priorStrength(double strength) {
        this.priorStrength = strength;
        return this;
    }

    public LabelBrokerOptions leaseDuration(Duration d) {
        config.leaseDuration(d);
        return this;
    }

    public LabelBrokerOptions acceptUnleasedAnswers(boolean accept) {
        config.acceptUnleasedAnswers(accept);
        return this;
    }

    public LabelBrokerOptions closedRetention(Duration d) {
        config.closedRetention(d);
        return this;
    }

    public LabelBrokerOptions commandTimeout(Duration d) {
        config.commandTimeout(d);
        return this;
    }

    public LabelBrokerOptions commitInterval(Duration d) {
        config.commitInterval(d);
        return this;
    }

    public LabelBrokerOptions httpThreads(int threads) {
        config.httpThreads(threads);
        return this;
    }

    /** Draw features of this shape as a grey image on the worker page: {@code 28x28}; null or blank for none. */
    public LabelBrokerOptions pageImage(String shape) {
        config.pageImage(BrokerConfig.ImageShape.parse(shape));
        return this;
    }

    public LabelBrokerOptions httpMaxBodyBytes(int bytes) {
        config.httpMaxBodyBytes(bytes);
        return this;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registryUrl;
    }

    public String registryUser() {
        return registryUser;
    }

    public String registryPassword() {
        return registryPassword;
    }

    public String httpHost() {
        return httpHost;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path stateDir() {
        return stateDir;
    }

    public boolean createTopics() {
        return createTopics;
    }

    public int topicPartitions() {
        return topicPartitions;
    }

    public Map<String, String> kafkaProperties() {
        return Map.copyOf(kafkaProperties);
    }

    /** The broker settings these options give. */
    public BrokerConfig config() {
        return config.workerPrior(new ModelPrior(priorAccuracy, priorStrength)).build();
    }

    /** The worker tokens: the file's table and/or those derived from the secret; at least one is required. */
    public WorkerTokens tokens() {
        WorkerTokens t = null;
        if (tokensFile != null) {
            t = WorkerTokens.fromFile(tokensFile);
        }
        if (tokenSecret != null && !tokenSecret.isEmpty()) {
            WorkerTokens derived = WorkerTokens.derivedFrom(tokenSecret);
            t = t == null ? derived : t.and(derived);
        }
        if (t == null) {
            throw new IllegalArgumentException("no worker tokens: give a tokens file, a token secret, or both");
        }
        return t;
    }
}
