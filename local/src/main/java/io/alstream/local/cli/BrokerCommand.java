package io.alstream.local.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.BrokerSerdes;
import io.alstream.connectors.broker.LabelBroker;
import io.alstream.connectors.broker.aggregation.AggregationMethod;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.registry.SchemaRegistryClient;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run the label broker: a Kafka Streams service between the label-requests and labels topics, with the worker HTTP API (next task, answer, release, stats; OpenAPI in connectors/src/main/resources/openapi/label-broker.yaml) and Prometheus metrics on /metrics.")
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
    String bootstrap;
    @Option(names = "--registry-url", required = true, description = "Schema registry URL.")
    String registryUrl;
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address of the worker API (default ${DEFAULT-VALUE}).")
    String host;
    @Option(names = "--port", defaultValue = "8090", description = "Port of the worker API (default ${DEFAULT-VALUE}).")
    int port;
    @Option(names = "--tokens", description = "File of worker tokens, one `worker-id token` per line.")
    Path tokens;
    @Option(names = "--token-secret", description = "Derive each worker's token from this secret instead (see WorkerTokens).")
    String tokenSecret;
    @Option(names = "--state-dir", description = "Kafka Streams state directory (default: a temporary folder; the changelog restores it).")
    Path stateDir;
    @Option(names = "--method", defaultValue = "dawid-skene", description = "Aggregation: majority, one-coin-ds, dawid-skene (default ${DEFAULT-VALUE}).")
    String method;
    @Option(names = "--min-answers", defaultValue = "3", description = "Answers wanted per item (default ${DEFAULT-VALUE}).")
    int minAnswers;
    @Option(names = "--max-answers", defaultValue = "7", description = "Most answers asked while answers disagree (default ${DEFAULT-VALUE}).")
    int maxAnswers;
    @Option(names = "--agreement", defaultValue = "0.9", description = "Posterior confidence that closes an item (default ${DEFAULT-VALUE}).")
    double agreement;
    @Option(names = "--lease-seconds", defaultValue = "300", description = "How long a worker holds a task (default ${DEFAULT-VALUE}).")
    long leaseSeconds;

    @Override
    public Integer call() throws Exception {
        if ((tokens == null) == (tokenSecret == null)) {
            throw new IllegalArgumentException("give exactly one of --tokens FILE or --token-secret SECRET");
        }
        WorkerTokens workerTokens = tokens != null ? WorkerTokens.fromFile(tokens) : WorkerTokens.derivedFrom(tokenSecret);
        BrokerConfig config = BrokerConfig.builder().method(AggregationMethod.parse(method)).minAnswers(minAnswers)
                .maxAnswers(maxAnswers).agreement(agreement).leaseDuration(Duration.ofSeconds(leaseSeconds)).build();
        LabelBroker.Builder b = LabelBroker.builder().bootstrapServers(bootstrap)
                .serdes(BrokerSerdes.avro(SchemaRegistryClient.builder(registryUrl).build()))
                .tokens(workerTokens).config(config).httpHost(host).httpPort(port);
        if (stateDir != null) {
            b.stateDir(stateDir);
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (LabelBroker broker = b.start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            System.out.println("label broker running; worker API at " + broker.httpUri() + ", metrics at "
                    + broker.httpUri().resolve("/metrics") + "; Ctrl-C stops it");
            stop.await();
        }
        return 0;
    }
}
