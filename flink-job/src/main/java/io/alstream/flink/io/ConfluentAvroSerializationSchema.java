package io.alstream.flink.io;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * A Flink {@link SerializationSchema} writing Avro records in the Confluent wire format, registering
 * (or looking up) the schema under {@code <topic>-value}. The alstream job's own sinks use
 * {@link AvroSinkSerializer}, which also sets the record key.
 */
public final class ConfluentAvroSerializationSchema<T extends SpecificRecord> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final RecordEncoder<T> encoder;
    private final String topic;

    public ConfluentAvroSerializationSchema(Class<T> type, RegistryCodecs codecs, String topic) {
        this.encoder = codecs.encoder(type);
        this.topic = topic;
    }

    @Override
    public void open(InitializationContext context) throws Exception {
        encoder.open();
    }

    @Override
    public byte[] serialize(T element) {
        return encoder.encode(topic, element);
    }
}
