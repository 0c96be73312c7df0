package io.alstream.connectors.broker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import io.alstream.connectors.broker.state.Json;
import io.alstream.connectors.broker.topology.BrokerCommand;
import io.alstream.connectors.broker.topology.BrokerHeaders;
import io.alstream.connectors.broker.topology.BrokerReply;
import io.alstream.connectors.broker.topology.LabelBrokerTopology;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The broker topology on a {@link TopologyTestDriver} with real Avro bytes, plus the moves a test
 * makes: send a request, lease as a worker, answer, release, move the wall clock.
 */
final class BrokerDriver implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final BrokerConfig config;
    final BrokerMetrics metrics = BrokerMetrics.inMemory();
    final TopologyTestDriver driver;
    private final TestInputTopic<String, LabelRequest> requests;
    private final TestInputTopic<String, LabelAnswer> answers;
    private final TestInputTopic<String, byte[]> rawAnswers;
    private final TestInputTopic<String, byte[]> rawRequests;
    private final TestInputTopic<String, String> commands;
    private final TestOutputTopic<String, ConsolidatedLabel> labels;
    private final TestOutputTopic<String, DeadLetter> deadLetters;
    private final TestOutputTopic<String, String> replies;
    private Instant now = T0;

    BrokerDriver(BrokerConfig config, Path stateDir) {
        this.config = config;
        BrokerSerdes serdes = AvroBinarySerde.brokerSerdes();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(LabelBrokerTopology.build(config, serdes, metrics), p, T0);
        var str = new StringSerializer();
        requests = driver.createInputTopic(config.requestsTopic(), str, serdes.requests().serializer());
        answers = driver.createInputTopic(config.answersTopic(), str, serdes.answers().serializer());
        rawAnswers = driver.createInputTopic(config.answersTopic(), str, new ByteArraySerializer());
        rawRequests = driver.createInputTopic(config.requestsTopic(), str, new ByteArraySerializer());
        commands = driver.createInputTopic(config.commandsTopic(), str, new StringSerializer());
        labels = driver.createOutputTopic(config.labelsTopic(), new StringDeserializer(), serdes.labels().deserializer());
        deadLetters = driver.createOutputTopic(config.deadLetterTopic(), new StringDeserializer(), serdes.deadLetters().deserializer());
        replies = driver.createOutputTopic(config.repliesTopic(), new StringDeserializer(), new StringDeserializer());
    }

    Instant now() {
        return now;
    }

    /** A 4-class request with features [i, i+1], created now, deadline in an hour, priority 0. */
    static LabelRequest.Builder request(String id) {
        return LabelRequest.newBuilder()
                .setRequestId(id)
                .setEventId("ev-" + id)
                .setFeatures(List.of(1.5f, -2.0f))
                .setStrategy("balent")
                .setScore(0.7)
                .setScores(Map.of("balent", 0.7, "entropy", 1.1))
                .setModelVersion(42L)
                .setCreatedAt(T0)
                .setDeadline(T0.plus(Duration.ofHours(1)))
                .setNumClasses(4)
                .setPayloadText("what is this?");
    }

    void send(LabelRequest r) {
        requests.pipeInput(r.getEventId(), r, now);
    }

    void sendRawRequest(byte[] value) {
        rawRequests.pipeInput("raw", value, now);
    }

    /**
     * Leases the next task for a worker and, as the HTTP API does once the task is handed over, confirms
     * the lease (so it runs in full). See {@link #leaseUndelivered} for a lease whose reply was lost.
     */
    BrokerReply lease(String worker) {
        BrokerReply r = leaseUndelivered(worker);
        if (BrokerReply.GRANTED.equals(r.outcome)) {
            confirm(worker, r.task.requestId);
        }
        return r;
    }

    /** Leases the next task, the reply never reaching the worker: no confirmation follows. */
    BrokerReply leaseUndelivered(String worker) {
        return command(BrokerCommand.lease(UUID.randomUUID().toString(), worker, now.toEpochMilli()));
    }

    /** What the HTTP API sends once it handed a leased task to its worker. */
    void confirm(String worker, String requestId) {
        sendCommand(BrokerCommand.confirm(UUID.randomUUID().toString(), worker, requestId, now.toEpochMilli()));
    }

    /** A command the topology does not reply to. */
    void sendCommand(BrokerCommand c) {
        commands.pipeInput(c.workerId, new String(Json.write(c), StandardCharsets.UTF_8), now);
    }

    String leaseId(String worker) {
        BrokerReply r = lease(worker);
        return BrokerReply.GRANTED.equals(r.outcome) ? r.task.requestId : null;
    }

    BrokerReply release(String worker, String requestId) {
        return command(BrokerCommand.release(UUID.randomUUID().toString(), worker, requestId, now.toEpochMilli()));
    }

    BrokerReply command(BrokerCommand c) {
        commands.pipeInput(c.workerId, new String(Json.write(c), StandardCharsets.UTF_8), now);
        List<BrokerReply> rs = replies();
        for (BrokerReply r : rs) {
            if (c.commandId.equals(r.correlationId)) {
                return r;
            }
        }
        throw new AssertionError("no reply to command " + c.commandId + " among " + rs.size());
    }

    void answer(String worker, String requestId, int label) {
        answer(worker, requestId, label, now);
    }

    void answer(String worker, String requestId, int label, Instant answeredAt) {
        answers.pipeInput(requestId, LabelAnswer.newBuilder().setRequestId(requestId).setEventId("ev-" + requestId)
                .setWorkerId(worker).setLabel(label).setAnsweredAt(answeredAt).build(), now);
    }

    void sendAnswer(LabelAnswer a) {
        answers.pipeInput(a.getRequestId(), a, now);
    }

    /** An answer with the correlation header the HTTP API sets; returns the topology's reply. */
    BrokerReply answerWithReply(String worker, String requestId, int label) {
        String correlation = UUID.randomUUID().toString();
        RecordHeaders h = new RecordHeaders();
        BrokerHeaders.putString(h, BrokerHeaders.CORRELATION, correlation);
        LabelAnswer a = LabelAnswer.newBuilder().setRequestId(requestId).setEventId("ev-" + requestId)
                .setWorkerId(worker).setLabel(label).setAnsweredAt(now).build();
        answers.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(requestId, a, h, now));
        for (BrokerReply r : replies()) {
            if (correlation.equals(r.correlationId)) {
                return r;
            }
        }
        throw new AssertionError("no reply to answer " + correlation);
    }

    void sendRawAnswer(String key, byte[] value) {
        rawAnswers.pipeInput(key, value, now);
    }

    /** Moves the wall clock (and the record time of what is sent next); punctuation runs. */
    void advance(Duration d) {
        now = now.plus(d);
        driver.advanceWallClockTime(d);
    }

    List<ConsolidatedLabel> labels() {
        return labels.readValuesToList();
    }

    List<DeadLetter> deadLetters() {
        return deadLetters.readValuesToList();
    }

    List<BrokerReply> replies() {
        List<BrokerReply> out = new ArrayList<>();
        for (String s : replies.readValuesToList()) {
            out.add(Json.read(s.getBytes(StandardCharsets.UTF_8), BrokerReply.class));
        }
        return out;
    }

    <V> KeyValueStore<String, V> store(String name) {
        return driver.getKeyValueStore(name);
    }

    @Override
    public void close() {
        driver.close();
    }
}
