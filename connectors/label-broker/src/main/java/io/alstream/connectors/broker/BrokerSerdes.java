package io.alstream.connectors.broker;

import java.util.Objects;

import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroSerdes;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The value serdes of the broker's topics. In production they are the Confluent wire-format Avro
 * serdes (registry-backed); tests may pass plain Avro ones. The request serde also stores open
 * requests in the broker's state, so their changelog carries the same bytes as the topic.
 */
public record BrokerSerdes(Serde<LabelRequest> requests, Serde<LabelAnswer> answers,
                           Serde<ConsolidatedLabel> labels, Serde<DeadLetter> deadLetters) {
    public BrokerSerdes {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(answers, "answers");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /** The Confluent wire-format serdes on a schema registry, registering each topic's value schema on first use. */
    public static BrokerSerdes avro(SchemaRegistryClient registry) {
        return new BrokerSerdes(AvroSerdes.specific(LabelRequest.class, registry, false),
                AvroSerdes.specific(LabelAnswer.class, registry, false),
                AvroSerdes.specific(ConsolidatedLabel.class, registry, false),
                AvroSerdes.specific(DeadLetter.class, registry, false));
    }

    /**
     * The same serdes, each call retried through {@code outage} while the registry cannot be reached:
     * the topology's view, where a registry outage must hold records back, never reject them.
     */
    public BrokerSerdes waitingOut(OutageWait outage) {
        return new BrokerSerdes(waiting(requests, outage, "LabelRequest"), waiting(answers, outage, "LabelAnswer"),
                waiting(labels, outage, "ConsolidatedLabel"), waiting(deadLetters, outage, "DeadLetter"));
    }

    private static <T> Serde<T> waiting(Serde<T> serde, OutageWait outage, String type) {
        Serializer<T> ser = serde.serializer();
        Deserializer<T> de = serde.deserializer();
        Serializer<T> waitingSer = new Serializer<>() {
            @Override
            public byte[] serialize(String topic, T data) {
                return outage.call("encoding a " + type, () -> ser.serialize(topic, data));
            }

            @Override
            public byte[] serialize(String topic, org.apache.kafka.common.header.Headers headers, T data) {
                return outage.call("encoding a " + type, () -> ser.serialize(topic, headers, data));
            }
        };
        Deserializer<T> waitingDe = new Deserializer<>() {
            @Override
            public T deserialize(String topic, byte[] data) {
                return outage.call("decoding a " + type, () -> de.deserialize(topic, data));
            }

            @Override
            public T deserialize(String topic, org.apache.kafka.common.header.Headers headers, byte[] data) {
                return outage.call("decoding a " + type, () -> de.deserialize(topic, headers, data));
            }
        };
        return Serdes.serdeFrom(waitingSer, waitingDe);
    }
}
