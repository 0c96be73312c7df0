package io.alstream.connectors.registry;

import java.util.UUID;

import io.alstream.kafka.embedded.EmbeddedKafka;

/**
 * One in-JVM broker for all registry and serde tests of this JVM (starting one costs seconds on a
 * two-core machine). Tests stay apart by using their own schemas topic: {@link #freshTopic()}.
 */
public final class SharedKafka {
    private static EmbeddedKafka kafka;

    private SharedKafka() {
    }

    public static synchronized EmbeddedKafka get() {
        if (kafka == null) {
            kafka = EmbeddedKafka.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "shared-kafka-stop"));
        }
        return kafka;
    }

    public static String bootstrap() {
        return get().bootstrapServers();
    }

    /** A schemas topic no other test uses. */
    public static String freshTopic() {
        return "_schemas-test-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
