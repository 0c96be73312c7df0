package io.alstream.connectors.broker.topology;

import java.util.Arrays;

import io.alstream.connectors.limits.InputLimits;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Stamps each input record with its kind and where it was read, before it is funnelled to the broker. */
final class OriginTagger implements Processor<byte[], byte[], byte[], byte[]> {
    private final String kind;
    private ProcessorContext<byte[], byte[]> context;

    OriginTagger(String kind) {
        this.kind = kind;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        record = boundSize(record);
        BrokerHeaders.putString(record.headers(), BrokerHeaders.KIND, kind);
        RecordMetadata md = context.recordMetadata().orElse(null);
        if (md != null) {
            BrokerHeaders.putString(record.headers(), BrokerHeaders.ORIGIN_TOPIC, md.topic());
            BrokerHeaders.putLong(record.headers(), BrokerHeaders.ORIGIN_PARTITION, md.partition());
            BrokerHeaders.putLong(record.headers(), BrokerHeaders.ORIGIN_OFFSET, md.offset());
        }
        context.forward(record);
    }

    /**
     * A record over the input bounds would not fit the repartition topic (Kafka's default 1 MiB), and a producer
     * failing on it would stop the stream thread: it goes on cut to what its dead letter keeps, marked
     * {@link BrokerHeaders#OVERSIZE}.
     */
    private static Record<byte[], byte[]> boundSize(Record<byte[], byte[]> record) {
        InputLimits.Problem p = InputLimits.recordSize(record.key(), record.value());
        int headerBytes = 0;
        for (Header h : record.headers()) {
            headerBytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        if (p == null && headerBytes > InputLimits.MAX_HEADER_BYTES) {
            p = new InputLimits.Problem(InputLimits.TOO_LARGE, "the headers have " + headerBytes + " bytes (at most "
                    + InputLimits.MAX_HEADER_BYTES + ")");
        }
        if (p == null) {
            return record;
        }
        RecordHeaders headers = new RecordHeaders();
        BrokerHeaders.putString(headers, BrokerHeaders.OVERSIZE, p.message());
        byte[] value = record.value() == null ? null
                : Arrays.copyOf(record.value(), Math.min(record.value().length, InputLimits.DEAD_LETTER_VALUE_BYTES));
        byte[] key = record.key() == null ? null
                : Arrays.copyOf(record.key(), Math.min(record.key().length, InputLimits.DEAD_LETTER_KEY_BYTES));
        return record.withKey(key).withValue(value).withHeaders(headers);
    }
}
