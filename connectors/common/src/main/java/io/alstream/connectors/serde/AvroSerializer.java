package io.alstream.connectors.serde;

import java.util.Map;

import io.alstream.connectors.registry.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serializer} for Avro records (specific or generic) in the Confluent wire format. Null
 * stays null (a tombstone). Build it with a codec, or let Kafka create it by class name and
 * {@link #configure} it from {@code schema.registry.url} and friends
 * ({@link io.alstream.connectors.registry.RegistryClientConfig}) plus {@value #AUTO_REGISTER} (default true).
 */
public final class AvroSerializer<T> implements Serializer<T> {
    /** Whether unknown schemas are registered on first use. */
    public static final String AUTO_REGISTER = "auto.register.schemas";

    private AvroWireCodec<T> codec;

    /** For Kafka's instantiation by class name; {@link #configure} must follow. */
    public AvroSerializer() {
    }

    public AvroSerializer(AvroWireCodec<T> codec) {
        this.codec = codec;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (codec != null) {
            return; // built with a codec: that one decides
        }
        SchemaRegistryClient client = SchemaRegistryClient.fromConfig(configs);
        Object auto = configs.get(AUTO_REGISTER);
        AvroWireCodec<T> c = (AvroWireCodec<T>) AvroWireCodec.generic(client)
                .withAutoRegister(auto == null || Boolean.parseBoolean(auto.toString()));
        codec = isKey ? c.forKeys() : c;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (codec == null) {
            throw new IllegalStateException("AvroSerializer not configured: give it a codec or call configure()");
        }
        return codec.encode(topic, data);
    }
}
