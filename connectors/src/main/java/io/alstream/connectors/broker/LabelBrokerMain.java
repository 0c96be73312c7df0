package io.alstream.connectors.broker;

import java.util.concurrent.CountDownLatch;

import io.alstream.connectors.registry.SchemaRegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone label broker ({@code alstream broker}): the broker on a Kafka cluster with the
 * schema registry's wire-format serdes, until the JVM is asked to stop.
 */
public final class LabelBrokerMain {
    private static final Logger LOG = LoggerFactory.getLogger(LabelBrokerMain.class);

    private LabelBrokerMain() {
    }

    /** Builds the broker these options describe (not started); the caller closes it. */
    public static LabelBroker create(LabelBrokerOptions o) {
        SchemaRegistryClient.Builder registry = SchemaRegistryClient.builder(o.registryUrl());
        if (o.registryUser() != null) {
            registry.basicAuth(o.registryUser(), o.registryPassword());
        }
        LabelBroker.Builder b = LabelBroker.builder()
                .bootstrapServers(o.bootstrapServers())
                .serdes(BrokerSerdes.avro(registry.build()))
                .config(o.config())
                .tokens(o.tokens())
                .httpHost(o.httpHost())
                .httpPort(o.httpPort())
                .stateDir(o.stateDir())
                .createTopics(o.createTopics())
                .topicPartitions(o.topicPartitions());
        o.kafkaProperties().forEach(b::clientProperty);
        return b.build();
    }

    /**
     * Starts the broker and blocks until the JVM shuts down (SIGTERM, Ctrl-C) or the calling thread is
     * interrupted, then closes it: the HTTP API first, then the streams, which commit what they processed.
     */
    public static void run(LabelBrokerOptions options) {
        LabelBroker broker = create(options).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "label-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info("label broker running; worker API at {}, worker page at {}worker", broker.httpUri(), broker.httpUri());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down and the hook is running
            }
        }
    }
}
