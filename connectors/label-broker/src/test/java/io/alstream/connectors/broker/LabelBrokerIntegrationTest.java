package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.alstream.connectors.broker.aggregation.Vote;
import io.alstream.connectors.broker.api.WorkerStatsView;
import io.alstream.connectors.broker.client.SimulatedCrowd;
import io.alstream.connectors.broker.client.WorkerClient;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptance run of issue 4: 20 simulated workers (accuracy 0.55 … 0.95) label 2,000 requests
 * through the HTTP API of a broker on real Kafka with the registry's wire-format serdes; half way the
 * broker is stopped and a new one started on an empty state directory, so everything it knows comes
 * back from the changelogs. Then: every request labelled exactly once; Dawid–Skene at least as
 * accurate as majority vote on the same answers (and close to a batch EM refit on them); the
 * estimated worker accuracies within 0.1 of the true ones for workers with 50+ answers.
 */
class LabelBrokerIntegrationTest {
    private static final Logger LOG = LoggerFactory.getLogger(LabelBrokerIntegrationTest.class);
    private static final int REQUESTS = 2000;
    private static final int WORKERS = 20;
    private static final int CLASSES = 2;
    private static final double GOLD_SHARE = 0.05;
    private static final String SECRET = "integration-secret-0123456789";

    @TempDir
    Path dirs;

    @Test
    void twentyWorkersLabelTwoThousandRequestsAcrossABrokerRestart() throws Exception {
        // A Kafka and a registry of its own, gone when the test ends: the run writes thousands of
        // transactions and a dozen topics, which the module's other tests need not share.
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
            run(kafka.bootstrapServers(), BrokerSerdes.avro(SchemaRegistryClient.builder(registry.url()).build()));
        }
    }

    private void run(String bootstrap, BrokerSerdes serdes) throws Exception {
        BrokerConfig config = BrokerTestKafka.freshConfig("it")
                .minAnswers(3).maxAnswers(7).agreement(0.9)
                .leaseDuration(Duration.ofSeconds(4))
                // each lease waits for a commit: commit often, and let each worker run three sessions,
                // so 60 calls are in flight and the run fits in about a minute on two cores
                .commitInterval(Duration.ofMillis(30))
                .httpThreads(3 * WORKERS + 8)
                .build();

        // ground truth, gold on a share of the requests
        Random rng = new Random(20260101);
        Map<String, Integer> truth = new HashMap<>();
        Set<String> gold = new HashSet<>();
        List<LabelRequest> requests = new ArrayList<>();
        Instant t0 = Instant.now();
        for (int i = 0; i < REQUESTS; i++) {
            String id = String.format("req-%05d", i);
            int y = rng.nextInt(CLASSES);
            truth.put(id, y);
            boolean isGold = rng.nextDouble() < GOLD_SHARE;
            if (isGold) {
                gold.add(id);
            }
            requests.add(LabelRequest.newBuilder().setRequestId(id).setEventId("ev-" + id)
                    .setFeatures(List.of((float) i, (float) y)).setStrategy("random").setScore(0.0).setModelVersion(1L)
                    .setCreatedAt(t0.plusMillis(i)).setDeadline(t0.plus(Duration.ofHours(1)))
                    .setNumClasses(CLASSES).setGoldLabel(isGold ? y : null).build());
        }

        LabelBroker.Builder brokerBuilder = LabelBroker.builder()
                .bootstrapServers(bootstrap)
                .serdes(serdes)
                .config(config)
                .tokens(WorkerTokens.derivedFrom(SECRET))
                .stateDir(dirs.resolve("state-1"))
                .httpPort(0);
        LabelBroker broker = brokerBuilder.start();
        int port = broker.httpPort();
        BrokerTestKafka.produce(bootstrap, serdes, config.requestsTopic(), requests);

        double[] accuracy = new double[WORKERS];
        SimulatedCrowd.Builder crowdBuilder = SimulatedCrowd.builder()
                .baseUri(broker.httpUri())
                .truth(task -> truth.get(task.requestId))
                .seed(7)
                .abandonProbability(0.01)
                .releaseProbability(0.01)
                .idleWait(Duration.ofMillis(100))
                .sessionsPerWorker(3)
                .retryFor(Duration.ofSeconds(90));
        for (int w = 0; w < WORKERS; w++) {
            accuracy[w] = 0.55 + 0.40 * w / (WORKERS - 1);
            crowdBuilder.worker(worker(w), WorkerTokens.derive(SECRET, worker(w)), accuracy[w]);
        }

        LabelCollector labels = new LabelCollector(bootstrap, config.labelsTopic(), serdes);
        labels.start();
        long start = System.nanoTime();
        int labelledBeforeRestart;
        Map<String, SimulatedCrowd.Tally> tallies;
        try (SimulatedCrowd crowd = crowdBuilder.build().start()) {
            tallies = crowd.tallies();
            labels.awaitAtLeast(REQUESTS / 2, Duration.ofSeconds(120));
            // Restart: a new broker on an empty state directory, same port; the crowd keeps going and
            // rides the gap on its retries.
            broker.close();
            labelledBeforeRestart = labels.distinct();
            LOG.info("broker stopped after {} labels in {} ms", labelledBeforeRestart, (System.nanoTime() - start) / 1_000_000);
            broker = brokerBuilder.stateDir(dirs.resolve("state-2")).httpPort(port).start();
            labels.awaitAtLeast(REQUESTS, Duration.ofSeconds(150));
            LOG.info("all {} labelled in {} ms; crowd: {} answers accepted", REQUESTS, (System.nanoTime() - start) / 1_000_000,
                    crowd.acceptedAnswers());
        }
        try {
            // --- no request lost, none labelled twice
            Map<String, ConsolidatedLabel> byRequest = labels.awaitQuiet(Duration.ofSeconds(2));
            assertEquals(REQUESTS, byRequest.size(), "every request labelled");
            assertEquals(List.of(), labels.duplicates(), "no request labelled twice");
            assertTrue(labelledBeforeRestart > 0 && labelledBeforeRestart < REQUESTS, "the restart came mid-way");

            // --- the answers the broker accepted: all answers on the topic less the dead-lettered ones
            Set<String> rejectedAt = new HashSet<>();
            for (ConsumerRecord<String, byte[]> r : BrokerTestKafka.readAll(bootstrap, config.deadLetterTopic(), Duration.ofSeconds(20))) {
                DeadLetter dl = serdes.deadLetters().deserializer().deserialize(config.deadLetterTopic(), r.value());
                rejectedAt.add(dl.getPartition() + "@" + dl.getOffset());
            }
            Map<String, List<Vote>> accepted = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : BrokerTestKafka.readAll(bootstrap, config.answersTopic(), Duration.ofSeconds(30))) {
                if (rejectedAt.contains(r.partition() + "@" + r.offset())) {
                    continue;
                }
                LabelAnswer a = serdes.answers().deserializer().deserialize(config.answersTopic(), r.value());
                accepted.computeIfAbsent(a.getRequestId(), k -> new ArrayList<>()).add(new Vote(a.getWorkerId(), a.getLabel()));
            }

            // --- accuracy: Dawid–Skene's labels against majority vote (and a batch EM) on the same answers
            List<String> ids = new ArrayList<>();
            List<List<Vote>> items = new ArrayList<>();
            int dsCorrect = 0;
            double mvCorrect = 0;
            for (Map.Entry<String, ConsolidatedLabel> e : byRequest.entrySet()) {
                String id = e.getKey();
                ConsolidatedLabel l = e.getValue();
                List<Vote> votes = accepted.getOrDefault(id, List.of());
                assertEquals(votes.size(), l.getNumAnswers(), id + ": each accepted answer folded exactly once");
                assertNotNull(l.getLabel(), id + " labelled");
                assertEquals(List.of((float) Integer.parseInt(id.substring(4)), (float) (int) truth.get(id)), l.getFeatures());
                if (gold.contains(id)) {
                    assertEquals("gold", l.getMethod());
                    continue;
                }
                assertEquals("dawid-skene", l.getMethod());
                ids.add(id);
                items.add(votes);
                if (l.getLabel().equals(truth.get(id))) {
                    dsCorrect++;
                }
                mvCorrect += majorityCorrect(votes, truth.get(id));
            }
            int n = ids.size();
            var batch = new io.alstream.connectors.broker.aggregation.BatchDawidSkene(CLASSES, items, 1.0, 200);
            int batchCorrect = 0;
            for (int i = 0; i < n; i++) {
                if (batch.label(i) == truth.get(ids.get(i))) {
                    batchCorrect++;
                }
            }
            double ds = dsCorrect / (double) n;
            double mv = mvCorrect / n;
            double batchAcc = batchCorrect / (double) n;
            LOG.info("accuracy on {} non-gold items: online dawid-skene {}, majority vote {}, batch EM {}", n, ds, mv, batchAcc);
            assertTrue(ds >= mv, "Dawid–Skene " + ds + " must be at least majority vote's " + mv);
            assertTrue(Math.abs(ds - batchAcc) <= 0.02, "online " + ds + " vs batch EM " + batchAcc);

            // --- worker accuracies, as the stats endpoint reports them after the restart
            long acceptedTotal = accepted.values().stream().mapToLong(List::size).sum();
            long statsTotal = 0;
            StringBuilder report = new StringBuilder();
            for (int w = 0; w < WORKERS; w++) {
                WorkerStatsView s = new WorkerClient(broker.httpUri(), worker(w), WorkerTokens.derive(SECRET, worker(w))).stats();
                statsTotal += s.answersAccepted;
                WorkerStatsView.ModelView m = s.models.get(Integer.toString(CLASSES));
                assertNotNull(m, worker(w) + " has a model");
                double err = Math.abs(m.estimatedAccuracy - accuracy[w]);
                report.append(String.format("%n  %s true %.3f empirical %.3f estimated %.3f (batch EM %.3f) answers %d",
                        worker(w), accuracy[w], tallies.get(worker(w)).empiricalAccuracy(), m.estimatedAccuracy,
                        batch.accuracy(worker(w)), s.answersAccepted));
                if (s.answersAccepted >= 50) {
                    assertTrue(err <= 0.1, worker(w) + ": estimated " + m.estimatedAccuracy + ", true " + accuracy[w]);
                }
            }
            LOG.info("worker accuracies:{}", report);
            assertEquals(acceptedTotal, statsTotal, "the restored stats count every accepted answer once");
        } finally {
            labels.close();
            broker.close();
        }
    }

    private static String worker(int w) {
        return String.format("w%02d", w);
    }

    /** Expected correctness of majority vote with ties broken at random. */
    static double majorityCorrect(List<Vote> votes, int truth) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (Vote v : votes) {
            counts.merge(v.label(), 1, Integer::sum);
        }
        int top = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        long tied = counts.values().stream().filter(c -> c == top).count();
        return counts.getOrDefault(truth, 0) == top ? 1.0 / tied : 0.0;
    }

    /** Reads the labels topic (read_committed) in the background. */
    private static final class LabelCollector implements AutoCloseable {
        private final String bootstrap;
        private final String topic;
        private final BrokerSerdes serdes;
        private final Map<String, ConsolidatedLabel> byRequest = new ConcurrentHashMap<>();
        private final List<String> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger records = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        LabelCollector(String bootstrap, String topic, BrokerSerdes serdes) {
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.serdes = serdes;
        }

        void start() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            thread = new Thread(() -> {
                try (c) {
                    while (running.get()) {
                        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                            ConsolidatedLabel l = serdes.labels().deserializer().deserialize(topic, r.value());
                            records.incrementAndGet();
                            if (byRequest.putIfAbsent(l.getRequestId(), l) != null) {
                                duplicates.add(l.getRequestId());
                            }
                        }
                    }
                }
            }, "label-collector");
            thread.setDaemon(true);
            thread.start();
        }

        int distinct() {
            return byRequest.size();
        }

        List<String> duplicates() {
            return List.copyOf(duplicates);
        }

        void awaitAtLeast(int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (byRequest.size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + byRequest.size() + " of " + n + " labels within " + timeout);
                }
                Thread.sleep(100);
            }
        }

        /** Waits until no new label has come for {@code quiet}, so a late duplicate would be seen. */
        Map<String, ConsolidatedLabel> awaitQuiet(Duration quiet) throws InterruptedException {
            int last = -1;
            while (records.get() != last) {
                last = records.get();
                Thread.sleep(quiet.toMillis());
            }
            return new HashMap<>(byRequest);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5000);
        }
    }
}
