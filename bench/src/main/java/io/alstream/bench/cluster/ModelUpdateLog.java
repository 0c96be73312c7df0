package io.alstream.bench.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.local.cluster.TruthOracle;
import io.alstream.schemas.ModelUpdate;

/** Every committed ModelUpdate of a topic, in order, read on a thread of its own (read_committed). */
final class ModelUpdateLog implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroWireCodec<ModelUpdate> codec;
    private final List<ModelUpdate> updates = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    ModelUpdateLog(String bootstrap, String topic, AvroWireCodec<ModelUpdate> codec) {
        this.consumer = new KafkaConsumer<>(TruthOracle.committedReaderProperties(bootstrap, "bench-updates"));
        this.codec = codec;
        consumer.subscribe(List.of(topic));
        this.thread = new Thread(this::run, "bench-model-updates");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    ModelUpdate u = codec.decode(r.value());
                    synchronized (updates) {
                        updates.add(u);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    List<ModelUpdate> updates() {
        synchronized (updates) {
            return new ArrayList<>(updates);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
