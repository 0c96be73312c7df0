package io.alstream.local.demo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.schemas.UnlabeledEvent;

/**
 * Streams a labelled data set's features as UnlabeledEvents (wire format, through the registry) at a
 * steady rate, ids {@code <prefix>-<row>}; the labels stay with the simulated crowd. Optionally mixes
 * in malformed records of every kind the job dead-letters, so the demo shows them land there.
 */
public final class EventReplayer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(EventReplayer.class);

    private final String bootstrap;
    private final String topic;
    private final LabelledDataset data;
    private final String idPrefix;
    private final double eventsPerSecond;
    private final int badRecords;
    private final AvroWireCodec<UnlabeledEvent> codec;
    private final AtomicInteger produced = new AtomicInteger();
    private final AtomicInteger badProduced = new AtomicInteger();
    private volatile boolean done;
    private volatile long startedAt;
    private volatile long finishedAt;
    private volatile boolean stop;
    private volatile Exception failure;
    private volatile Map<String, String> clientSettings = Map.of();

    public EventReplayer(String bootstrap, SchemaRegistryClient registry, String topic, LabelledDataset data,
                         String idPrefix, double eventsPerSecond, int badRecords) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.data = data;
        this.idPrefix = idPrefix;
        this.eventsPerSecond = eventsPerSecond;
        this.badRecords = badRecords;
        this.codec = AvroWireCodec.specific(UnlabeledEvent.class, registry);
    }

    /** Further producer settings (security and the like); call before {@link #run()}. */
    public EventReplayer clientSettings(Map<String, String> settings) {
        this.clientSettings = Map.copyOf(settings);
        return this;
    }

    /** Event id of row {@code i}. */
    public String id(int i) {
        return idPrefix + "-" + i;
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.putAll(clientSettings);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        List<byte[][]> bad = badRecords(badRecords);
        int badEvery = badRecords == 0 ? Integer.MAX_VALUE : Math.max(1, data.size() / (badRecords + 1));
        long t0 = System.nanoTime();
        startedAt = t0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < data.size() && !stop; i++) {
                String id = id(i);
                producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                        codec.encode(topic, event(id, data.features()[i], Map.of("row", Integer.toString(i))))));
                produced.incrementAndGet();
                if ((i + 1) % badEvery == 0 && badProduced.get() < bad.size()) {
                    byte[][] kv = bad.get(badProduced.get());
                    producer.send(new ProducerRecord<>(topic, kv[0], kv[1]));
                    badProduced.incrementAndGet();
                }
                // pace: event i is due at t0 + i / rate
                long due = t0 + (long) ((i + 1) * 1e9 / eventsPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure = e;
            LOG.error("event replay failed after {} events", produced.get(), e);
        } finally {
            finishedAt = System.nanoTime();
            done = true;
        }
    }

    /** One malformed record of each kind, cycling: key, value. */
    private List<byte[][]> badRecords(int n) {
        List<byte[][]> kinds = new ArrayList<>();
        kinds.add(kv("bad-not-avro", "this is not Avro".getBytes(StandardCharsets.UTF_8)));
        kinds.add(kv("bad-truncated", new byte[] {0, 0, 0}));
        kinds.add(kv("bad-unknown-schema", new byte[] {0, 0x12, 0x34, 0x56, 0x78, 2, 4}));
        kinds.add(kv("bad-dimension", codec.encode(topic, event("bad-dimension", new float[3], Map.of()))));
        float[] nan = new float[data.featureDim()];
        nan[0] = Float.NaN;
        kinds.add(kv("bad-nan", codec.encode(topic, event("bad-nan", nan, Map.of()))));
        List<byte[][]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(kinds.get(i % kinds.size()));
        }
        return out;
    }

    private static byte[][] kv(String key, byte[] value) {
        return new byte[][] {key.getBytes(StandardCharsets.UTF_8), value};
    }

    static UnlabeledEvent event(String id, float[] x, Map<String, String> attributes) {
        List<Float> f = new ArrayList<>(x.length);
        for (float v : x) {
            f.add(v);
        }
        return UnlabeledEvent.newBuilder().setId(id).setEventTime(Instant.now()).setFeatures(f)
                .setAttributes(attributes).build();
    }

    public int produced() {
        return produced.get();
    }

    public int badProduced() {
        return badProduced.get();
    }

    public boolean done() {
        return done;
    }

    /** Seconds the replay took (so far, while running). */
    public double seconds() {
        long end = done ? finishedAt : System.nanoTime();
        return startedAt == 0 ? 0 : (end - startedAt) / 1e9;
    }

    public Exception failure() {
        return failure;
    }

    public void stop() {
        stop = true;
    }
}
