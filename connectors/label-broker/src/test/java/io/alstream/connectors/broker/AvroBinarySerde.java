package io.alstream.connectors.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Plain Avro binary (no registry, no wire-format header) for a generated record class: the test
 * stand-in for the Confluent wire-format serdes. Real Avro bytes all the same.
 */
public final class AvroBinarySerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;

    public AvroBinarySerde(Class<T> type) {
        this.type = type;
    }

    public static BrokerSerdes brokerSerdes() {
        return new BrokerSerdes(new AvroBinarySerde<>(io.alstream.schemas.LabelRequest.class),
                new AvroBinarySerde<>(io.alstream.schemas.LabelAnswer.class),
                new AvroBinarySerde<>(io.alstream.schemas.ConsolidatedLabel.class),
                new AvroBinarySerde<>(io.alstream.schemas.DeadLetter.class));
    }

    @Override
    public Serializer<T> serializer() {
        SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(type);
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
                writer.write(value, enc);
                enc.flush();
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(SpecificData.get().getSchema(type), SpecificData.get().getSchema(type));
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
                T value = reader.read(null, dec);
                if (!dec.isEnd()) {
                    throw new IOException("trailing bytes after a " + type.getSimpleName());
                }
                return value;
            } catch (IOException | RuntimeException e) {
                throw new org.apache.kafka.common.errors.SerializationException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        };
    }
}
