package io.alstream.connectors.broker;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

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
    // Keys of the deployment's properties file, shared with the job (flink-job JobOptions): one file
    // names the topics for both, so a renamed topic cannot split the loop.
    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";
    public static final String REGISTRY_URL = "registry.url";
    public static final String REGISTRY_BASIC_AUTH = "registry.basic-auth";
    public static final String REQUESTS_TOPIC = "topic.label-requests";
    public static final String LABELS_TOPIC = "topic.labels";
    public static final String DEAD_LETTER_TOPIC = "topic.dead-letter";
    /** Raw Kafka client settings for every client, prefix removed (security, timeouts), as in the job. */
    public static final String KAFKA_CLIENT_PREFIX = "kafka.client.";
    /** Registry client settings under their Confluent names, prefix removed, as in the job. */
    public static final String REGISTRY_CLIENT_PREFIX = "registry.client.";
    // The broker's own keys (the job has no such setting).
    public static final String ANSWERS_TOPIC = "topic.label-answers";
    public static final String BROKER_HTTP_HOST = "broker.http-host";
    public static final String BROKER_HTTP_PORT = "broker.http-port";
    public static final String BROKER_APPLICATION_ID = "broker.application-id";
    public static final String BROKER_STATE_DIR = "broker.state-dir";
    private static final java.util.Set<String> BROKER_KEYS = java.util.Set.of(ANSWERS_TOPIC, BROKER_HTTP_HOST,
            BROKER_HTTP_PORT, BROKER_APPLICATION_ID, BROKER_STATE_DIR);

    private String bootstrapServers;
    private String registryUrl;
    private String registryUser;
    private String registryPassword;
    private final Map<String, String> registryClientSettings = new LinkedHashMap<>();
    private Path tokensFile;
    private Path revokedTokensFile;
    private io.alstream.connectors.registry.TlsContexts.StoreFile tlsKeyStore;
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

    /**
     * Options from the deployment's properties file, the one the job reads ({@code alstream run --config}):
     * {@value #BOOTSTRAP_SERVERS}, {@value #REGISTRY_URL}, {@value #REGISTRY_BASIC_AUTH}, the topics
     * {@value #REQUESTS_TOPIC}, {@value #LABELS_TOPIC}, {@value #DEAD_LETTER_TOPIC}, and every
     * {@value #KAFKA_CLIENT_PREFIX}* and {@value #REGISTRY_CLIENT_PREFIX}* setting, under the job's names and
     * with the job's defaults; plus the broker's own {@value #ANSWERS_TOPIC}, {@value #BROKER_HTTP_HOST},
     * {@value #BROKER_HTTP_PORT}, {@value #BROKER_APPLICATION_ID}, {@value #BROKER_STATE_DIR}. The job's
     * other settings are left to the job; an unknown {@code broker.*} key is an error.
     */
    public static LabelBrokerOptions fromSettings(Map<String, String> settings) {
        for (String k : settings.keySet()) {
            if ((k.startsWith("broker.") || k.startsWith("topic.label-")) && !BROKER_KEYS.contains(k) && !k.equals(REQUESTS_TOPIC)) {
                throw new IllegalArgumentException("unknown broker setting '" + k + "'; the broker reads " + new java.util.TreeSet<>(BROKER_KEYS));
            }
        }
        LabelBrokerOptions o = new LabelBrokerOptions(settings.getOrDefault(BOOTSTRAP_SERVERS, "localhost:9092"),
                settings.getOrDefault(REGISTRY_URL, "http://localhost:8081"));
        String auth = settings.getOrDefault(REGISTRY_BASIC_AUTH, "");
        if (!auth.isBlank()) {
            int c = auth.indexOf(':');
            if (c <= 0) {
                throw new IllegalArgumentException(REGISTRY_BASIC_AUTH + " must be user:password");
            }
            o.registryBasicAuth(auth.substring(0, c), auth.substring(c + 1));
        }
        if (settings.containsKey(REQUESTS_TOPIC)) {
            o.requestsTopic(settings.get(REQUESTS_TOPIC));
        }
        if (settings.containsKey(LABELS_TOPIC)) {
            o.labelsTopic(settings.get(LABELS_TOPIC));
        }
        if (settings.containsKey(DEAD_LETTER_TOPIC)) {
            o.deadLetterTopic(settings.get(DEAD_LETTER_TOPIC));
        }
        if (settings.containsKey(ANSWERS_TOPIC)) {
            o.answersTopic(settings.get(ANSWERS_TOPIC));
        }
        if (settings.containsKey(BROKER_APPLICATION_ID)) {
            o.applicationId(settings.get(BROKER_APPLICATION_ID));
        }
        if (settings.containsKey(BROKER_HTTP_HOST)) {
            o.httpHost(settings.get(BROKER_HTTP_HOST).trim());
        }
        if (settings.containsKey(BROKER_HTTP_PORT)) {
            try {
                o.httpPort(Integer.parseInt(settings.get(BROKER_HTTP_PORT).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(BROKER_HTTP_PORT + " must be a port number, was '" + settings.get(BROKER_HTTP_PORT) + "'");
            }
        }
        if (settings.containsKey(BROKER_STATE_DIR)) {
            o.stateDir(Path.of(settings.get(BROKER_STATE_DIR)));
        }
        settings.forEach((k, v) -> {
            if (k.startsWith(KAFKA_CLIENT_PREFIX)) {
                o.kafkaProperty(k.substring(KAFKA_CLIENT_PREFIX.length()), v);
            } else if (k.startsWith(REGISTRY_CLIENT_PREFIX)) {
                o.registryClientSettings.put(k.substring(REGISTRY_CLIENT_PREFIX.length()), v);
            }
        });
        return o;
    }

    /** {@link #fromSettings} on a {@code .properties} file. */
    public static LabelBrokerOptions fromFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> m = new TreeMap<>();
        // ${env:NAME} / ${file:PATH} name where a secret is, as in the job's own reading of the same file
        p.stringPropertyNames().forEach(k -> m.put(k, io.alstream.connectors.secrets.Secrets.resolve(k, p.getProperty(k))));
        return fromSettings(m);
    }

    /** Another Kafka, e.g. a command-line flag given next to a config file. */
    public LabelBrokerOptions bootstrapServers(String servers) {
        this.bootstrapServers = Objects.requireNonNull(servers);
        return this;
    }

    /** Another schema registry, e.g. a command-line flag given next to a config file. */
    public LabelBrokerOptions registryUrl(String url) {
        this.registryUrl = Objects.requireNonNull(url);
        return this;
    }

    /**
     * The registry client's settings: {@value #REGISTRY_CLIENT_PREFIX}* of the file plus the URL and
     * basic auth, under the keys of {@link io.alstream.connectors.registry.RegistryClientConfig}.
     */
    public Map<String, String> registryClientSettings() {
        Map<String, String> m = new LinkedHashMap<>(registryClientSettings);
        m.put(io.alstream.connectors.registry.RegistryClientConfig.URL, registryUrl);
        if (registryUser != null) {
            m.put(io.alstream.connectors.registry.RegistryClientConfig.BASIC_AUTH_USER_INFO, registryUser + ":" + registryPassword);
        }
        return m;
    }

    /** HTTP basic auth towards the registry. Default: none. */
    public LabelBrokerOptions registryBasicAuth(String user, String password) {
        this.registryUser = user;
        this.registryPassword = password;
        return this;
    }

    /** A properties file of {@code workerId=token} lines. */
    /** Serve the worker API over HTTPS: a key store (PKCS12 or JKS) holding the server's certificate and key. */
    public LabelBrokerOptions tls(Path keyStore, String password, String type) {
        this.tlsKeyStore = new io.alstream.connectors.registry.TlsContexts.StoreFile(keyStore, password, type);
        return this;
    }

    /** The worker API's TLS context, or null for plain HTTP. */
    public javax.net.ssl.SSLContext tlsContext() {
        return tlsKeyStore == null ? null : io.alstream.connectors.registry.TlsContexts.create(null, tlsKeyStore, null);
    }

    /** A deny list of revoked tokens and workers, read again when it changes (see {@link WorkerTokens#revokedBy}). */
    public LabelBrokerOptions revokedTokensFile(Path file) {
        this.revokedTokensFile = file;
        return this;
    }

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

    /** Take answers over HTTP from workers holding no lease on the item. Default false. */
    public LabelBrokerOptions acceptUnleasedHttpAnswers(boolean accept) {
        config.acceptUnleasedHttpAnswers(accept);
        return this;
    }

    /** How long a lease holds its task until the worker is known to have it. Default 20 s. */
    public LabelBrokerOptions deliveryLease(Duration d) {
        config.deliveryLease(d);
        return this;
    }

    /** A worker not seen for this long no longer keeps a disagreeing item open. Default 2 minutes. */
    public LabelBrokerOptions workerIdleAfter(Duration d) {
        config.workerIdleAfter(d);
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
        return revokedTokensFile == null ? t : t.revokedBy(revokedTokensFile);
    }
}
