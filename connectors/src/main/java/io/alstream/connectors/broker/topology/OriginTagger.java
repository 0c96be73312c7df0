package io.alstream.connectors.broker.topology;

import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Stamps each input record with its kind and where it was read, before it is funnelled to the broker. */
final class OriginTagger implements FixedKeyProcessor<byte[], byte[], byte[]> {
    private final String kind;
    private FixedKeyProcessorContext<byte[], byte[]> context;

    OriginTagger(String kind) {
        this.kind = kind;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        BrokerHeaders.putString(record.headers(), BrokerHeaders.KIND, kind);
        RecordMetadata md = context.recordMetadata().orElse(null);
        if (md != null) {
            BrokerHeaders.putString(record.headers(), BrokerHeaders.ORIGIN_TOPIC, md.topic());
            BrokerHeaders.putLong(record.headers(), BrokerHeaders.ORIGIN_PARTITION, md.partition());
            BrokerHeaders.putLong(record.headers(), BrokerHeaders.ORIGIN_OFFSET, md.offset());
        }
        context.forward(record);
    }
}
