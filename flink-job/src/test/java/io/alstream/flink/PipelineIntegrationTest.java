package io.alstream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.Topics;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.flink.config.JobConfig;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;
import io.alstream.schemas.UnlabeledEvent;

/**
 * The job on a real MiniCluster, reading and writing a real Kafka broker through a real registry: the
 * test plays the crowd (answers each label request from ground truth, some twice), kills a TaskManager
 * half way, and checks what came out, read_committed.
 */
class PipelineIntegrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineIntegrationTest.class);
    private static final double BUDGET = 0.1;

    @Test
    void learnsFromLabelsFoldsEachOnceAcrossARestartAndDeadLettersBadInput(@TempDir Path tmp) throws Exception {
        LabelledDataset.Split split = LabelledDataset.digits().scaled(16f).split(0.2, 7);
        LabelledDataset stream = split.stream();
        Path heldOut = tmp.resolve("held-out.csv");
        split.heldOut().writeCsv(heldOut);

        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start();
             EmbeddedFlink flink = EmbeddedFlink.start(2, 1, tmp.resolve("checkpoints"))) {
            kafka.createTopic(Topics.EVENTS, 2, Map.of());
            kafka.createTopic(Topics.LABEL_REQUESTS, 2, Map.of());
            kafka.createTopic(Topics.LABELS, 1, Map.of());
            kafka.createTopic(Topics.MODEL_UPDATES, 1, Map.of());
            kafka.createTopic(Topics.DEAD_LETTER, 1, Map.of());

            Map<String, String> s = new TreeMap<>();
            s.put("kafka.bootstrap-servers", kafka.bootstrapServers());
            s.put("registry.url", registry.url());
            s.put("data.feature-dim", "64");
            s.put("data.num-classes", "10");
            s.put("data.held-out-path", heldOut.toString());
            s.put("job.parallelism", "2");
            s.put("job.checkpoint-interval-ms", "1000");
            s.put("job.batch-size", "16");
            s.put("job.batch-max-delay-ms", "100");
            s.put("job.model-broadcast-interval-ms", "200");
            s.put("learner.budget", Double.toString(BUDGET));
            s.put("learner.warmup-labels", "40");
            s.put("learner.hidden-widths", "64");
            s.put("learner.train-epochs", "60");
            s.put("learner.reference-pool", "128");
            s.put("learner.posterior-samples", "8");
            JobConfig config = JobConfig.of(s);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            AlstreamJob job = AlstreamJob.onKafka(config);
            job.configure(env);
            job.build(env);
            JobID id = flink.submit(env, "alstream-it");
            flink.awaitRunning(id, java.time.Duration.ofSeconds(60));

            SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
            AvroWireCodec<UnlabeledEvent> events = AvroWireCodec.specific(UnlabeledEvent.class, client);
            AvroWireCodec<ConsolidatedLabel> labels = AvroWireCodec.specific(ConsolidatedLabel.class, client);

            Map<String, Integer> truth = new HashMap<>();
            Map<String, float[]> features = new HashMap<>();
            int n = stream.size();
            boolean killed = false;
            Set<String> answered = new HashSet<>();
            int duplicatesSent = 0;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(kafka));
                 TopicReader<LabelRequest> requests = new TopicReader<>(kafka.bootstrapServers(), Topics.LABEL_REQUESTS,
                         AvroWireCodec.specific(LabelRequest.class, client))) {
                for (int i = 0; i < n; i++) {
                    String eventId = "ev-" + i;
                    truth.put(eventId, stream.labels()[i]);
                    features.put(eventId, stream.features()[i]);
                    producer.send(new ProducerRecord<>(Topics.EVENTS, bytes(eventId),
                            events.encode(Topics.EVENTS, event(eventId, stream.features()[i]))));
                    if (i == 100) {
                        sendBadEvents(producer, events);
                    }
                    if (i % 50 == 49) {
                        producer.flush();
                        duplicatesSent += answer(requests.poll(50), answered, truth, features, producer, labels);
                        Thread.sleep(150); // a stream, not a burst: labels come back while events flow
                    }
                    if (!killed && i >= n / 2) {
                        // one slot per TaskManager at parallelism 2: each holds a share of every task, so the
                        // kill fails running tasks; a fresh TaskManager gives the restart its second slot
                        flink.killTaskManager(0);
                        flink.startTaskManager();
                        killed = true;
                    }
                }
                producer.flush();
                sendBadLabel(producer, labels);

                // answer until every request has its label and the trainer has folded them all
                long deadline = System.currentTimeMillis() + 180_000;
                try (TopicReader<ModelUpdate> updates = new TopicReader<>(kafka.bootstrapServers(), Topics.MODEL_UPDATES,
                        AvroWireCodec.specific(ModelUpdate.class, client))) {
                    while (System.currentTimeMillis() < deadline) {
                        duplicatesSent += answer(requests.poll(200), answered, truth, features, producer, labels);
                        updates.poll(200);
                        Set<String> folded = foldedIds(updates.all());
                        if (!answered.isEmpty() && folded.containsAll(answered) && requests.all().size() >= n * BUDGET * 0.9) {
                            break;
                        }
                    }
                    updates.poll(2000); // anything late, to catch a duplicate fold

                    List<LabelRequest> reqs = requests.all();
                    Map<String, Integer> byStrategy = new TreeMap<>();
                    reqs.forEach(r -> byStrategy.merge(r.getStrategy(), 1, Integer::sum));
                    LOG.info("{} events, {} requests {}, {} labels answered ({} sent twice), {} model updates",
                            n, reqs.size(), byStrategy, answered.size(), duplicatesSent, updates.all().size());

                    // requests: only for real event ids, each once (exactly-once sink across the restart), within budget
                    Set<String> requested = new HashSet<>();
                    for (LabelRequest r : reqs) {
                        assertTrue(truth.containsKey(r.getEventId()), "request for an unknown event " + r.getEventId());
                        assertTrue(requested.add(r.getEventId()), "two requests for " + r.getEventId());
                    }
                    double expected = n * BUDGET;
                    assertTrue(reqs.size() >= 0.9 * expected && reqs.size() <= 1.1 * expected,
                            "requests " + reqs.size() + " outside budget " + expected + " +-10%");

                    // every label folded exactly once, including those sent twice and across the restart
                    List<String> allFolded = new ArrayList<>();
                    updates.all().forEach(u -> allFolded.addAll(u.getFoldedEventIds()));
                    assertEquals(allFolded.size(), new HashSet<>(allFolded).size(), "a label was folded twice");
                    assertEquals(answered, new HashSet<>(allFolded), "folded labels differ from the labels sent");

                    // the model learned: versions rise and held-out accuracy after the labels beats the first warm model's
                    List<ModelUpdate> ups = updates.all();
                    for (int i = 1; i < ups.size(); i++) {
                        assertTrue(ups.get(i).getVersion() >= ups.get(i - 1).getVersion(), "model version went down");
                    }
                    assertTrue(ups.get(ups.size() - 1).getVersion() > ups.get(0).getVersion());
                    Double first = null;
                    Double last = null;
                    for (ModelUpdate u : ups) {
                        Double acc = u.getMetrics().get("heldout_accuracy");
                        if (acc != null) {
                            if (first == null) {
                                first = acc;
                            }
                            last = acc;
                        }
                    }
                    assertNotNull(first, "no held-out accuracy reported");
                    LOG.info("held-out accuracy: {} at warm-up, {} after {} labels", first, last, answered.size());
                    assertTrue(last > first, "held-out accuracy did not improve: " + first + " -> " + last);
                }
            }

            // bad input went to the dead-letter topic with its reason, and the job kept running
            try (TopicReader<DeadLetter> dlq = new TopicReader<>(kafka.bootstrapServers(), Topics.DEAD_LETTER,
                    AvroWireCodec.specific(DeadLetter.class, client))) {
                Set<String> reasons = new HashSet<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (dlq.all().size() < 7 && System.currentTimeMillis() < deadline) {
                    dlq.poll(500).forEach(d -> reasons.add(d.getErrorClass()));
                }
                assertEquals(Set.of("bad-magic-byte", "too-short", "unknown-schema-id", "wrong-dimension", "non-finite",
                        "undecodable", "unknown-label"), reasons);
                assertEquals(7, dlq.all().size(), "each bad record dead-lettered exactly once");
            }
            assertEquals(JobStatus.RUNNING, flink.status(id));
            assertTrue(killed);
            assertTrue(flink.restarts(id) >= 1, "the TaskManager kill did not restart the job");
            flink.cancel(id);
        }
    }

    private static UnlabeledEvent event(String id, float[] x) {
        List<Float> f = new ArrayList<>(x.length);
        for (float v : x) {
            f.add(v);
        }
        return UnlabeledEvent.newBuilder().setId(id).setEventTime(Instant.now()).setFeatures(f).build();
    }

    private static void sendBadEvents(KafkaProducer<byte[], byte[]> p, AvroWireCodec<UnlabeledEvent> codec) {
        p.send(new ProducerRecord<>(Topics.EVENTS, bytes("bad-1"), "not avro at all".getBytes()));
        p.send(new ProducerRecord<>(Topics.EVENTS, bytes("bad-2"), new byte[] {0, 1}));
        p.send(new ProducerRecord<>(Topics.EVENTS, bytes("bad-3"), new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 4, 6}));
        p.send(new ProducerRecord<>(Topics.EVENTS, bytes("bad-4"), codec.encode(Topics.EVENTS, event("bad-4", new float[3]))));
        float[] nan = new float[64];
        nan[5] = Float.NaN;
        p.send(new ProducerRecord<>(Topics.EVENTS, bytes("bad-5"), codec.encode(Topics.EVENTS, event("bad-5", nan))));
        // a forged length: a valid header and id, then an array claiming 2^30 floats (4 GB) in a few bytes
        byte[] good = codec.encode(Topics.EVENTS, event("bad-6", new float[0]));
        byte[] header = java.util.Arrays.copyOf(good, 5);
        java.io.ByteArrayOutputStream forged = new java.io.ByteArrayOutputStream();
        forged.writeBytes(header);
        forged.writeBytes(new byte[] {10, 'b', 'a', 'd', '-', '6'}); // id: zigzag length 5, then the bytes
        forged.writeBytes(new byte[] {2});                            // eventTime: 1
        forged.writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 8}); // block count 2^30 (zigzag)
        forged.writeBytes(new byte[] {0, 0, 0, 0});
        p.send(new ProducerRecord<>(Topics.EVENTS, bytes("bad-6"), forged.toByteArray()));
    }

    private static void sendBadLabel(KafkaProducer<byte[], byte[]> p, AvroWireCodec<ConsolidatedLabel> codec) {
        ConsolidatedLabel l = label("ev-0", 42, new float[64]);
        p.send(new ProducerRecord<>(Topics.LABELS, bytes("ev-0"), codec.encode(Topics.LABELS, l)));
        p.flush();
    }

    /** Answers fresh requests from ground truth; every 7th is sent twice. Returns how many were sent twice. */
    private static int answer(List<LabelRequest> fresh, Set<String> answered, Map<String, Integer> truth,
                              Map<String, float[]> features, KafkaProducer<byte[], byte[]> p,
                              AvroWireCodec<ConsolidatedLabel> codec) {
        int twice = 0;
        for (LabelRequest r : fresh) {
            String id = r.getEventId();
            if (!answered.add(id)) {
                continue;
            }
            byte[] value = codec.encode(Topics.LABELS, label(id, truth.get(id), features.get(id)));
            p.send(new ProducerRecord<>(Topics.LABELS, bytes(id), value));
            if (answered.size() % 7 == 0) {
                p.send(new ProducerRecord<>(Topics.LABELS, bytes(id), value));
                twice++;
            }
        }
        p.flush();
        return twice;
    }

    private static ConsolidatedLabel label(String id, int label, float[] x) {
        List<Float> f = new ArrayList<>(x.length);
        for (float v : x) {
            f.add(v);
        }
        return ConsolidatedLabel.newBuilder().setEventId(id).setRequestId("req-" + id).setLabel(label).setConfidence(1.0)
                .setNumAnswers(1).setMethod("oracle").setFeatures(f).setLabelledAt(Instant.now()).build();
    }

    private static Set<String> foldedIds(List<ModelUpdate> updates) {
        Set<String> s = new HashSet<>();
        updates.forEach(u -> s.addAll(u.getFoldedEventIds()));
        return s;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Properties producerProps(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return p;
    }
}
