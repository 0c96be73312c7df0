package io.alstream.connectors.serde;

import io.alstream.connectors.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Kafka Streams {@link Serde}s for Avro in the Confluent wire format. */
public final class AvroSerdes {
    private AvroSerdes() {
    }

    /** Generated class {@code type}, auto-registering its schema under {@code <topic>-value} (or {@code -key}). */
    public static <T extends SpecificRecord> Serde<T> specific(Class<T> type, SchemaRegistryClient client, boolean isKey) {
        return specific(type, client, isKey, true);
    }

    public static <T extends SpecificRecord> Serde<T> specific(Class<T> type, SchemaRegistryClient client, boolean isKey,
                                                               boolean autoRegister) {
        return of(AvroWireCodec.specific(type, client).withAutoRegister(autoRegister), isKey);
    }

    /** GenericRecords read with the writer's own schema. */
    public static Serde<GenericRecord> generic(SchemaRegistryClient client, boolean isKey) {
        return of(AvroWireCodec.generic(client), isKey);
    }

    /** GenericRecords read into {@code readerSchema}. */
    public static Serde<GenericRecord> generic(SchemaRegistryClient client, Schema readerSchema, boolean isKey) {
        return of(AvroWireCodec.generic(client, readerSchema), isKey);
    }

    private static <T> Serde<T> of(AvroWireCodec<T> codec, boolean isKey) {
        AvroWireCodec<T> c = isKey ? codec.forKeys() : codec;
        return Serdes.serdeFrom(new AvroSerializer<>(c), new AvroDeserializer<>(c));
    }
}
