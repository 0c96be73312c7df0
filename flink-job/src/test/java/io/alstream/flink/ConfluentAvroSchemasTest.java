package io.alstream.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.connectors.serde.WireFormat;
import io.alstream.flink.io.ConfluentAvroDeserializationSchema;
import io.alstream.flink.io.ConfluentAvroSerializationSchema;
import io.alstream.flink.io.RegistryCodecs;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.schemas.UnlabeledEvent;

/** The Flink (de)serialization schemas against a real registry: wire-format bytes both ways, clear failures. */
class ConfluentAvroSchemasTest {

    @Test
    void roundTripsWireFormatBytesAndFailsLoudlyOnBadOnes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
            RegistryCodecs codecs = new RegistryCodecs(Map.of("schema.registry.url", registry.url()), true);
            var ser = new ConfluentAvroSerializationSchema<>(UnlabeledEvent.class, codecs, Topics.EVENTS);
            var de = new ConfluentAvroDeserializationSchema<>(UnlabeledEvent.class, codecs, Topics.EVENTS);
            ser.open(null);
            de.open(null);
            UnlabeledEvent e = UnlabeledEvent.newBuilder().setId("e1").setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                    .setFeatures(List.of(1f, 2f, 3f)).setAttributes(Map.of("k", "v")).build();
            byte[] bytes = ser.serialize(e);
            assertEquals(0, bytes[0], "magic byte");
            SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
            assertEquals(client.latest(Topics.valueSubject(Topics.EVENTS)).id(), WireFormat.schemaId(bytes),
                    "the id in the header is the registered one");
            // the connectors' codec writes the same bytes: the Flink schema adds nothing of its own
            assertArrayEquals(AvroWireCodec.specific(UnlabeledEvent.class, client).encode(Topics.EVENTS, e), bytes);
            assertEquals(e, de.deserialize(bytes));

            IOException bad = assertThrows(IOException.class, () -> de.deserialize("plain text".getBytes()));
            assertTrue(bad.getMessage().startsWith("bad-magic-byte"), bad.getMessage());
            IOException unknown = assertThrows(IOException.class, () -> de.deserialize(new byte[] {0, 0, 1, 0, 0, 2}));
            assertTrue(unknown.getMessage().startsWith("unknown-schema-id"), unknown.getMessage());
            assertThrows(IOException.class, () -> de.deserialize(null));
        }
    }
}
