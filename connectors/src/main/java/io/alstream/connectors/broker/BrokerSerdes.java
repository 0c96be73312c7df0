package io.alstream.connectors.broker;

import java.util.Objects;

import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroSerdes;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import org.apache.kafka.common.serialization.Serde;

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
}
