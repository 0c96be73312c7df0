package io.alstream.bench.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.errors.WakeupException;

import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.local.kafka.CommittedTopicReader;
import io.alstream.schemas.ModelUpdate;

/**
 * Every committed ModelUpdate of a topic, in order, each once, read on a thread of its own (read_committed, no
 * consumer group whose position could fall back and read updates again: {@link CommittedTopicReader}).
 */
final class ModelUpdateLog implements AutoCloseable {
    private final CommittedTopicReader reader;
    private final AvroWireCodec<ModelUpdate> codec;
    private final List<ModelUpdate> updates = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    ModelUpdateLog(String bootstrap, String topic, AvroWireCodec<ModelUpdate> codec) {
        this.reader = new CommittedTopicReader(bootstrap, Map.of(), List.of(topic));
        this.codec = codec;
        this.thread = new Thread(this::run, "bench-model-updates");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop) {
                reader.poll(Duration.ofMillis(200), r -> {
                    ModelUpdate u = codec.decode(r.value());
                    synchronized (updates) {
                        updates.add(u);
                    }
                });
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            reader.close();
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
        reader.wakeup();
        thread.join(10_000);
    }
}
