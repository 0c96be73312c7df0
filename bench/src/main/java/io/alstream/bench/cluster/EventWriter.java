package io.alstream.bench.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.local.cluster.TruthOracle;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.UnlabeledEvent;

/**
 * Writes the benchmark's input to Kafka: events (row {@code i mod n} of the data set under id {@code prefix-i}) as
 * a backlog written up front or at a steady rate, and labels preloaded for the retraining phase. Remembers when each
 * paced event was sent, for the latency figures.
 */
final class EventWriter implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroWireCodec<UnlabeledEvent> events;
    private final AvroWireCodec<ConsolidatedLabel> labels;
    private final LabelledDataset data;
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();

    EventWriter(String bootstrap, AvroWireCodec<UnlabeledEvent> events, AvroWireCodec<ConsolidatedLabel> labels,
                LabelledDataset data) {
        Properties p = TruthOracle.producerProperties(bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        this.producer = new KafkaProducer<>(p);
        this.events = events;
        this.labels = labels;
        this.data = data;
    }

    static String id(String prefix, int i) {
        return prefix + "-" + i;
    }

    int row(String id) {
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)) % data.size();
    }

    Integer truth(String id) {
        return data.labels()[row(id)];
    }

    float[] features(String id) {
        return data.features()[row(id)];
    }

    private void sendEvent(String topic, String id) {
        float[] x = data.features()[row(id)];
        List<Float> f = new ArrayList<>(x.length);
        for (float v : x) {
            f.add(v);
        }
        UnlabeledEvent e = UnlabeledEvent.newBuilder().setId(id).setEventTime(Instant.now()).setFeatures(f).build();
        producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), events.encode(topic, e)));
    }

    /** Writes {@code count} events as fast as Kafka takes them; returns when all are acknowledged. */
    void backlog(String topic, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            sendEvent(topic, id(prefix, i));
        }
        producer.flush();
    }

    /** Preloads {@code count} labels (rows from the end of the data set backwards, ids {@code prefix-i}). */
    void labels(String topic, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            String id = id(prefix, data.size() - 1 - (i % data.size()));
            String key = prefix + "-pre-" + i;
            ConsolidatedLabel l = TruthOracle.label(key, truth(id), features(id));
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), labels.encode(topic, l)));
        }
        producer.flush();
    }

    /**
     * Writes events at {@code perSecond} until {@code stopAt} (System.nanoTime), ids from {@code prefix-0}; returns
     * how many were sent. Each event's send time is kept ({@link #sentAt}).
     */
    int paced(String topic, String prefix, double perSecond, long stopAt) throws InterruptedException {
        long start = System.nanoTime();
        int sent = 0;
        while (System.nanoTime() < stopAt) {
            long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond);
            while (sent < due) {
                String id = id(prefix, sent);
                sentAt.put(id, System.currentTimeMillis());
                sendEvent(topic, id);
                sent++;
            }
            producer.flush();
            Thread.sleep(5);
        }
        return sent;
    }

    /** {@link #paced} on a daemon thread of its own; interrupt it to stop early. */
    Thread pacedInBackground(String topic, String prefix, double perSecond, long stopAt) {
        Thread t = new Thread(() -> {
            try {
                paced(topic, prefix, perSecond, stopAt);
            } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-events-" + prefix);
        t.setDaemon(true);
        t.start();
        return t;
    }

    Long sentAt(String id) {
        return sentAt.get(id);
    }

    @Override
    public void close() {
        producer.close();
    }
}
