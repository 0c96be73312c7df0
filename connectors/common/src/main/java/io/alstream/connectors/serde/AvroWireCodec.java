package io.alstream.connectors.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.IncompatibleSchemaException;
import io.alstream.connectors.registry.RegistryUnavailableException;
import io.alstream.connectors.registry.SchemaNotFoundException;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.SchemaRegistryException;
import io.alstream.connectors.registry.SubjectNotFoundException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Encodes and decodes Avro records in the Confluent wire format, with a schema registry; no Kafka or
 * Flink types in its API, so any runtime can wrap it. Thread-safe.
 *
 * <p>Encoding: the record's schema is registered under {@code <topic>-value} (TopicNameStrategy; {@code
 * -key} for keys) when auto-registration is on (default), or must already be registered there when it
 * is off. Decoding: the writer schema is fetched by the id in the header and resolved to the reader
 * schema: the generated class's own schema for {@link #specific}, the given or the writer schema for
 * {@link #generic}.
 *
 * <p>Failures of decoding are {@link WireFormatException}s with a reason code for the dead-letter
 * record; a registry that cannot be reached is a {@link RegistryUnavailableException} (retry later, the
 * bytes may be fine).
 *
 * <pre>{@code
 * AvroWireCodec<UnlabeledEvent> codec = AvroWireCodec.specific(UnlabeledEvent.class, client);
 * byte[] bytes = codec.encode("alstream.events.v1", event);
 * UnlabeledEvent back = codec.decode(bytes);
 * }</pre>
 */
public final class AvroWireCodec<T> {
    static {
        AvroLimits.ensureDefaults(); // before Avro first reads its length limits
    }
    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final Class<T> specificType;
    private final boolean autoRegister;
    private final boolean isKey;
    /** Readers by writer schema id: resolving a writer to the reader once, not per record. */
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    /**
     * Schema ids by subject and writer schema. An id never changes once given, so a record asks the registry client
     * once per schema, not per record: the client's cache is keyed by the schema's JSON text, and writing that text
     * for every record was a tenth of a TaskManager's CPU in the cluster benchmark's profile.
     */
    private final Map<SchemaKey, Integer> ids = new ConcurrentHashMap<>();
    /** Writers by schema (the schema's own cached hash; a generated class's schema is one object). */
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    private record SchemaKey(String subject, Schema schema) { }

    private AvroWireCodec(SchemaRegistryClient registry, Schema readerSchema, Class<T> specificType, boolean autoRegister,
                          boolean isKey) {
        this.registry = Objects.requireNonNull(registry, "registry client");
        this.readerSchema = readerSchema;
        this.specificType = specificType;
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    /** For a generated SpecificRecord class: decodes into that class (its schema is the reader schema). */
    public static <T extends SpecificRecord> AvroWireCodec<T> specific(Class<T> type, SchemaRegistryClient registry) {
        Schema schema = SpecificData.getForClass(type).getSchema(type);
        return new AvroWireCodec<>(registry, schema, type, true, false);
    }

    /** For GenericRecords decoded with the writer's own schema. */
    public static AvroWireCodec<GenericRecord> generic(SchemaRegistryClient registry) {
        return new AvroWireCodec<>(registry, null, null, true, false);
    }

    /** For GenericRecords decoded into {@code readerSchema} (schema resolution from the writer's). */
    public static AvroWireCodec<GenericRecord> generic(SchemaRegistryClient registry, Schema readerSchema) {
        return new AvroWireCodec<>(registry, Objects.requireNonNull(readerSchema), null, true, false);
    }

    /** A copy that registers unknown schemas (true, default) or requires them to be registered (false). */
    public AvroWireCodec<T> withAutoRegister(boolean on) {
        return new AvroWireCodec<>(registry, readerSchema, specificType, on, isKey);
    }

    /** A copy for record keys: subject {@code <topic>-key}. */
    public AvroWireCodec<T> forKeys() {
        return new AvroWireCodec<>(registry, readerSchema, specificType, autoRegister, true);
    }

    public boolean isKey() {
        return isKey;
    }

    /** The subject a record of {@code topic} is registered under. */
    public String subject(String topic) {
        return isKey ? Topics.keySubject(topic) : Topics.valueSubject(topic);
    }

    /**
     * @throws SerializationException        the schema is rejected or not registered, or the record does not fit it
     * @throws RegistryUnavailableException  the registry cannot be reached (transient)
     */
    public byte[] encode(String topic, T record) {
        if (record == null) {
            throw new IllegalArgumentException("cannot encode a null record (Kafka tombstones bypass the codec)");
        }
        if (!(record instanceof IndexedRecord indexed)) {
            throw new SerializationException("not an Avro record: " + record.getClass().getName());
        }
        Schema schema = indexed.getSchema();
        String subject = subject(topic);
        int id = schemaId(subject, schema);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(WireFormat.MAGIC_BYTE);
            out.write(new byte[] {(byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) id});
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(schema, sch -> {
                // a generated class's own model carries its logical-type conversions (Instant <-> timestamp-millis)
                SpecificData model = record instanceof SpecificRecord ? SpecificData.getForClass(record.getClass()) : SpecificData.get();
                return new SpecificDatumWriter<>(sch, model);
            }).write(record, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getFullName() + " for subject " + subject + ": " + e.getMessage(), e);
        }
    }

    private int schemaId(String subject, Schema schema) {
        SchemaKey key = new SchemaKey(subject, schema);
        Integer known = ids.get(key);
        if (known != null) {
            return known;
        }
        int id = askRegistry(subject, schema);
        ids.put(key, id);
        return id;
    }

    private int askRegistry(String subject, Schema schema) {
        try {
            return autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema).id();
        } catch (RegistryUnavailableException e) {
            throw e;
        } catch (IncompatibleSchemaException e) {
            throw new SerializationException("schema " + schema.getFullName() + " is incompatible with subject " + subject
                    + ": " + e.getMessage(), e);
        } catch (SubjectNotFoundException | SchemaNotFoundException e) {
            throw new SerializationException("schema " + schema.getFullName() + " is not registered under subject " + subject
                    + " and auto-registration is off", e);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("registry refused schema " + schema.getFullName() + " for subject " + subject
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * @throws WireFormatException           the bytes are not a decodable record (see its reason code)
     * @throws RegistryUnavailableException  the registry cannot be reached (transient: retry, do not dead-letter)
     * @throws SchemaRegistryException       the registry refused the lookup otherwise (e.g. credentials)
     */
    public T decode(byte[] data) {
        int id = WireFormat.schemaId(data);
        DatumReader<T> reader = readers.computeIfAbsent(id, this::readerFor);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE,
                data.length - WireFormat.HEADER_SIZE, null);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(WireFormatException.Reason.UNDECODABLE, id, "payload of " + (data.length - WireFormat.HEADER_SIZE)
                    + " bytes does not parse under schema id " + id + ": " + e, e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new WireFormatException(WireFormatException.Reason.UNDECODABLE, id,
                        "bytes left over after the record of schema id " + id + ": the payload was not written with that schema", null);
            }
        } catch (IOException e) {
            throw new WireFormatException(WireFormatException.Reason.UNDECODABLE, id, e.toString(), e);
        }
        return value;
    }

    private DatumReader<T> readerFor(int id) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaNotFoundException e) {
            throw new WireFormatException(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, id,
                    "the registry has no schema with id " + id, e);
        }
        Schema reader = readerSchema != null ? readerSchema : writer;
        if (readerSchema != null) {
            var compat = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new WireFormatException(WireFormatException.Reason.INCOMPATIBLE_SCHEMA, id, "writer schema id " + id + " ("
                        + writer.getFullName() + ") cannot be read as " + reader.getFullName() + ": "
                        + compat.getResult().getIncompatibilities(), null);
            }
        }
        if (specificType != null) {
            return new SpecificDatumReader<>(writer, reader, SpecificData.getForClass(specificType));
        }
        return new GenericDatumReader<>(writer, reader);
    }
}
