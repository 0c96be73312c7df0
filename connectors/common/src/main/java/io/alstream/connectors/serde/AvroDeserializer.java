package io.alstream.connectors.serde;

import java.util.Map;

import io.alstream.connectors.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka {@link Deserializer} for Avro in the Confluent wire format. Null stays null (a tombstone). Bad
 * bytes throw {@link WireFormatException} (Kafka's consumer hands it on as the cause of its
 * {@code RecordDeserializationException}); an unreachable registry throws
 * {@link io.alstream.connectors.registry.RegistryUnavailableException}.
 *
 * <p>Created by class name, it reads {@value #SPECIFIC_VALUE_TYPE} / {@value #SPECIFIC_KEY_TYPE} (a
 * generated class; absent: GenericRecord with the writer's schema) and the registry client keys of
 * {@link io.alstream.connectors.registry.RegistryClientConfig}.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {
    public static final String SPECIFIC_VALUE_TYPE = "specific.avro.value.type";
    public static final String SPECIFIC_KEY_TYPE = "specific.avro.key.type";

    private AvroWireCodec<T> codec;

    /** For Kafka's instantiation by class name; {@link #configure} must follow. */
    public AvroDeserializer() {
    }

    public AvroDeserializer(AvroWireCodec<T> codec) {
        this.codec = codec;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (codec != null) {
            return;
        }
        SchemaRegistryClient client = SchemaRegistryClient.fromConfig(configs);
        Object typeName = configs.get(isKey ? SPECIFIC_KEY_TYPE : SPECIFIC_VALUE_TYPE);
        if (typeName == null) {
            codec = (AvroWireCodec<T>) AvroWireCodec.generic(client);
            return;
        }
        Class<?> type;
        try {
            type = typeName instanceof Class<?> c ? c : Class.forName(typeName.toString(), true,
                    Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("class " + typeName + " of " + (isKey ? SPECIFIC_KEY_TYPE : SPECIFIC_VALUE_TYPE)
                    + " not found", e);
        }
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " is not a generated Avro SpecificRecord class");
        }
        codec = (AvroWireCodec<T>) AvroWireCodec.specific((Class) type, client);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (codec == null) {
            throw new IllegalStateException("AvroDeserializer not configured: give it a codec or call configure()");
        }
        return codec.decode(data);
    }
}
