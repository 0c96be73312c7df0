package io.alstream.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.alstream.connectors.Topics;
import io.alstream.connectors.corpus.BadInputCorpus;
import io.alstream.connectors.corpus.BadInputCorpus.Door;
import io.alstream.connectors.corpus.BadInputCorpus.RecordCase;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.flink.config.JobConfig;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.UnlabeledEvent;

/**
 * The whole bad-input corpus on the running job's three input topics at once (events, labels, its own label requests
 * read back), on a MiniCluster with real Kafka (topics taking 16 MiB records, so the 10 MiB kinds arrive) and the real
 * registry: every case is exactly one dead letter with its reason, the job is still RUNNING without a restart, and good
 * events sent after the corpus are still scored into label requests.
 */
class JobBadInputTest {
    private static final int DIM = 4;
    private static final int CLASSES = 3;

    @Test
    void theWholeCorpusIsDeadLetteredAndTheJobKeepsRunning(@TempDir Path tmp) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start();
             EmbeddedFlink flink = EmbeddedFlink.start(1, 1, tmp.resolve("checkpoints"))) {
            Map<String, String> big = Map.of("max.message.bytes", Integer.toString(16 * BadInputCorpus.MIB));
            kafka.createTopic(Topics.EVENTS, 1, big);
            kafka.createTopic(Topics.LABEL_REQUESTS, 1, big);
            kafka.createTopic(Topics.LABELS, 1, big);
            kafka.createTopic(Topics.MODEL_UPDATES, 1, Map.of());
            kafka.createTopic(Topics.DEAD_LETTER, 1, Map.of());

            Map<String, String> s = new TreeMap<>();
            s.put("kafka.bootstrap-servers", kafka.bootstrapServers());
            s.put("registry.url", registry.url());
            s.put("data.feature-dim", Integer.toString(DIM));
            s.put("data.num-classes", Integer.toString(CLASSES));
            s.put("job.checkpoint-interval-ms", "1000");
            s.put("job.batch-size", "4");
            s.put("job.batch-max-delay-ms", "100");
            s.put("learner.budget", "0.5");
            s.put("learner.warmup-labels", "5");
            s.put("learner.hidden-widths", "8");
            s.put("learner.reference-pool", "16");
            s.put("learner.posterior-samples", "4");
            JobConfig config = JobConfig.of(s);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            AlstreamJob job = AlstreamJob.onKafka(config);
            job.configure(env);
            job.build(env);
            JobID id = flink.submit(env, "alstream-bad-input");
            flink.awaitRunning(id, Duration.ofSeconds(120));

            SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
            Map<String, List<RecordCase>> byTopic = new TreeMap<>();
            byTopic.put(Topics.EVENTS, BadInputCorpus.records(Door.EVENTS, client, Topics.EVENTS, DIM, CLASSES, null));
            byTopic.put(Topics.LABELS, BadInputCorpus.records(Door.LABELS, client, Topics.LABELS, DIM, CLASSES, null));
            byTopic.put(Topics.LABEL_REQUESTS, BadInputCorpus.records(Door.JOB_REQUESTS, client, Topics.LABEL_REQUESTS, DIM, CLASSES, null));
            int total = byTopic.values().stream().mapToInt(List::size).sum();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 * BadInputCorpus.MIB));
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L * BadInputCorpus.MIB));
            AvroWireCodec<UnlabeledEvent> events = AvroWireCodec.specific(UnlabeledEvent.class, client);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (Map.Entry<String, List<RecordCase>> e : byTopic.entrySet()) {
                    for (RecordCase c : e.getValue()) {
                        producer.send(new ProducerRecord<>(e.getKey(), c.key(), c.value()));
                    }
                }
                // then good events: still scored after the corpus
                for (int i = 0; i < 40; i++) {
                    UnlabeledEvent ev = UnlabeledEvent.newBuilder().setId("good-" + i).setEventTime(Instant.now())
                            .setFeatures(List.of((float) i, 1f, -1f, 0.5f)).build();
                    producer.send(new ProducerRecord<>(Topics.EVENTS, ev.getId().getBytes(), events.encode(Topics.EVENTS, ev)));
                }
                producer.flush();
            }

            Map<String, List<String>> got = new HashMap<>();
            try (TopicReader<DeadLetter> dlq = new TopicReader<>(kafka.bootstrapServers(), Topics.DEAD_LETTER,
                    AvroWireCodec.specific(DeadLetter.class, client))) {
                long deadline = System.currentTimeMillis() + 180_000;
                while (dlq.all().size() < total && System.currentTimeMillis() < deadline) {
                    dlq.poll(500);
                }
                for (DeadLetter d : dlq.all()) {
                    String kind = BadInputCorpus.kindOf(d.getKey() == null ? null : bytes(d.getKey()));
                    got.computeIfAbsent(d.getSourceTopic() + "|" + kind, k -> new ArrayList<>()).add(d.getErrorClass());
                }
                Map<String, String> wrong = new TreeMap<>();
                for (Map.Entry<String, List<RecordCase>> e : byTopic.entrySet()) {
                    for (RecordCase c : e.getValue()) {
                        List<String> reasons = got.get(e.getKey() + "|" + c.kind());
                        if (reasons == null || reasons.size() != 1 || !reasons.get(0).equals(c.reason())) {
                            wrong.put(e.getKey() + "|" + c.kind(), "expected " + c.reason() + ", got " + reasons);
                        }
                    }
                }
                assertTrue(wrong.isEmpty(), "cases not dead-lettered once with their reason: " + wrong);
                assertEquals(total, dlq.all().size(), "one dead letter per case, no other");
            }
            // the requests topic holds the corpus's bad requests too: decode what decodes, look for a good event's
            AvroWireCodec<LabelRequest> requestCodec = AvroWireCodec.specific(LabelRequest.class, client);
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "bad-input-test");
            boolean scored = false;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.LABEL_REQUESTS));
                long deadline = System.currentTimeMillis() + 120_000;
                while (!scored && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        try {
                            scored |= requestCodec.decode(r.value()).getEventId().startsWith("good-");
                        } catch (RuntimeException notARequest) {
                            // one of the corpus's records
                        }
                    }
                }
            }
            assertTrue(scored, "good events after the corpus are scored into label requests");
            assertEquals(JobStatus.RUNNING, flink.status(id));
            assertEquals(0, flink.restarts(id), "no bad record made the job fail over");
            flink.cancel(id);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }
}
