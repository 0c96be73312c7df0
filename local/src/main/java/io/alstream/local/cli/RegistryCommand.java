package io.alstream.local.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.CompatibilityLevel;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.registry.server.RegistryServerOptions;
import io.alstream.connectors.secrets.Secrets;

@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "Run the Confluent-compatible schema registry (REST API on --port), its schemas kept in a compacted Kafka topic. Several instances on the same topic agree on ids. Runs until interrupted.")
final class RegistryCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
    String bootstrap;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on; 0.0.0.0 = every interface (default ${DEFAULT-VALUE}).")
    String host;
    @Option(names = "--port", defaultValue = "8081", description = "HTTP port (default ${DEFAULT-VALUE}).")
    int port;
    @Option(names = "--topic", defaultValue = Topics.SCHEMAS, description = "Schema topic (default ${DEFAULT-VALUE}).")
    String topic;
    @Option(names = "--replication-factor", defaultValue = "1", description = "Replication factor of a new schema topic (default ${DEFAULT-VALUE}).")
    int replicationFactor;
    @Option(names = "--compatibility", defaultValue = "BACKWARD", description = "Default compatibility level (default ${DEFAULT-VALUE}).")
    CompatibilityLevel compatibility;
    @Option(names = "--user", paramLabel = "USER:PASSWORD", description = "Require basic auth with these credentials; repeatable; $${env:NAME} or $${file:PATH} keeps them off the command line.")
    List<String> users = List.of();
    @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "A Kafka client setting for the registry's producer/consumer; repeatable.")
    List<String> kafka = List.of();

    @Override
    public Integer call() {
        RegistryServerOptions o = new RegistryServerOptions(bootstrap).host(host).port(port).topic(topic)
                .topicReplicationFactor(replicationFactor).defaultCompatibility(compatibility);
        for (String given : users) {
            String u = Secrets.resolve("--user", given);
            int c = u.indexOf(':');
            if (c <= 0) {
                throw new IllegalArgumentException("--user wants USER:PASSWORD");
            }
            o.basicAuthUser(u.substring(0, c), u.substring(c + 1));
        }
        for (String kv : kafka) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--kafka wants KEY=VALUE");
            }
            o.kafkaProperty(kv.substring(0, eq), Secrets.resolve("--kafka " + kv.substring(0, eq), kv.substring(eq + 1)));
        }
        RegistryServer.run(o);
        return 0;
    }
}
