package io.alstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BACKWARD compatibility of every record (DESIGN section 3): data written by a consumer-visible older
 * version of a schema ("v0", kept as test resources under {@code v0/}) must be readable by the current
 * generated class, both by Avro's own compatibility check and by decoding real bytes; and breaking
 * changes to the current schema must be reported incompatible.
 */
class BackwardCompatibilityTest {
    private static final long T0 = Instant.parse("2025-01-02T03:04:05Z").toEpochMilli();

    /** One record type: its current schema, a v0 datum, and what the current reader must see. */
    record Case(String name, Schema current, Consumer<GenericRecord> fillV0, Consumer<SpecificRecord> checkRead) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("UnlabeledEvent", UnlabeledEvent.getClassSchema(), r -> {
                    r.put("id", "evt-1");
                    r.put("eventTime", T0);
                    r.put("features", List.of(0.5f, -1.25f, 3f));
                    r.put("payloadUri", "https://example.org/items/1.png");
                }, s -> {
                    UnlabeledEvent e = (UnlabeledEvent) s;
                    assertEquals("evt-1", e.getId());
                    assertEquals(Instant.ofEpochMilli(T0), e.getEventTime());
                    assertEquals(List.of(0.5f, -1.25f, 3f), e.getFeatures());
                    assertEquals("https://example.org/items/1.png", e.getPayloadUri());
                    assertNull(e.getFeatureSpace());
                    assertNull(e.getPayloadText());
                    assertNull(e.getStream());
                    assertEquals(Map.of(), e.getAttributes());
                }),
                new Case("LabelRequest", LabelRequest.getClassSchema(), r -> {
                    r.put("requestId", "req-7");
                    r.put("eventId", "evt-7");
                    r.put("features", List.of(1f, 2f));
                    r.put("strategy", "entropy");
                    r.put("score", 0.93);
                    r.put("modelVersion", 12L);
                    r.put("createdAt", T0);
                    r.put("deadline", T0 + 60_000);
                    r.put("numClasses", 10);
                }, s -> {
                    LabelRequest q = (LabelRequest) s;
                    assertEquals("req-7", q.getRequestId());
                    assertEquals("evt-7", q.getEventId());
                    assertEquals("entropy", q.getStrategy());
                    assertEquals(0.93, q.getScore());
                    assertEquals(12L, q.getModelVersion());
                    assertEquals(Instant.ofEpochMilli(T0 + 60_000), q.getDeadline());
                    assertEquals(10, q.getNumClasses());
                    assertEquals(Map.of(), q.getScores());
                    assertEquals(0.0, q.getPriority());
                    assertEquals(1, q.getRedundancy());
                    assertEquals(List.of(), q.getClassNames());
                    assertNull(q.getGoldLabel());
                    assertNull(q.getPayloadUri());
                    assertEquals(Map.of(), q.getAttributes());
                }),
                new Case("LabelAnswer", LabelAnswer.getClassSchema(), r -> {
                    r.put("requestId", "req-7");
                    r.put("eventId", "evt-7");
                    r.put("workerId", "w-3");
                    r.put("label", 4);
                    r.put("answeredAt", T0 + 5_000);
                }, s -> {
                    LabelAnswer a = (LabelAnswer) s;
                    assertEquals("w-3", a.getWorkerId());
                    assertEquals(4, a.getLabel());
                    assertEquals(Instant.ofEpochMilli(T0 + 5_000), a.getAnsweredAt());
                    assertNull(a.getConfidence());
                    assertNull(a.getSource(), "provenance added later: absent from v0 data");
                }),
                new Case("ConsolidatedLabel", ConsolidatedLabel.getClassSchema(), r -> {
                    r.put("eventId", "evt-7");
                    r.put("label", 4);
                    r.put("confidence", 0.8);
                    r.put("method", "majority");
                    r.put("features", List.of(1f, 2f));
                    r.put("labelledAt", T0 + 9_000);
                }, s -> {
                    ConsolidatedLabel c = (ConsolidatedLabel) s;
                    // a plain int written, read through the ["null","int"] union
                    assertEquals(4, c.getLabel());
                    assertEquals(0.8, c.getConfidence());
                    assertEquals("majority", c.getMethod());
                    assertEquals(0, c.getNumAnswers());
                    assertNull(c.getRequestId());
                    assertNull(c.getCloseReason());
                    assertNull(c.getModelVersion());
                    assertNull(c.getWorkerIds(), "provenance added later: absent from v0 data");
                    assertNull(c.getSource());
                }),
                new Case("ModelUpdate", ModelUpdate.getClassSchema(), r -> {
                    r.put("version", 3L);
                    r.put("labelsFolded", 250);
                    r.put("refreshCount", 1);
                    r.put("prequentialAccuracy", 0.71);
                    r.put("createdAt", T0);
                }, s -> {
                    ModelUpdate m = (ModelUpdate) s;
                    assertEquals("default", m.getModelId());
                    assertEquals(3L, m.getVersion());
                    // int widened to long by schema resolution
                    assertEquals(250L, m.getLabelsFolded());
                    assertEquals(0.71, m.getPrequentialAccuracy());
                    assertEquals("label", m.getTrigger());
                    assertEquals(0, m.getKernelSize());
                    assertNull(m.getBudgetSpent());
                    assertEquals(Map.of(), m.getMetrics());
                }),
                new Case("DeadLetter", DeadLetter.getClassSchema(), r -> {
                    r.put("sourceTopic", "alstream.events.v1");
                    r.put("partition", 2);
                    r.put("offset", 4711L);
                    r.put("value", ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    r.put("errorClass", "bad-magic-byte");
                    r.put("errorMessage", "first byte was 1, expected 0");
                    r.put("failedAt", T0);
                }, s -> {
                    DeadLetter d = (DeadLetter) s;
                    assertEquals(4711L, d.getOffset());
                    assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), d.getValue());
                    assertNull(d.getKey());
                    assertEquals("validate", d.getStage());
                }));
    }

    static Stream<Arguments> breakingChanges() {
        List<Arguments> out = new ArrayList<>();
        cases().forEach(c -> {
            out.add(Arguments.of(c.name() + " + required field", c.current(), withRequiredField(c.current())));
            out.add(Arguments.of(c.name() + " first field retyped", c.current(), withFirstFieldRetyped(c.current())));
        });
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: v0 is readable by the current schema (SchemaCompatibility)")
    @MethodSource("cases")
    void olderSchemaIsBackwardCompatible(Case c) {
        Schema v0 = loadV0(c.name());
        var result = SchemaCompatibility.checkReaderWriterCompatibility(c.current(), v0);
        assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(), () -> result.getResult().getIncompatibilities().toString());
    }

    @ParameterizedTest(name = "{0}: bytes written under v0 decode into the generated class")
    @MethodSource("cases")
    void olderBytesDecodeWithCurrentClass(Case c) throws IOException {
        Schema v0 = loadV0(c.name());
        GenericRecord old = new GenericData.Record(v0);
        c.fillV0().accept(old);
        byte[] bytes = encode(old);

        SpecificDatumReader<SpecificRecord> reader = new SpecificDatumReader<>(v0, c.current());
        var decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        SpecificRecord read = reader.read(null, decoder);
        assertTrue(decoder.isEnd(), "every byte of the v0 datum consumed");
        assertEquals(c.current().getFullName(), read.getSchema().getFullName());
        c.checkRead().accept(read);
    }

    @ParameterizedTest(name = "{0}: reported incompatible, and old bytes do not decode")
    @MethodSource("breakingChanges")
    void breakingChangeIsIncompatible(String change, Schema current, Schema broken) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(broken, current);
        assertEquals(SchemaCompatibilityType.INCOMPATIBLE, result.getType(), change);

        // and decoding data of the current schema with the broken one as reader really fails
        GenericRecord datum = sampleOf(current);
        byte[] bytes = encode(datum);
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(current, broken);
        assertThrows(AvroTypeException.class, () -> reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null)));
    }

    static Schema loadV0(String name) {
        try (InputStream in = BackwardCompatibilityTest.class.getResourceAsStream("/v0/" + name + ".avsc")) {
            if (in == null) {
                throw new IllegalStateException("missing test resource v0/" + name + ".avsc");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The current schema plus a new field without default: old data has nothing to fill it with. */
    static Schema withRequiredField(Schema current) {
        List<Schema.Field> fields = copyFields(current);
        fields.add(new Schema.Field("addedWithoutDefault", Schema.create(Schema.Type.STRING), "breaking"));
        return record(current, fields);
    }

    /** The current schema with its first field turned into a boolean (no default). */
    static Schema withFirstFieldRetyped(Schema current) {
        List<Schema.Field> fields = copyFields(current);
        Schema.Field first = fields.get(0);
        if (first.schema().getType() == Schema.Type.BOOLEAN) {
            throw new IllegalStateException("pick another retyping for " + current.getFullName());
        }
        fields.set(0, new Schema.Field(first.name(), Schema.create(Schema.Type.BOOLEAN), first.doc()));
        return record(current, fields);
    }

    private static List<Schema.Field> copyFields(Schema s) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : s.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        return fields;
    }

    private static Schema record(Schema like, List<Schema.Field> fields) {
        return Schema.createRecord(like.getName(), like.getDoc(), like.getNamespace(), false, fields);
    }

    /** A datum of any of our schemas with every field set to a simple value of its type. */
    static GenericRecord sampleOf(Schema schema) {
        GenericRecord r = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            r.put(f.pos(), sampleValue(f.schema()));
        }
        return r;
    }

    private static Object sampleValue(Schema s) {
        switch (s.getType()) {
            case STRING: return "x";
            case INT: return 1;
            case LONG: return 2L;
            case FLOAT: return 0.5f;
            case DOUBLE: return 0.25;
            case BOOLEAN: return true;
            case BYTES: return ByteBuffer.wrap(new byte[] {7});
            case ARRAY: return List.of(sampleValue(s.getElementType()));
            case MAP: return Map.of("k", sampleValue(s.getValueType()));
            case UNION: return sampleValue(s.getTypes().get(s.getTypes().size() - 1));
            case NULL: return null;
            default: throw new IllegalArgumentException("no sample for " + s);
        }
    }

    static byte[] encode(GenericRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
