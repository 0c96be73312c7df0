package io.alstream.flink.io;

import java.util.List;
import java.util.Properties;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

import io.alstream.flink.config.JobConfig;
import io.alstream.flink.config.JobOptions;
import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.EventRecord;
import io.alstream.flink.records.ModelUpdateRecord;
import io.alstream.flink.records.RawRecord;
import io.alstream.flink.records.RequestRecord;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;
import io.alstream.schemas.UnlabeledEvent;

/**
 * Kafka sources and exactly-once Kafka sinks. Sources read {@code read_committed} (only what upstream
 * transactions committed); sinks write in transactions committed at each Flink checkpoint, so a
 * restart from a checkpoint neither loses nor repeats an output.
 */
public final class KafkaPipelineIO implements PipelineIO {
    private static final long serialVersionUID = 1L;

    private final JobConfig config;
    private final RecordEncoder.Factory encoders;

    public KafkaPipelineIO(JobConfig config, RecordEncoder.Factory encoders) {
        this.config = config;
        this.encoders = encoders;
    }

    @Override
    public DataStream<RawRecord> events(StreamExecutionEnvironment env) {
        return source(env, config.get(JobOptions.EVENTS_TOPIC), "events");
    }

    @Override
    public DataStream<RawRecord> labels(StreamExecutionEnvironment env) {
        return source(env, config.get(JobOptions.LABELS_TOPIC), "labels");
    }

    @Override
    public DataStream<RawRecord> requestFeedback(StreamExecutionEnvironment env) {
        return source(env, config.get(JobOptions.REQUESTS_TOPIC), "request-feedback");
    }

    private DataStream<RawRecord> source(StreamExecutionEnvironment env, String topic, String name) {
        OffsetsInitializer start = "latest".equalsIgnoreCase(config.get(JobOptions.STARTING_OFFSETS))
                ? OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST)
                : OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        Properties props = new Properties();
        props.putAll(config.kafkaClientSettings());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put("partition.discovery.interval.ms", "10000");
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(topic)
                .setGroupId(config.get(JobOptions.GROUP_ID) + "-" + name)
                .setStartingOffsets(start)
                .setDeserializer(new RawRecordDeserializer())
                .setProperties(props)
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka-" + name)
                .uid("source-" + name);
    }

    @Override
    public void labelRequests(DataStream<RequestRecord> requests) {
        String topic = config.get(JobOptions.REQUESTS_TOPIC);
        requests.sinkTo(sink(topic, "requests", LabelRequest.class,
                        new AvroConversions.Requests(config.get(JobOptions.NUM_CLASSES), config.classNames())))
                .name("kafka-label-requests").uid("sink-label-requests");
    }

    @Override
    public void deadLetters(DataStream<DeadLetterRecord> deadLetters) {
        String topic = config.get(JobOptions.DEAD_LETTER_TOPIC);
        deadLetters.sinkTo(sink(topic, "dead-letters", DeadLetter.class, new AvroConversions.DeadLetters()))
                .name("kafka-dead-letters").uid("sink-dead-letters");
    }

    @Override
    public void modelUpdates(DataStream<ModelUpdateRecord> updates) {
        String topic = config.get(JobOptions.MODEL_UPDATES_TOPIC);
        updates.sinkTo(sink(topic, "model-updates", ModelUpdate.class, new AvroConversions.Updates()))
                .setParallelism(1)
                .name("kafka-model-updates").uid("sink-model-updates");
    }

    /**
     * The passthrough job's output (the baseline of the cluster benchmark): validated events, re-encoded through the
     * registry, written exactly once to {@code <events topic>.passthrough}.
     */
    public void passthrough(DataStream<EventRecord> events) {
        String topic = passthroughTopic();
        events.sinkTo(sink(topic, "passthrough", UnlabeledEvent.class, new AvroConversions.Events()))
                .name("kafka-passthrough").uid("sink-passthrough");
    }

    public String passthroughTopic() {
        return config.get(JobOptions.EVENTS_TOPIC) + ".passthrough";
    }

    private <IN, A extends SpecificRecord> KafkaSink<IN> sink(String topic, String name, Class<A> type,
                                                              AvroSinkSerializer.Conversion<IN, A> conversion) {
        Properties props = new Properties();
        props.putAll(config.kafkaClientSettings());
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(config.get(JobOptions.TRANSACTION_TIMEOUT_MS)));
        return KafkaSink.<IN>builder()
                .setBootstrapServers(config.get(JobOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(props)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name)
                .setTransactionNamingStrategy("incrementing".equals(config.get(JobOptions.TRANSACTION_NAMING))
                        ? TransactionNamingStrategy.INCREMENTING : TransactionNamingStrategy.POOLING)
                .setRecordSerializer(new AvroSinkSerializer<>(topic, encoders.encoder(type), conversion))
                .build();
    }

    /** The topics this job reads and writes, for creating them up front. */
    public List<String> topics() {
        return List.of(config.get(JobOptions.EVENTS_TOPIC), config.get(JobOptions.LABELS_TOPIC),
                config.get(JobOptions.REQUESTS_TOPIC), config.get(JobOptions.MODEL_UPDATES_TOPIC),
                config.get(JobOptions.DEAD_LETTER_TOPIC));
    }
}
