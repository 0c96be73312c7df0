package io.alstream.local.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.alstream.connectors.broker.LabelBrokerMain;
import io.alstream.connectors.broker.LabelBrokerOptions;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run the label broker: a Kafka Streams service between the label-requests and labels topics, "
                + "with the worker HTTP API (next task, answer, release, stats; OpenAPI at /openapi.yaml and in "
                + "connectors/src/main/resources/openapi/label-broker.yaml), the worker page for people at /worker, "
                + "and Prometheus metrics on /metrics. "
                + "Runs until interrupted; its state lives in Kafka (changelogs), so a restart resumes it.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
    String bootstrap;
    @Option(names = "--registry-url", required = true, description = "Schema registry URL.")
    String registryUrl;
    @Option(names = "--registry-user", paramLabel = "USER:PASSWORD", description = "Basic auth for the registry.")
    String registryUser;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address of the worker API; 0.0.0.0 = every interface (default ${DEFAULT-VALUE}).")
    String host;
    @Option(names = "--port", defaultValue = "8085", description = "Port of the worker API (default ${DEFAULT-VALUE}).")
    int port;
    @Option(names = "--tokens", description = "File of worker tokens, one `worker-id token` per line.")
    Path tokens;
    @Option(names = "--token-secret", description = "Also accept each worker's token derived from this secret (HMAC; at least 16 characters).")
    String tokenSecret;
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
        LabelBrokerOptions o = new LabelBrokerOptions(bootstrap, registryUrl).httpHost(host).httpPort(port)
                .method(method).minAnswers(minAnswers).maxAnswers(maxAnswers).agreement(agreement)
                .noAgreement(noAgreement).leaseDuration(Duration.ofSeconds(leaseSeconds)).pageImage(pageImage);
        if (tokens != null) {
            o.tokensFile(tokens);
        }
        if (tokenSecret != null) {
            o.tokenSecret(tokenSecret);
        }
        if (stateDir != null) {
            o.stateDir(stateDir);
        }
        if (registryUser != null) {
            int c = registryUser.indexOf(':');
            if (c <= 0) {
                throw new IllegalArgumentException("--registry-user wants USER:PASSWORD");
            }
            o.registryBasicAuth(registryUser.substring(0, c), registryUser.substring(c + 1));
        }
        for (String kv : kafka) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--kafka wants KEY=VALUE");
            }
            o.kafkaProperty(kv.substring(0, eq), kv.substring(eq + 1));
        }
        LabelBrokerMain.run(o);
        return 0;
    }
}
