package io.alstream.flink.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.alstream.connectors.corpus.BadInputCorpus;
import io.alstream.connectors.corpus.BadInputCorpus.Door;
import io.alstream.connectors.corpus.BadInputCorpus.RecordCase;
import io.alstream.connectors.registry.RegistryClientConfig;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.flink.io.RegistryCodecs;
import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.RawRecord;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.UnlabeledEvent;

/**
 * The bad-input corpus through the job's three validators (events, labels, request feedback), decoding through the real
 * registry: every case is dead-lettered once with its reason, nothing passes that should not, and a good record sent
 * after the whole corpus still passes (the function keeps serving).
 */
class ValidatorBadInputTest {
    private static final int DIM = 4;
    private static final int CLASSES = 3;
    private static EmbeddedKafka kafka;
    private static RegistryServer registry;
    private static SchemaRegistryClient client;
    private static RegistryCodecs codecs;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.builder().start();
        registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start();
        client = SchemaRegistryClient.builder(registry.url()).build();
        codecs = new RegistryCodecs(Map.of(RegistryClientConfig.URL, registry.url()), true);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void eventsDoor() throws Exception {
        String topic = "events-corpus";
        UnlabeledEvent good = UnlabeledEvent.newBuilder().setId("good").setEventTime(java.time.Instant.now())
                .setFeatures(List.of(1f, 2f, 3f, 4f)).build();
        run(new EventValidator(codecs.decoder(UnlabeledEvent.class), DIM), Door.EVENTS, topic,
                AvroWireCodec.specific(UnlabeledEvent.class, client).encode(topic, good));
    }

    @Test
    void labelsDoor() throws Exception {
        String topic = "labels-corpus";
        ConsolidatedLabel good = ConsolidatedLabel.newBuilder().setEventId("good").setLabel(CLASSES - 1).setConfidence(1.0)
                .setNumAnswers(3).setMethod("majority").setFeatures(List.of(1f, 2f, 3f, 4f)).setLabelledAt(java.time.Instant.now())
                .build();
        run(new LabelValidator(codecs.decoder(ConsolidatedLabel.class), DIM, CLASSES), Door.LABELS, topic,
                AvroWireCodec.specific(ConsolidatedLabel.class, client).encode(topic, good));
    }

    @Test
    void requestFeedbackDoor() throws Exception {
        String topic = "requests-corpus";
        java.time.Instant now = java.time.Instant.now();
        LabelRequest good = LabelRequest.newBuilder().setRequestId("req-good").setEventId("good").setFeatures(List.of(1f, 2f, 3f, 4f))
                .setStrategy("balent").setScore(0.5).setModelVersion(1L).setCreatedAt(now).setDeadline(now.plusSeconds(60))
                .setNumClasses(CLASSES).build();
        run(new PendingFeedback(codecs.decoder(LabelRequest.class), DIM), Door.JOB_REQUESTS, topic,
                AvroWireCodec.specific(LabelRequest.class, client).encode(topic, good));
    }

    private static <OUT> void run(ProcessFunction<RawRecord, OUT> validator, Door door, String topic, byte[] good) throws Exception {
        List<RecordCase> cases = BadInputCorpus.records(door, client, topic, DIM, CLASSES, null);
        assertTrue(cases.size() >= 20, "cases: " + cases.size());
        try (OneInputStreamOperatorTestHarness<RawRecord, OUT> h = ProcessFunctionTestHarnesses.forProcessFunction(validator)) {
            long offset = 0;
            for (RecordCase c : cases) {
                h.processElement(new StreamRecord<>(new RawRecord(topic, 0, offset++, 1L, c.key(), c.value()), 1L));
            }
            assertEquals(0, h.extractOutputValues().size(), "no corpus record passes");
            h.processElement(new StreamRecord<>(new RawRecord(topic, 0, offset, 1L, "good".getBytes(), good), 1L));
            assertEquals(1, h.extractOutputValues().size(), "a good record after the whole corpus still passes");

            Map<String, List<String>> got = new HashMap<>();
            int deadLetters = 0;
            for (StreamRecord<DeadLetterRecord> r : h.getSideOutput(DeadLetters.TAG)) {
                DeadLetterRecord d = r.getValue();
                deadLetters++;
                got.computeIfAbsent(BadInputCorpus.kindOf(d.key), k -> new ArrayList<>()).add(d.errorClass);
                assertTrue(d.value == null || d.value.length <= DeadLetterRecord.MAX_VALUE_BYTES, "dead letters keep at most 256 KiB");
                assertTrue(d.errorMessage.length() <= DeadLetterRecord.MAX_MESSAGE_CHARS + 200, d.errorMessage.length() + " chars");
            }
            Map<String, String> wrong = new TreeMap<>();
            for (RecordCase c : cases) {
                List<String> reasons = got.get(c.kind());
                if (reasons == null || reasons.size() != 1 || !reasons.get(0).equals(c.reason())) {
                    wrong.put(c.kind(), "expected " + c.reason() + ", got " + reasons);
                }
            }
            assertTrue(wrong.isEmpty(), door + ": cases not dead-lettered once with their reason: " + wrong);
            assertEquals(cases.size(), deadLetters, "one dead letter per case, nothing lost");
        }
    }
}
