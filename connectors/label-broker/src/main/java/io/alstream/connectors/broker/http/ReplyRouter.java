package io.alstream.connectors.broker.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.alstream.connectors.broker.state.Json;
import io.alstream.connectors.broker.topology.BrokerReply;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the topology's replies to the HTTP requests waiting for them. Reads the replies topic
 * read_committed, so a worker is told "you hold this task" only once the lease is committed
 * together with the state change that records it. Starts at the end of the topic: replies to
 * requests made before this instance started have nobody waiting.
 */
final class ReplyRouter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyRouter.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, CompletableFuture<BrokerReply>> waiting = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    ReplyRouter(String bootstrapServers, String topic, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "label-broker-replies");
        p.putAll(overrides);
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .collect(Collectors.toList());
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        for (TopicPartition tp : partitions) {
            consumer.position(tp, Duration.ofSeconds(30)); // resolve the seek now, before any command is sent
        }
        thread = new Thread(this::run, "label-broker-replies");
        thread.setDaemon(true);
        thread.start();
    }

    /** Register before sending what will be replied to, so a fast reply is not missed. */
    CompletableFuture<BrokerReply> expect(String correlationId) {
        CompletableFuture<BrokerReply> f = new CompletableFuture<>();
        waiting.put(correlationId, f);
        return f;
    }

    void forget(String correlationId) {
        waiting.remove(correlationId);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null || r.value() == null) {
                        continue;
                    }
                    CompletableFuture<BrokerReply> f = waiting.remove(r.key());
                    if (f != null) {
                        try {
                            f.complete(Json.read(r.value(), BrokerReply.class));
                        } catch (RuntimeException e) {
                            f.completeExceptionally(e);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("the reply reader stopped: {}", e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            for (CompletableFuture<BrokerReply> f : waiting.values()) {
                f.cancel(false);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
