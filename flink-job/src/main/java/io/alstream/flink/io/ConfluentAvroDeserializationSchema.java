package io.alstream.flink.io;

import java.io.IOException;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import io.alstream.flink.validate.RecordDecoder;

/**
 * A Flink {@link DeserializationSchema} for Avro records in the Confluent wire format, through the
 * schema registry: for users who read one of our topics in their own Flink job. A record that cannot
 * be decoded fails with an {@link IOException} naming the reason code — it is never skipped silently.
 * (The alstream job itself decodes after the source instead, so that bad records reach the
 * dead-letter topic; see {@code EventValidator}.)
 */
public final class ConfluentAvroDeserializationSchema<T extends SpecificRecord> implements DeserializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final RecordDecoder<T> decoder;
    private final String topic;

    public ConfluentAvroDeserializationSchema(Class<T> type, RegistryCodecs codecs, String topic) {
        this.type = type;
        this.decoder = codecs.decoder(type);
        this.topic = topic;
    }

    @Override
    public void open(InitializationContext context) throws Exception {
        decoder.open();
    }

    @Override
    public T deserialize(byte[] message) throws IOException {
        if (message == null) {
            throw new IOException("null value (tombstone) on " + topic + ": not a " + type.getSimpleName());
        }
        try {
            return decoder.decode(topic, message);
        } catch (RecordDecoder.DecodeFailure f) {
            throw new IOException(f.reason() + ": " + f.getMessage(), f);
        }
    }

    @Override
    public boolean isEndOfStream(T nextElement) {
        return false;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
