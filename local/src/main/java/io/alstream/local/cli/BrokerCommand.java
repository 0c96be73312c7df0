package io.alstream.local.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.alstream.connectors.broker.LabelBrokerMain;
import io.alstream.connectors.broker.LabelBrokerOptions;
import io.alstream.connectors.secrets.Secrets;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run the label broker: a Kafka Streams service between the label-requests and labels topics, "
                + "with the worker HTTP API (next task, answer, release, stats; OpenAPI at /openapi.yaml and in "
                + "connectors/label-broker/src/main/resources/openapi/label-broker.yaml), the worker page for people at /worker, "
                + "and Prometheus metrics on /metrics. "
                + "Runs until interrupted; its state lives in Kafka (changelogs), so a restart resumes it.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE",
            description = "The deployment's properties file, the one `alstream run --config` reads: the broker takes "
                    + "kafka.bootstrap-servers, registry.url, registry.basic-auth, topic.label-requests, topic.labels, "
                    + "topic.dead-letter, kafka.client.* and registry.client.* from it (so job and broker name the same "
                    + "topics), and its own topic.label-answers, broker.http-host, broker.http-port, broker.application-id, "
                    + "broker.state-dir. Flags given too win over the file.")
    Path config;
    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (required without --config).")
    String bootstrap;
    @Option(names = "--registry-url", description = "Schema registry URL (required without --config).")
    String registryUrl;
    @Option(names = "--registry-user", paramLabel = "USER:PASSWORD", description = "Basic auth for the registry; $${env:NAME} or $${file:PATH} keeps it off the command line.")
    String registryUser;
    @Option(names = "--host", description = "Address the worker API binds to (default localhost; 0.0.0.0 for every interface).")
    String host;
    @Option(names = "--port", description = "Port of the worker API (default 8085).")
    Integer port;
    @Option(names = "--tokens", description = "File of worker tokens, one `worker-id token` per line.")
    Path tokens;
    @Option(names = "--token-secret", description = "Also accept each worker's token derived from this secret (HMAC; at least 16 characters); "
            + "$${env:NAME} or $${file:PATH} keeps it off the command line.")
    String tokenSecret;
    @Option(names = "--tls-keystore", description = "Serve the worker API over HTTPS with the certificate and key in this PKCS12 key store.")
    Path tlsKeyStore;
    @Option(names = "--tls-keystore-password", description = "Password of --tls-keystore (and of its key); "
            + "$${env:NAME} or $${file:PATH} keeps it off the command line.")
    String tlsKeyStorePassword;
    @Option(names = "--revoked-tokens", description = "File of revoked tokens (one a line) and workers (`worker:ID`), read again "
            + "whenever it changes; a revoked token gets 401 revoked-token.")
    Path revokedTokens;
    @Option(names = "--state-dir", description = "Kafka Streams state directory (default: a temporary folder; the changelogs restore it).")
    Path stateDir;
    @Option(names = "--method", defaultValue = "dawid-skene", description = "Aggregation: majority, one-coin-ds, dawid-skene (default ${DEFAULT-VALUE}).")
    String method;
    @Option(names = "--min-answers", defaultValue = "3", description = "Answers wanted per item (default ${DEFAULT-VALUE}).")
    int minAnswers;
    @Option(names = "--max-answers", defaultValue = "7", description = "Most answers asked while answers disagree (default ${DEFAULT-VALUE}).")
    int maxAnswers;
    @Option(names = "--agreement", defaultValue = "0.9", description = "Posterior confidence that closes an item (default ${DEFAULT-VALUE}).")
    double agreement;
    @Option(names = "--no-agreement", defaultValue = "label-best", description = "At max answers without agreement: label-best or close (default ${DEFAULT-VALUE}).")
    String noAgreement;
    @Option(names = "--lease-seconds", defaultValue = "300", description = "How long a worker holds a task (default ${DEFAULT-VALUE}).")
    long leaseSeconds;
    @Option(names = "--delivery-lease-seconds", defaultValue = "20",
            description = "A lease holds its task this long until the worker is known to have it, then --lease-seconds; "
                    + "a lease whose reply never reached its worker frees the task after this (default ${DEFAULT-VALUE}).")
    long deliveryLeaseSeconds;
    @Option(names = "--worker-idle-seconds", defaultValue = "120",
            description = "A worker not seen for this long no longer keeps an item whose answers disagree open: when every "
                    + "worker seen more recently answered or skipped it, it closes at once (default ${DEFAULT-VALUE}).")
    long workerIdleSeconds;
    @Option(names = "--accept-unleased-http-answers",
            description = "Take answers over HTTP from workers holding no lease on the item (default: refused, 409 no-lease).")
    boolean acceptUnleasedHttpAnswers;
    @Option(names = "--page-image", paramLabel = "WIDTHxHEIGHT",
            description = "On the worker page, draw features of this many values as a grey image, e.g. 28x28 (default: none; a table).")
    String pageImage;
    @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "A Kafka client setting (security, ...); repeatable.")
    List<String> kafka = List.of();

    @Override
    public Integer call() {
        if (tokens == null && tokenSecret == null) {
            throw new IllegalArgumentException("give --tokens FILE and/or --token-secret SECRET: workers need tokens");
        }
        LabelBrokerOptions o;
        if (config != null) {
            if (!java.nio.file.Files.isRegularFile(config)) {
                throw new IllegalArgumentException("--config " + config + ": no such file");
            }
            o = LabelBrokerOptions.fromFile(config);
            if (bootstrap != null) {
                o.bootstrapServers(bootstrap);
            }
            if (registryUrl != null) {
                o.registryUrl(registryUrl);
            }
        } else {
            if (bootstrap == null || registryUrl == null) {
                throw new IllegalArgumentException("give --config FILE, or both --bootstrap-servers and --registry-url");
            }
            o = new LabelBrokerOptions(bootstrap, registryUrl);
        }
        if (host != null) {
            o.httpHost(host);
        }
        if (port != null) {
            o.httpPort(port);
        }
        o.method(method).minAnswers(minAnswers).maxAnswers(maxAnswers).agreement(agreement)
                .noAgreement(noAgreement).leaseDuration(Duration.ofSeconds(leaseSeconds)).pageImage(pageImage)
                .deliveryLease(Duration.ofSeconds(deliveryLeaseSeconds)).workerIdleAfter(Duration.ofSeconds(workerIdleSeconds))
                .acceptUnleasedHttpAnswers(acceptUnleasedHttpAnswers);
        if (tokens != null) {
            o.tokensFile(tokens);
        }
        if (tokenSecret != null) {
            o.tokenSecret(Secrets.resolve("--token-secret", tokenSecret));
        }
        if (revokedTokens != null) {
            o.revokedTokensFile(revokedTokens);
        }
        if (tlsKeyStore != null) {
            o.tls(tlsKeyStore, tlsKeyStorePassword == null ? null : Secrets.resolve("--tls-keystore-password", tlsKeyStorePassword),
                    "PKCS12");
        }
        if (stateDir != null) {
            o.stateDir(stateDir);
        }
        if (registryUser != null) {
            String user = Secrets.resolve("--registry-user", registryUser);
            int c = user.indexOf(':');
            if (c <= 0) {
                throw new IllegalArgumentException("--registry-user wants USER:PASSWORD");
            }
            o.registryBasicAuth(user.substring(0, c), user.substring(c + 1));
        }
        for (String kv : kafka) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--kafka wants KEY=VALUE");
            }
            o.kafkaProperty(kv.substring(0, eq), Secrets.resolve("--kafka " + kv.substring(0, eq), kv.substring(eq + 1)));
        }
        return LabelBrokerMain.run(o);
    }
}
