package io.alstream.connectors.registry.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.alstream.connectors.registry.ErrorCodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's storage: one compacted, single-partition Kafka topic, read by every instance into its
 * {@link RegistryState} and written through Kafka transactions.
 *
 * <h2>Why ids stay unique across instances</h2>
 * All instances on one topic share one {@code transactional.id}. Kafka lets only the newest producer
 * of a transactional id commit: {@code initTransactions()} fences every older one and completes
 * (commits or aborts) whatever it had open. A write therefore goes: hold the producer (initialising it,
 * and so fencing any other instance's, when this instance does not hold it yet); read the topic up to
 * its last stable offset, so the view contains every committed write; compute the new records (next id =
 * highest id seen + 1) from that view; commit them in one transaction. If another instance took the
 * producer in between, this instance's commit fails ({@code ProducerFencedException}) and it starts
 * over on a fresh view. So a committed id was chosen on a view that no other commit can have changed:
 * the broker, not a clock or a lease timeout, guarantees a single writer. Ids are written into the
 * records, so a replay (restart, a new instance, after compaction) rebuilds exactly the same ids.
 *
 * <p>We chose this over Confluent's leader election because it needs no forwarding between instances,
 * no advertised URLs and no election timing: the instance that receives a write performs it. Under
 * contention instances steal the producer from each other; a random backoff after a fenced attempt
 * lets one of them finish. Writes are rare (registrations, config changes), reads never touch the producer.
 */
final class SchemaLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaLog.class);

    /** What a write wants to commit, and what to answer once it is visible. */
    record WritePlan<T>(List<ProducerRecord<byte[], byte[]>> records, T result) {
        static <T> WritePlan<T> nothing(T result) {
            return new WritePlan<>(List.of(), result);
        }
    }

    private final String bootstrapServers;
    private final String topic;
    private final TopicPartition partition;
    private final short replicationFactor;
    private final Map<String, String> kafkaProperties;
    private final String transactionalId;
    private final String instanceName;
    private final Duration timeout;
    private final RegistryState state;

    private final Object positionLock = new Object();
    private long position = -1;
    private volatile boolean running;
    private Thread readerThread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;

    SchemaLog(String bootstrapServers, String topic, short replicationFactor, Map<String, String> kafkaProperties,
              String instanceName, Duration timeout, RegistryState state) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.replicationFactor = replicationFactor;
        this.kafkaProperties = Map.copyOf(kafkaProperties);
        // shared by every instance on this topic: that is what makes the broker fence a second writer
        this.transactionalId = "alstream-registry-writer-" + topic;
        this.instanceName = instanceName;
        this.timeout = timeout;
        this.state = state;
    }

    /** Makes sure the topic exists as it must, then reads it to its end before returning. */
    void start() {
        long t0 = System.nanoTime();
        admin = Admin.create(adminProperties());
        ensureTopic();
        consumer = new KafkaConsumer<>(consumerProperties());
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        running = true;
        readerThread = new Thread(this::readLoop, "schema-log-reader-" + instanceName);
        readerThread.setDaemon(true);
        readerThread.start();
        long end = lastStableOffset();
        awaitPosition(end);
        LOG.info("schemas topic '{}' read to offset {}: {} records, {} schemas, max id {} ({} ms)", topic, end,
                state.recordsApplied(), state.schemaCount(), state.maxId(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void ensureTopic() {
        try {
            TopicDescription d;
            try {
                d = admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                d = null;
            }
            if (d == null) {
                createTopic();
                return;
            }
            if (d.partitions().size() != 1) {
                throw new IllegalStateException("schemas topic '" + topic + "' has " + d.partitions().size()
                        + " partitions; it must have exactly 1 (the order of its records defines the registry)");
            }
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = admin.describeConfigs(List.of(res)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(res);
            String policy = c.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (policy == null || !policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT) || policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                throw new IllegalStateException("schemas topic '" + topic + "' has cleanup.policy=" + policy
                        + "; it must be 'compact' or retention would delete registered schemas");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot inspect schemas topic '" + topic + "' at " + bootstrapServers + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void createTopic() throws InterruptedException, ExecutionException, TimeoutException {
        NewTopic t = new NewTopic(topic, 1, replicationFactor).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("created schemas topic '{}' (1 partition, replication factor {}, cleanup.policy=compact)", topic, replicationFactor);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            // another instance created it at the same moment: fine
        }
    }

    private void readLoop() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        state.apply(r.key(), r.value(), r.offset());
                    }
                    long p = consumer.position(partition, Duration.ofSeconds(5));
                    synchronized (positionLock) {
                        if (p != position) {
                            position = p;
                            positionLock.notifyAll();
                        }
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (KafkaException e) {
                    // the broker may be away for a while; keep the last view and try again
                    LOG.warn("reading schemas topic '{}' failed, retrying: {}", topic, e.toString());
                    pause(1000);
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    /** Blocks until this instance's view includes every record before {@code offset}. */
    /** Reads the topic up to its current end (what every instance has committed so far) before returning. */
    void catchUp() {
        awaitPosition(lastStableOffset());
    }

    void awaitPosition(long offset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (positionLock) {
            while (position < offset) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new RegistryError(500, ErrorCodes.OPERATION_TIMEOUT, "Operation timed out: the schemas topic '"
                            + topic + "' was read only to offset " + position + ", needed " + offset + " within " + timeout);
                }
                try {
                    positionLock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw RegistryError.storeError("interrupted while reading the schemas topic", e);
                }
            }
        }
    }

    /** End of the committed part of the topic: every record before it is committed or aborted. */
    long lastStableOffset() {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                try {
                    return admin.listOffsets(Map.of(partition, OffsetSpec.latest()),
                                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                            .partitionResult(partition).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
                } catch (ExecutionException e) {
                    // a topic created a moment ago may not have reached the broker's metadata cache yet
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                            || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw RegistryError.storeError("cannot read the end offset of '" + topic + "' at " + bootstrapServers + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.storeError("interrupted", e);
        }
    }

    /**
     * Runs {@code planner} on a view that contains every committed write, commits what it returns as the
     * only writer, and returns once this instance's own view shows it (read-your-write). A planner that
     * rejects the request throws {@link RegistryError}; that is passed on unchanged.
     */
    synchronized <T> T write(Function<RegistryState, WritePlan<T>> planner) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        for (int attempt = 1; ; attempt++) {
            try {
                ensureProducer();
                awaitPosition(lastStableOffset());
                WritePlan<T> plan = planner.apply(state);
                if (plan.records().isEmpty()) {
                    return plan.result();
                }
                producer.beginTransaction();
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (ProducerRecord<byte[], byte[]> r : plan.records()) {
                    sent.add(producer.send(r));
                }
                producer.commitTransaction();
                long lastOffset = -1;
                for (Future<RecordMetadata> f : sent) {
                    lastOffset = Math.max(lastOffset, f.get().offset());
                }
                awaitPosition(lastOffset + 1);
                if (attempt > 1) {
                    LOG.info("write to schemas topic '{}' committed on attempt {}", topic, attempt);
                }
                return plan.result();
            } catch (KafkaException | ExecutionException e) {
                last = e;
                discardProducer();
                // Most often another instance took the writer role (ProducerFencedException). Back off for a
                // random, growing time: long enough for the other instance to finish its write, and out of
                // step with it so the two do not keep fencing each other.
                long pauseMs = ThreadLocalRandom.current().nextLong(50L, 100L) << Math.min(attempt - 1, 5);
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs) > deadline) {
                    break;
                }
                LOG.info("write to schemas topic '{}' not committed (attempt {}): {}; retrying in {} ms on a fresh view",
                        topic, attempt, e.toString(), pauseMs);
                pause(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                discardProducer();
                throw RegistryError.storeError("interrupted while writing", e);
            }
        }
        throw RegistryError.storeError("could not commit to the schemas topic '" + topic + "' within " + timeout
                + ": " + last, last);
    }

    ProducerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        return new ProducerRecord<>(topic, 0, key, value);
    }

    private void ensureProducer() {
        if (producer != null) {
            return;
        }
        KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProperties());
        try {
            p.initTransactions();
        } catch (RuntimeException e) {
            p.close(Duration.ZERO);
            throw e;
        }
        producer = p;
        LOG.info("instance {} holds the writer role on '{}' (transactional id {}); other instances' writes are fenced until they take it back",
                instanceName, topic, transactionalId);
    }

    private void discardProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("closing the fenced producer: {}", e.toString());
            }
            producer = null;
        }
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (readerThread != null) {
            try {
                readerThread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(2));
                producer = null;
            }
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }

    private Properties common() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.putAll(kafkaProperties);
        return p;
    }

    private Properties adminProperties() {
        Properties p = common();
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "alstream-registry-admin-" + instanceName);
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        return p;
    }

    private Properties consumerProperties() {
        Properties p = common();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "alstream-registry-reader-" + instanceName);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // fetch as soon as anything is there: a waiting write is blocked on this reader
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        return p;
    }

    private Properties producerProperties() {
        Properties p = common();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "alstream-registry-writer-" + instanceName);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
