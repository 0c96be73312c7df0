package io.alstream.connectors.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import io.alstream.connectors.registry.Evolution;
import io.alstream.connectors.registry.RegistryUnavailableException;
import io.alstream.connectors.registry.RetryPolicy;
import io.alstream.connectors.registry.SchemaNotFoundException;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.SharedKafka;
import io.alstream.connectors.registry.SubjectNotFoundException;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.schemas.UnlabeledEvent;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The plain codec against a real registry: bytes of every record type, and every reason a decode fails. */
class AvroWireCodecTest {
    static RegistryServer server;
    static SchemaRegistryClient client;

    @BeforeAll
    static void start() {
        server = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic()).start();
        client = SchemaRegistryClient.builder(server.url()).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String topic() {
        return "topic-" + UUID.randomUUID();
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyRecordTypeRoundTripsInTheWireFormat() throws IOException {
        for (SpecificRecord record : SampleRecords.all()) {
            String topic = topic();
            AvroWireCodec codec = AvroWireCodec.specific((Class) record.getClass(), client);
            byte[] bytes = codec.encode(topic, record);

            int id = client.latest(topic + "-value").id();
            assertEquals(0, bytes[0], "magic byte");
            assertEquals(id, ByteBuffer.wrap(bytes, 1, 4).getInt(), "big-endian schema id");
            assertArrayEquals(plainAvro(record), Arrays.copyOfRange(bytes, 5, bytes.length), "then plain Avro binary");
            assertEquals(record, codec.decode(bytes), record.getSchema().getName());
            // a codec that has never seen the id fetches the writer schema from the registry
            AvroWireCodec fresh = AvroWireCodec.specific((Class) record.getClass(), SchemaRegistryClient.builder(server.url()).build());
            assertEquals(record, fresh.decode(bytes));
        }
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void encodingNeedsTheRegistryOnlyForTheFirstRecordOfASchema() {
        // a registry of its own, stopped after the first record: every later record of the same schema and subject
        // is encoded from cache, byte for byte as before. The registry client's own cache kept this contract before
        // the codec cached ids itself; what the codec's cache saves (a schema-to-JSON per record) is CPU, shown by the
        // profile in bench/results/cluster/2026-12-02/, not by this test
        RegistryServer own = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic()).start();
        SpecificRecord record = SampleRecords.all().get(0);
        AvroWireCodec codec = AvroWireCodec.specific((Class) record.getClass(), SchemaRegistryClient.builder(own.url()).build());
        String topic = topic();
        byte[] first;
        try {
            first = codec.encode(topic, record);
        } finally {
            own.close();
        }
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(first, codec.encode(topic, record), "record " + i + " after the registry stopped");
        }
    }

    @Test
    void olderWriterSchemaIsResolvedToTheGeneratedClass() {
        String topic = topic();
        Schema v0 = Evolution.withoutDefaultedFields(UnlabeledEvent.getClassSchema());
        GenericRecord old = new GenericData.Record(v0);
        old.put("id", "evt-old");
        old.put("eventTime", 1_700_000_000_000L);
        old.put("features", List.of(1f, 2f));
        byte[] bytes = AvroWireCodec.generic(client).encode(topic, old);

        UnlabeledEvent read = AvroWireCodec.specific(UnlabeledEvent.class, client).decode(bytes);
        assertEquals("evt-old", read.getId());
        assertEquals(List.of(1f, 2f), read.getFeatures());
        assertEquals(null, read.getPayloadUri());
        // and a generic reader without a reader schema gets the writer's
        GenericRecord generic = AvroWireCodec.generic(client).decode(bytes);
        assertEquals(v0, generic.getSchema());
    }

    @Test
    void eachFailureHasItsReasonCode() {
        AvroWireCodec<UnlabeledEvent> codec = AvroWireCodec.specific(UnlabeledEvent.class, client);
        byte[] good = codec.encode(topic(), SampleRecords.event());

        assertReason(WireFormatException.Reason.TOO_SHORT, () -> codec.decode(null));
        assertReason(WireFormatException.Reason.TOO_SHORT, () -> codec.decode(new byte[] {0, 0, 0}));
        byte[] badMagic = good.clone();
        badMagic[0] = 1;
        assertReason(WireFormatException.Reason.BAD_MAGIC_BYTE, () -> codec.decode(badMagic));
        byte[] unknownId = good.clone();
        ByteBuffer.wrap(unknownId).putInt(1, 987_654);
        WireFormatException unknown = assertReason(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, () -> codec.decode(unknownId));
        assertEquals(987_654, unknown.schemaId());
        assertReason(WireFormatException.Reason.UNDECODABLE, () -> codec.decode(Arrays.copyOf(good, good.length - 3)));
        assertReason(WireFormatException.Reason.UNDECODABLE, () -> codec.decode(Arrays.copyOf(good, good.length + 2)));

        // same record name, fields the reader cannot fill: resolution fails before any byte is read
        Schema alien = Evolution.record("UnlabeledEvent", "{\"name\":\"x\",\"type\":\"int\"}");
        GenericRecord r = new GenericData.Record(alien);
        r.put("x", 5);
        byte[] alienBytes = AvroWireCodec.generic(client).encode(topic(), r);
        assertReason(WireFormatException.Reason.INCOMPATIBLE_SCHEMA, () -> codec.decode(alienBytes));
        assertEquals("incompatible-schema", WireFormatException.Reason.INCOMPATIBLE_SCHEMA.code());
    }

    @Test
    void unreachableRegistryIsTransientNotBadData() {
        byte[] good = AvroWireCodec.specific(UnlabeledEvent.class, client).encode(topic(), SampleRecords.event());
        RegistryServer gone = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic()).start();
        String url = gone.url();
        gone.close();
        SchemaRegistryClient dead = SchemaRegistryClient.builder(url).retry(RetryPolicy.NONE).build();
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                () -> AvroWireCodec.specific(UnlabeledEvent.class, dead).decode(good));
        assertEquals(-1, e.httpStatus());
    }

    @Test
    void withoutAutoRegisterTheSchemaMustBeRegistered() {
        String topic = topic();
        AvroWireCodec<UnlabeledEvent> strict = AvroWireCodec.specific(UnlabeledEvent.class, client).withAutoRegister(false);
        SerializationException e = assertThrows(SerializationException.class, () -> strict.encode(topic, SampleRecords.event()));
        assertInstanceOf(SubjectNotFoundException.class, e.getCause());
        int id = client.register(topic + "-value", UnlabeledEvent.getClassSchema());
        byte[] bytes = strict.encode(topic, SampleRecords.event());
        assertEquals(id, WireFormat.schemaId(bytes));
        // a different schema under the existing subject is still not registered
        String other = topic();
        client.register(other + "-value", Evolution.withoutDefaultedFields(UnlabeledEvent.getClassSchema()));
        SerializationException notThere = assertThrows(SerializationException.class, () -> strict.encode(other, SampleRecords.event()));
        assertInstanceOf(SchemaNotFoundException.class, notThere.getCause());
    }

    @Test
    void keysUseTheKeySubject() {
        String topic = topic();
        AvroWireCodec.specific(UnlabeledEvent.class, client).forKeys().encode(topic, SampleRecords.event());
        assertEquals(List.of(1), client.versions(topic + "-key"));
    }

    private static WireFormatException assertReason(WireFormatException.Reason reason, Runnable decode) {
        WireFormatException e = assertThrows(WireFormatException.class, decode::run);
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(reason.code(), e.code());
        return e;
    }

    static byte[] plainAvro(SpecificRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<Object>(record.getSchema(), SpecificData.getForClass(record.getClass())).write(record, enc);
        enc.flush();
        return out.toByteArray();
    }
}
