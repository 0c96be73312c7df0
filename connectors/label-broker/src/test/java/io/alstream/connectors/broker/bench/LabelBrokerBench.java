package io.alstream.connectors.broker.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.BrokerMetrics;
import io.alstream.connectors.broker.BrokerSerdes;
import io.alstream.connectors.broker.LabelBroker;
import io.alstream.connectors.broker.aggregation.AggregationMethod;
import io.alstream.connectors.broker.api.TaskView;
import io.alstream.connectors.broker.client.WorkerClient;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.broker.topology.LabelBrokerTopology;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Throughput of the label broker, answers aggregated per second, each method against majority vote
 * as the baseline measured in the same process. Not a test; run with
 * {@code mvn -B -q -pl connectors/label-broker -am -Pbench -DskipTests verify} (see connectors/label-broker/pom.xml).
 *
 * <ol>
 *   <li><b>topology</b>: the topology alone on a TopologyTestDriver (no network, no transactions),
 *       in-memory stores, Avro bytes through the registry's wire-format serdes; answers straight on the
 *       answers topic.</li>
 *   <li><b>end-to-end</b>: a real broker (KafkaStreams, exactly-once, RocksDB) on the in-JVM Kafka,
 *       the answers already on the topic when it starts; answers/s until the last label is committed.</li>
 *   <li><b>HTTP</b>: one worker's lease + answer round trips through the API, for the latency a person sees.</li>
 * </ol>
 * Every run: requests of 4 classes, 3 answers each from 20 workers of accuracy 0.55…0.95, k = 3 and
 * no dynamic redundancy (maxAnswers = 3), so every method does the same work.
 */
public final class LabelBrokerBench {
    private static final int CLASSES = 4;
    private static final int WORKERS = 20;

    private LabelBrokerBench() {
    }

    public static void main(String[] args) throws Exception {
        int ttdRequests = Integer.getInteger("bench.ttd.requests", 1500);
        int e2eRequests = Integer.getInteger("bench.e2e.requests", 3000);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
             RegistryServer registry = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
            SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
            BrokerSerdes serdes = BrokerSerdes.avro(client);
            AggregationMethod[] methods = {AggregationMethod.MAJORITY, AggregationMethod.ONE_COIN_DS, AggregationMethod.DAWID_SKENE};

            System.out.println("== aggregation alone (posterior + online update, in memory), best of 5 rounds");
            double[] best = new double[methods.length];
            for (int round = 0; round < 6; round++) {
                for (int k = 0; k < methods.length; k++) {
                    int i = (k + round) % methods.length; // rotate, so no method always runs first
                    double r = aggregation(methods[i], 200_000);
                    if (round > 0) { // round 0 warms up
                        best[i] = Math.max(best[i], r);
                    }
                }
            }
            report(methods, best);

            System.out.println("== topology on TopologyTestDriver, " + ttdRequests + " requests x 3 answers, best of 3 rounds");
            best = new double[methods.length];
            for (int round = 0; round < 4; round++) {
                for (int k = 0; k < methods.length; k++) {
                    int i = (k + round) % methods.length;
                    double r = topology(serdes, methods[i], round == 0 ? ttdRequests / 3 : ttdRequests);
                    if (round > 0) {
                        best[i] = Math.max(best[i], r);
                    }
                }
            }
            report(methods, best);

            System.out.println("== end-to-end on Kafka (exactly-once, RocksDB), " + e2eRequests + " requests x 3 answers, best of 3 rounds");
            endToEnd(kafka, serdes, AggregationMethod.MAJORITY, e2eRequests / 4); // warm-up
            best = new double[methods.length];
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < methods.length; k++) {
                    int i = (k + round) % methods.length;
                    best[i] = Math.max(best[i], endToEnd(kafka, serdes, methods[i], e2eRequests));
                }
            }
            report(methods, best);

            System.out.println("== HTTP round trips, one worker, dawid-skene");
            for (long commitMs : new long[] {100, 30}) {
                double[] ms = http(kafka, serdes, commitMs, 60);
                System.out.printf(Locale.ROOT, "  commit.interval %3d ms: lease %.0f ms, answer %.0f ms (mean of %.0f)%n",
                        commitMs, ms[0], ms[1], ms[2]);
            }
        }
    }

    private static void report(AggregationMethod[] methods, double[] rate) {
        for (int i = 0; i < methods.length; i++) {
            System.out.printf(Locale.ROOT, "  %-12s %10.0f answers/s   x%.2f of majority%n", methods[i].id(), rate[i], rate[i] / rate[0]);
        }
    }

    /** The method's own cost: posterior of each item and the online update, on a map of worker models. */
    static double aggregation(AggregationMethod m, int items) {
        io.alstream.connectors.broker.aggregation.ModelPrior prior = io.alstream.connectors.broker.aggregation.ModelPrior.DEFAULT;
        var agg = io.alstream.connectors.broker.aggregation.Aggregator.of(m, prior);
        var learner = new io.alstream.connectors.broker.aggregation.ConfusionLearner(prior);
        var models = new io.alstream.connectors.broker.aggregation.InMemoryWorkerModels();
        List<LabelAnswer> as = answers("a", items, Instant.EPOCH, 7);
        long start = System.nanoTime();
        double sink = 0;
        for (int i = 0; i < items; i++) {
            List<io.alstream.connectors.broker.aggregation.Vote> votes = new ArrayList<>(3);
            for (int j = 0; j < 3; j++) {
                LabelAnswer a = as.get(3 * i + j);
                votes.add(new io.alstream.connectors.broker.aggregation.Vote(a.getWorkerId(), a.getLabel()));
            }
            double[] post = agg.posterior(CLASSES, votes, models);
            learner.learn(CLASSES, votes, post, models);
            sink += post[0];
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (Double.isNaN(sink)) {
            throw new IllegalStateException("NaN posterior");
        }
        return 3.0 * items / seconds;
    }

    private static List<LabelRequest> requests(String prefix, int n, Instant t0) {
        List<LabelRequest> rs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rs.add(LabelRequest.newBuilder().setRequestId(prefix + i).setEventId("ev-" + prefix + i)
                    .setFeatures(List.of(0.1f * i, 1f, 2f, 3f)).setStrategy("bench").setScore(1).setModelVersion(1L)
                    .setCreatedAt(t0.plusMillis(i)).setDeadline(t0.plus(Duration.ofDays(1))).setNumClasses(CLASSES).build());
        }
        return rs;
    }

    /** Three answers per request from distinct simulated workers, in request order. */
    private static List<LabelAnswer> answers(String prefix, int n, Instant at, long seed) {
        Random rng = new Random(seed);
        List<LabelAnswer> out = new ArrayList<>(3 * n);
        for (int i = 0; i < n; i++) {
            int truth = rng.nextInt(CLASSES);
            int first = rng.nextInt(WORKERS);
            for (int j = 0; j < 3; j++) {
                int w = (first + 7 * j) % WORKERS;
                double acc = 0.55 + 0.40 * w / (WORKERS - 1);
                int label = rng.nextDouble() < acc ? truth : (truth + 1 + rng.nextInt(CLASSES - 1)) % CLASSES;
                out.add(LabelAnswer.newBuilder().setRequestId(prefix + i).setEventId("ev-" + prefix + i)
                        .setWorkerId("w" + w).setLabel(label).setAnsweredAt(at).build());
            }
        }
        return out;
    }

    private static BrokerConfig.Builder config(AggregationMethod m, String app) {
        return BrokerConfig.builder().method(m).minAnswers(3).maxAnswers(3).applicationId(app);
    }

    static double topology(BrokerSerdes serdes, AggregationMethod m, int n) throws Exception {
        Path dir = Files.createTempDirectory("broker-bench-");
        String app = "bench-ttd-" + UUID.randomUUID().toString().substring(0, 8);
        BrokerConfig config = config(m, app).inMemoryStores(true).build();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        Instant t0 = Instant.now();
        try (TopologyTestDriver d = new TopologyTestDriver(LabelBrokerTopology.build(config, serdes, BrokerMetrics.inMemory()), p, t0)) {
            TestInputTopic<String, LabelRequest> req = d.createInputTopic(config.requestsTopic(), new StringSerializer(),
                    serdes.requests().serializer());
            TestInputTopic<String, LabelAnswer> ans = d.createInputTopic(config.answersTopic(), new StringSerializer(),
                    serdes.answers().serializer());
            TestOutputTopic<String, ConsolidatedLabel> labels = d.createOutputTopic(config.labelsTopic(), new StringDeserializer(),
                    serdes.labels().deserializer());
            for (LabelRequest r : requests("r", n, t0)) {
                req.pipeInput(r.getEventId(), r, t0);
            }
            List<LabelAnswer> as = answers("r", n, t0.plusSeconds(1), 42);
            long start = System.nanoTime();
            for (LabelAnswer a : as) {
                ans.pipeInput(a.getRequestId(), a, t0);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long out = labels.getQueueSize();
            if (out != n) {
                throw new IllegalStateException("expected " + n + " labels, got " + out);
            }
            return as.size() / seconds;
        }
    }

    static double endToEnd(EmbeddedKafka kafka, BrokerSerdes serdes, AggregationMethod m, int n) throws Exception {
        String s = UUID.randomUUID().toString().substring(0, 8);
        BrokerConfig config = config(m, "bench-e2e-" + s).requestsTopic("bench-req-" + s).answersTopic("bench-ans-" + s)
                .labelsTopic("bench-labels-" + s).deadLetterTopic("bench-dlq-" + s).build();
        Instant t0 = Instant.now();
        // the broker creates its topics; start it once to do so, then stop it and load the input
        try (LabelBroker b = LabelBroker.builder().bootstrapServers(kafka.bootstrapServers()).serdes(serdes).config(config)
                .tokens(WorkerTokens.derivedFrom("bench-secret-0123456789")).httpPort(0).start()) {
            b.config();
        }
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
            for (LabelRequest r : requests("r", n, t0)) {
                producer.send(new ProducerRecord<>(config.requestsTopic(), r.getEventId(),
                        serdes.requests().serializer().serialize(config.requestsTopic(), r)));
            }
            for (LabelAnswer a : answers("r", n, t0.plusSeconds(1), 42)) {
                producer.send(new ProducerRecord<>(config.answersTopic(), a.getRequestId(),
                        serdes.answers().serializer().serialize(config.answersTopic(), a)));
            }
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + s);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> labels = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            labels.subscribe(List.of(config.labelsTopic()));
            long firstLabel = -1;
            int seen = 0;
            try (LabelBroker b = LabelBroker.builder().bootstrapServers(kafka.bootstrapServers()).serdes(serdes).config(config)
                    .tokens(WorkerTokens.derivedFrom("bench-secret-0123456789")).httpPort(0).start()) {
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (seen < n && System.nanoTime() < deadline) {
                    int got = labels.poll(Duration.ofMillis(100)).count();
                    if (got > 0 && firstLabel < 0) {
                        firstLabel = System.nanoTime();
                    }
                    seen += got;
                }
                if (seen < n) {
                    throw new IllegalStateException("only " + seen + " of " + n + " labels; dead letters: "
                            + deadLetters(kafka, serdes, config.deadLetterTopic()));
                }
                // from the first label out (the broker is up and restored) to the last one committed
                double seconds = (System.nanoTime() - firstLabel) / 1e9;
                return 3.0 * n / seconds;
            }
        }
    }

    private static java.util.Map<String, Integer> deadLetters(EmbeddedKafka kafka, BrokerSerdes serdes, String topic) {
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-dlq-" + UUID.randomUUID());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        java.util.Map<String, Integer> reasons = new java.util.TreeMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            for (int i = 0; i < 20; i++) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    reasons.merge(serdes.deadLetters().deserializer().deserialize(topic, r.value()).getErrorClass(), 1, Integer::sum);
                }
            }
        }
        return reasons;
    }

    static double[] http(EmbeddedKafka kafka, BrokerSerdes serdes, long commitMs, int rounds) throws Exception {
        String s = UUID.randomUUID().toString().substring(0, 8);
        BrokerConfig config = config(AggregationMethod.DAWID_SKENE, "bench-http-" + s).minAnswers(1).maxAnswers(1)
                .requestsTopic("bench-hreq-" + s).answersTopic("bench-hans-" + s).labelsTopic("bench-hlabels-" + s)
                .deadLetterTopic("bench-hdlq-" + s).commitInterval(Duration.ofMillis(commitMs)).build();
        String secret = "bench-secret-0123456789";
        try (LabelBroker b = LabelBroker.builder().bootstrapServers(kafka.bootstrapServers()).serdes(serdes).config(config)
                .tokens(WorkerTokens.derivedFrom(secret)).httpPort(0).start()) {
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
                for (LabelRequest r : requests("h", rounds + 10, Instant.now())) {
                    producer.send(new ProducerRecord<>(config.requestsTopic(), r.getEventId(),
                            serdes.requests().serializer().serialize(config.requestsTopic(), r)));
                }
            }
            WorkerClient w = new WorkerClient(b.httpUri(), "w", WorkerTokens.derive(secret, "w"));
            long lease = 0;
            long answer = 0;
            int measured = 0;
            for (int i = 0; i < rounds; i++) {
                long a = System.nanoTime();
                TaskView t = w.next().orElse(null);
                if (t == null) {
                    Thread.sleep(100);
                    continue;
                }
                long bNs = System.nanoTime();
                w.submit(t.requestId, 0);
                long c = System.nanoTime();
                if (i >= 10) {
                    lease += bNs - a;
                    answer += c - bNs;
                    measured++;
                }
            }
            return new double[] {lease / 1e6 / measured, answer / 1e6 / measured, measured};
        }
    }
}
