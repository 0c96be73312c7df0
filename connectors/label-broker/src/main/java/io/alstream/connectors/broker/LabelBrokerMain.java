package io.alstream.connectors.broker;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.alstream.connectors.registry.RegistryClientConfig;
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
        SchemaRegistryClient.Builder registry = RegistryClientConfig.builderFrom(o.registryClientSettings());
        LabelBroker.Builder b = LabelBroker.builder()
                .bootstrapServers(o.bootstrapServers())
                .serdes(BrokerSerdes.avro(registry.build()))
                .config(o.config())
                .tokens(o.tokens())
                .httpHost(o.httpHost())
                .httpPort(o.httpPort())
                .tls(o.tlsContext())
                .stateDir(o.stateDir())
                .createTopics(o.createTopics())
                .topicPartitions(o.topicPartitions());
        o.kafkaProperties().forEach(b::clientProperty);
        return b.build();
    }

    /**
     * Starts the broker and blocks until the JVM shuts down (SIGTERM, Ctrl-C), the calling thread is
     * interrupted, or the broker's streams fail for good; then closes it: the HTTP API drains first,
     * then the streams commit what they processed.
     *
     * @return the process exit status: 0 when asked to stop, 1 when the broker failed (the process
     *         should end then, so a supervisor restarts it, instead of answering 503 forever)
     */
    public static int run(LabelBrokerOptions options) {
        LabelBroker broker = create(options).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "label-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info("label broker running; worker API at {}, worker page at {}worker", broker.httpUri(), broker.httpUri());
        int status = awaitStopOrFailure(broker, stopped);
        if (status != 0) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down and the hook is running
            }
        }
        return status;
    }

    /**
     * Waits until {@code stopped} opens (0) or the broker fails (1, after closing it). Interrupted, it
     * closes the broker and returns 0.
     */
    static int awaitStopOrFailure(LabelBroker broker, CountDownLatch stopped) {
        try {
            while (!stopped.await(200, TimeUnit.MILLISECONDS)) {
                Throwable failure = broker.failure().getNow(null);
                if (failure != null) {
                    LOG.error("the label broker failed and stops: {}", failure.toString());
                    broker.close();
                    return 1;
                }
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.close();
            return 0;
        }
    }
}
