package io.alstream.connectors.broker;

import java.util.Objects;

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
}
