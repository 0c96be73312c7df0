package io.alstream.local.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.LabelRequest;

/**
 * A crowd that is always right and never slow, talking to Kafka directly (no label broker): it reads the job's
 * label requests (read_committed, as the broker does) and answers each at once with the true label as a
 * ConsolidatedLabel. For measuring the job itself: the label broker and its crowd have benchmarks of their own.
 * It records, per request, when the request was written (its record timestamp), when it became visible here, and
 * when the label went out, so event→request and label→model latencies can be computed.
 */
public final class TruthOracle implements Runnable, AutoCloseable {
    /** One label request as the oracle saw it; times in epoch ms. */
    public record Seen(String eventId, long modelVersion, String strategy, long writtenAt, long visibleAt, long labelSentAt) {
    }

    private final String requestsTopic;
    private final String labelsTopic;
    private final Function<String, Integer> truth;
    private final Function<String, float[]> features;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroWireCodec<LabelRequest> requests;
    private final AvroWireCodec<ConsolidatedLabel> labels;
    private final Set<String> answered = new HashSet<>();
    private final List<Seen> seen = new ArrayList<>();
    private volatile boolean stop;
    private Thread thread;
    private volatile Exception failure;

    /**
     * @param truth    the true label of an event id (null: the oracle does not know it and skips the request)
     * @param features the features of an event id, sent with the label as the broker would
     */
    public TruthOracle(String bootstrap, SchemaRegistryClient registry, String requestsTopic, String labelsTopic,
                       Function<String, Integer> truth, Function<String, float[]> features) {
        this.requestsTopic = requestsTopic;
        this.labelsTopic = labelsTopic;
        this.truth = truth;
        this.features = features;
        this.consumer = new KafkaConsumer<>(committedReaderProperties(bootstrap, "truth-oracle"));
        this.producer = new KafkaProducer<>(producerProperties(bootstrap));
        this.requests = AvroWireCodec.specific(LabelRequest.class, registry);
        this.labels = AvroWireCodec.specific(ConsolidatedLabel.class, registry);
    }

    /**
     * A consumer of raw bytes that reads a topic from its start, committed records only (what a downstream service
     * of the exactly-once job sees), in a group of its own.
     */
    public static Properties committedReaderProperties(String bootstrap, String groupPrefix) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + "-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }

    /** An idempotent producer of raw bytes (wire-format values) for the benchmark and tests. */
    public static Properties producerProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }

    /** The label an oracle (or a broker) sends for an event. */
    public static ConsolidatedLabel label(String eventId, int label, float[] x) {
        List<Float> f = new ArrayList<>(x.length);
        for (float v : x) {
            f.add(v);
        }
        return ConsolidatedLabel.newBuilder().setEventId(eventId).setRequestId("req-" + eventId).setLabel(label)
                .setConfidence(1.0).setNumAnswers(1).setMethod("oracle").setFeatures(f).setLabelledAt(Instant.now()).build();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(requestsTopic));
            while (!stop) {
                boolean sent = false;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long visible = System.currentTimeMillis();
                    LabelRequest req = requests.decode(r.value());
                    String id = req.getEventId();
                    Integer y = truth.apply(id);
                    if (y == null || !markAnswered(id)) {
                        continue;
                    }
                    producer.send(new ProducerRecord<>(labelsTopic, id.getBytes(StandardCharsets.UTF_8),
                            labels.encode(labelsTopic, label(id, y, features.apply(id)))));
                    sent = true;
                    record(new Seen(id, req.getModelVersion(), req.getStrategy(), r.timestamp(), visible, System.currentTimeMillis()));
                }
                if (sent) {
                    producer.flush();
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (Exception e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private synchronized boolean markAnswered(String id) {
        return answered.add(id);
    }

    private synchronized void record(Seen s) {
        seen.add(s);
    }

    /** Every request answered so far, in the order seen. */
    public synchronized List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    public synchronized int answered() {
        return answered.size();
    }

    public Exception failure() {
        return failure;
    }

    /** Starts the oracle on a daemon thread. */
    public TruthOracle start() {
        thread = new Thread(this, "truth-oracle");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    @Override
    public void close() {
        stop = true;
        consumer.wakeup();
        if (thread == null) {
            consumer.close(Duration.ofSeconds(5));
        }
        try {
            if (thread != null) {
                thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
