package io.alstream.flink.io;

import java.util.List;
import java.util.Optional;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a job record to its topic: converted to the Avro record, keyed by the event id, value in
 * the wire format of the {@link RecordEncoder}.
 */
public final class AvroSinkSerializer<IN, A extends SpecificRecord>
        implements KafkaRecordSerializationSchema<IN>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;

    /** Job record to Avro record, and the key it is written under. */
    public interface Conversion<IN, A> extends Function {
        A toAvro(IN in);

        /** The record key's bytes, or null. */
        byte[] key(IN in);
    }

    private final String topic;
    private final RecordEncoder<A> encoder;
    private final Conversion<IN, A> conversion;

    public AvroSinkSerializer(String topic, RecordEncoder<A> encoder, Conversion<IN, A> conversion) {
        this.topic = topic;
        this.encoder = encoder;
        this.conversion = conversion;
    }

    /** The topic written, which the sink's POOLING transaction naming needs to find its lingering transactions. */
    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
        encoder.open();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(IN element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, conversion.key(element),
                encoder.encode(topic, conversion.toAvro(element)));
    }
}
