package io.alstream.connectors.broker.topology;

import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.BrokerMetrics;
import io.alstream.connectors.broker.BrokerSerdes;
import io.alstream.connectors.broker.OutageWait;
import io.alstream.connectors.broker.aggregation.ClassPrior;
import io.alstream.connectors.broker.aggregation.WorkerModel;
import io.alstream.connectors.broker.state.Json;
import io.alstream.connectors.broker.state.ParkedAnswers;
import io.alstream.connectors.broker.state.RequestState;
import io.alstream.connectors.broker.state.WorkerStats;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * The label broker's Kafka Streams topology (DESIGN §5):
 * <pre>
 *  label-requests ─► tag ─► repartition (1 partition) ─┐
 *  label-answers  ─► tag ─► repartition (1 partition) ─┼─► BrokerProcessor ─┬─► labels       (ConsolidatedLabel)
 *  broker commands (1 partition, from the HTTP API) ───┘   (6 stores)       ├─► dead-letter  (DeadLetter)
 *                                                                          └─► replies      (JSON, to the HTTP API)
 * The stores: requests, request state, worker models, class priors, worker stats, parked answers.
 * </pre>
 * Inputs are read as raw bytes and decoded inside the processor, so a record that cannot be decoded
 * becomes a dead letter instead of stopping the application. All of them are funnelled into one
 * partition: the queue and the worker models are global, and a label broker's load is bounded by
 * how fast people answer, far below what one partition carries.
 */
public final class LabelBrokerTopology {
    private LabelBrokerTopology() {
    }

    /** The topology with in-memory metrics. */
    public static Topology build(BrokerConfig config, BrokerSerdes serdes) {
        return build(config, serdes, BrokerMetrics.inMemory());
    }

    public static Topology build(BrokerConfig config, BrokerSerdes serdes, BrokerMetrics metrics) {
        return build(config, serdes, metrics, new OutageWait(config.outageMaxBackoff(), metrics.registry()));
    }

    /**
     * @param outage how registry outages are waited out: every serde the topology uses (inputs, the
     *               request store, outputs) retries through it, so an outage holds records back and
     *               never sends one to the dead-letter topic
     */
    public static Topology build(BrokerConfig config, BrokerSerdes rawSerdes, BrokerMetrics metrics, OutageWait outage) {
        BrokerSerdes serdes = rawSerdes.waitingOut(outage);
        StreamsBuilder builder = new StreamsBuilder();
        var bytes = Serdes.ByteArray();

        builder.addStateStore(Stores.keyValueStoreBuilder(store(config, BrokerStores.REQUESTS),
                Serdes.String(), serdes.requests()));
        builder.addStateStore(Stores.keyValueStoreBuilder(store(config, BrokerStores.REQUEST_STATE),
                Serdes.String(), Json.serde(RequestState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store(config, BrokerStores.WORKER_MODELS),
                Serdes.String(), Json.serde(WorkerModel.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store(config, BrokerStores.CLASS_PRIORS),
                Serdes.String(), Json.serde(ClassPrior.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store(config, BrokerStores.WORKER_STATS),
                Serdes.String(), Json.serde(WorkerStats.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(store(config, BrokerStores.PARKED_ANSWERS),
                Serdes.String(), Json.serde(ParkedAnswers.class)));

        KStream<byte[], byte[]> requests = builder
                .stream(config.requestsTopic(), Consumed.with(bytes, bytes).withName("broker-read-requests"))
                .process(() -> new OriginTagger(BrokerHeaders.KIND_REQUEST), Named.as("broker-tag-requests"))
                .repartition(Repartitioned.with(bytes, bytes).withName("broker-requests").withNumberOfPartitions(1));
        KStream<byte[], byte[]> answers = builder
                .stream(config.answersTopic(), Consumed.with(bytes, bytes).withName("broker-read-answers"))
                .process(() -> new OriginTagger(BrokerHeaders.KIND_ANSWER), Named.as("broker-tag-answers"))
                .repartition(Repartitioned.with(bytes, bytes).withName("broker-answers").withNumberOfPartitions(1));
        KStream<byte[], byte[]> commands = builder
                .stream(config.commandsTopic(), Consumed.with(bytes, bytes).withName("broker-read-commands"))
                .process(() -> new OriginTagger(BrokerHeaders.KIND_COMMAND), Named.as("broker-tag-commands"));

        KStream<String, BrokerOutput> out = requests
                .merge(answers, Named.as("broker-merge-answers"))
                .merge(commands, Named.as("broker-merge-commands"))
                .process(() -> new BrokerProcessor(config, serdes, metrics), Named.as("label-broker"),
                        BrokerStores.REQUESTS, BrokerStores.REQUEST_STATE, BrokerStores.WORKER_MODELS,
                        BrokerStores.CLASS_PRIORS, BrokerStores.WORKER_STATS, BrokerStores.PARKED_ANSWERS);

        out.split(Named.as("broker-out-"))
                .branch((k, v) -> v instanceof BrokerOutput.Label, Branched.withConsumer(s -> s
                        .mapValues(v -> ((BrokerOutput.Label) v).value(), Named.as("broker-label-value"))
                        .to(config.labelsTopic(), Produced.with(Serdes.String(), serdes.labels()).withName("broker-write-labels")),
                        "labels"))
                .branch((k, v) -> v instanceof BrokerOutput.Dead, Branched.withConsumer(s -> s
                        .mapValues(v -> ((BrokerOutput.Dead) v).value(), Named.as("broker-dead-letter-value"))
                        .to(config.deadLetterTopic(), Produced.with(Serdes.String(), serdes.deadLetters()).withName("broker-write-dead-letters")),
                        "dead-letters"))
                .defaultBranch(Branched.withConsumer(s -> s
                        .mapValues(v -> ((BrokerOutput.Reply) v).value(), Named.as("broker-reply-value"))
                        .to(config.repliesTopic(), Produced.with(Serdes.String(), Json.serde(BrokerReply.class)).withName("broker-write-replies")),
                        "replies"));
        return builder.build();
    }

    private static KeyValueBytesStoreSupplier store(BrokerConfig config, String name) {
        return config.inMemoryStores() ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name);
    }
}
