package io.alstream.connectors.broker.topology;

import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;

/** What the broker processor emits; split by type onto the labels, dead-letter and replies topics. */
public sealed interface BrokerOutput {
    record Label(ConsolidatedLabel value) implements BrokerOutput {
    }

    record Dead(DeadLetter value) implements BrokerOutput {
    }

    record Reply(BrokerReply value) implements BrokerOutput {
    }
}
