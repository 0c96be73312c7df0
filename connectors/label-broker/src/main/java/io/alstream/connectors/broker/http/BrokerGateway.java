package io.alstream.connectors.broker.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.BrokerMetrics;
import io.alstream.connectors.broker.BrokerSerdes;
import io.alstream.connectors.broker.aggregation.Aggregator;
import io.alstream.connectors.broker.aggregation.ClassPrior;
import io.alstream.connectors.broker.aggregation.WorkerModel;
import io.alstream.connectors.broker.api.AnswerResult;
import io.alstream.connectors.broker.api.TaskView;
import io.alstream.connectors.broker.api.WorkerStatsView;
import io.alstream.connectors.broker.state.AnswerRules;
import io.alstream.connectors.broker.state.Json;
import io.alstream.connectors.broker.state.RejectReason;
import io.alstream.connectors.broker.state.Rejection;
import io.alstream.connectors.broker.state.RequestState;
import io.alstream.connectors.broker.state.WorkerStats;
import io.alstream.connectors.broker.topology.BrokerCommand;
import io.alstream.connectors.broker.topology.BrokerHeaders;
import io.alstream.connectors.broker.topology.BrokerReply;
import io.alstream.connectors.broker.topology.BrokerStores;
import io.alstream.schemas.LabelAnswer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What the worker API does, apart from HTTP. Reads go to the broker's state stores (interactive
 * queries on this instance); writes go through Kafka — commands to the commands topic, answers to
 * the answers topic — and the topology's reply is awaited, so every change lives in the changelogs
 * and a restarted broker knows it.
 */
final class BrokerGateway implements AutoCloseable {
    private final KafkaStreams streams;
    private final BrokerConfig config;
    private final BrokerSerdes serdes;
    private final BrokerMetrics metrics;
    private final KafkaProducer<String, byte[]> producer;
    private final ReplyRouter replies;
    private final AnswerRules rules;
    private final Aggregator aggregator;

    BrokerGateway(KafkaStreams streams, BrokerConfig config, BrokerSerdes serdes, BrokerMetrics metrics,
                  String bootstrapServers, Map<String, Object> clientOverrides) {
        this.streams = streams;
        this.config = config;
        this.serdes = serdes;
        this.metrics = metrics;
        this.rules = new AnswerRules(config.acceptUnleasedHttpAnswers());
        this.aggregator = Aggregator.of(config.method(), config.workerPrior());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // a worker is waiting on each record
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "label-broker-http");
        // A worker is waiting: while Kafka is unreachable a send gives up after the command timeout (the call
        // gets 503 unavailable, nothing recorded) instead of blocking its thread for a minute on metadata.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(config.commandTimeout().toMillis()));
        p.putAll(clientOverrides);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.replies = new ReplyRouter(bootstrapServers, config.repliesTopic(), clientOverrides);
    }

    /** Leases the next task for the worker; null when there is none for it now. */
    TaskView next(String workerId) {
        BrokerCommand cmd = BrokerCommand.lease(UUID.randomUUID().toString(), workerId, System.currentTimeMillis());
        BrokerReply reply = send(cmd);
        return switch (reply.outcome) {
            case BrokerReply.GRANTED -> reply.task;
            case BrokerReply.EMPTY -> null;
            default -> throw failure(reply);
        };
    }

    /**
     * The leased task reached its worker: the topology turns the short delivery lease into the full
     * one. Not waited for; if it is lost the worker's lease ends early and the task goes to another.
     */
    void confirm(String workerId, String requestId) {
        BrokerCommand cmd = BrokerCommand.confirm(UUID.randomUUID().toString(), workerId, requestId, System.currentTimeMillis());
        producer.send(new ProducerRecord<>(config.commandsTopic(), cmd.workerId, Json.write(cmd)));
    }

    void release(String workerId, String requestId) {
        BrokerCommand cmd = BrokerCommand.release(UUID.randomUUID().toString(), workerId, requestId, System.currentTimeMillis());
        BrokerReply reply = send(cmd);
        if (!BrokerReply.RELEASED.equals(reply.outcome)) {
            throw failure(reply);
        }
    }

    /**
     * Checks the answer against the current state (so most bad answers are refused at once and never
     * written), writes it to the answers topic, and waits for the topology's verdict — the one that
     * counts, since it also sees answers that raced this one.
     */
    AnswerResult submit(String workerId, String requestId, int label, Double confidence) {
        requireRunning();
        long now = System.currentTimeMillis();
        RequestState state = read(BrokerStores.REQUEST_STATE, requestId);
        Rejection rejection = rules.check(state, workerId, null, label, now);
        if (rejection != null) {
            metrics.answer("rejected", rejection.reason().code());
            // never written to the answers topic, so the topology would not count it: tell it to
            BrokerCommand note = BrokerCommand.rejected(UUID.randomUUID().toString(), workerId, requestId,
                    rejection.reason().code(), now);
            producer.send(new ProducerRecord<>(config.commandsTopic(), workerId, Json.write(note)));
            throw new ApiException(rejection.reason().httpStatus(), rejection.message(), rejection.reason().code());
        }
        LabelAnswer answer = LabelAnswer.newBuilder()
                .setRequestId(requestId)
                .setEventId(state.eventId())
                .setWorkerId(workerId)
                .setSource("worker-api")
                .setLabel(label)
                .setConfidence(confidence)
                .setAnsweredAt(Instant.ofEpochMilli(now))
                .build();
        String correlation = UUID.randomUUID().toString();
        RecordHeaders headers = new RecordHeaders();
        BrokerHeaders.putString(headers, BrokerHeaders.CORRELATION, correlation);
        byte[] value = serdes.answers().serializer().serialize(config.answersTopic(), headers, answer);
        CompletableFuture<BrokerReply> pending = replies.expect(correlation);
        java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> written =
                producer.send(new ProducerRecord<>(config.answersTopic(), null, requestId, value, headers), failTo(pending));
        AnswerResult result = new AnswerResult();
        result.requestId = requestId;
        BrokerReply reply = await(pending, correlation);
        if (reply == null) {
            if (!isWritten(written)) {
                // Kafka has not acknowledged the answer: it may not survive, so it is not acknowledged either.
                // Sending it again is safe: if the first copy did arrive, the second is refused as duplicate-answer.
                throw new ApiException(503, "the answer could not be made durable within "
                        + config.commandTimeout().toSeconds() + " s; send it again", "unavailable");
            }
            // Written (Kafka acknowledged it), not yet judged: the verdict will come, the worker need not resend.
            result.status = "pending";
            result.httpStatus = 202;
            return result;
        }
        if (BrokerReply.ACCEPTED.equals(reply.outcome)) {
            result.status = "accepted";
            result.httpStatus = 200;
            return result;
        }
        throw failure(reply);
    }

    WorkerStatsView stats(String workerId) {
        WorkerStats ws = read(BrokerStores.WORKER_STATS, workerId);
        WorkerStatsView v = new WorkerStatsView();
        v.workerId = workerId;
        v.method = config.method().id();
        if (ws != null) {
            v.leases = ws.leases();
            v.answersAccepted = ws.answersAccepted();
            v.answersRejected = ws.rejected();
            v.leasesExpired = ws.leasesExpired();
            v.leasesReleased = ws.leasesReleased();
            v.agreementRate = ws.scoredAgainstLabel() == 0 ? null : ws.agreedWithLabel() / (double) ws.scoredAgainstLabel();
            v.goldAnswers = ws.goldAnswers();
            v.goldCorrect = ws.goldCorrect();
        } else {
            v.answersRejected = Map.of();
        }
        v.models = new TreeMap<>();
        ReadOnlyKeyValueStore<String, WorkerModel> models = store(BrokerStores.WORKER_MODELS);
        try (KeyValueIterator<String, WorkerModel> it = models.prefixScan(workerId + "/", new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, WorkerModel> kv = it.next();
                if (!workerId.equals(BrokerStores.workerOfModelKey(kv.key))) {
                    continue;
                }
                int k = BrokerStores.classesOfModelKey(kv.key);
                ClassPrior cp = read(BrokerStores.CLASS_PRIORS, Integer.toString(k));
                double[] pi = cp != null ? cp.probabilities() : ClassPrior.uniform(k).probabilities();
                WorkerStatsView.ModelView m = new WorkerStatsView.ModelView();
                m.numClasses = k;
                m.answers = kv.value.answers();
                m.goldAnswers = kv.value.goldAnswers();
                m.estimatedAccuracy = aggregator.estimatedAccuracy(kv.value, pi);
                m.confusion = kv.value.confusionMatrix();
                v.models.put(Integer.toString(k), m);
            }
        } catch (InvalidStateStoreException e) {
            throw notReady();
        }
        return v;
    }

    /** Whether the streams side is running (and so the stores can be read). */
    KafkaStreams.State streamsState() {
        return streams.state();
    }

    private static boolean isWritten(java.util.concurrent.Future<?> write) {
        if (!write.isDone()) {
            return false;
        }
        try {
            write.get();
            return true;
        } catch (ExecutionException | InterruptedException | java.util.concurrent.CancellationException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    /** Calls that need the topology fail at once while its streams are stopped or failed, instead of timing out. */
    private void requireRunning() {
        KafkaStreams.State s = streams.state();
        if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR || s == KafkaStreams.State.NOT_RUNNING
                || s == KafkaStreams.State.PENDING_SHUTDOWN) {
            throw notReady();
        }
    }

    private BrokerReply send(BrokerCommand cmd) {
        requireRunning();
        CompletableFuture<BrokerReply> pending = replies.expect(cmd.commandId);
        producer.send(new ProducerRecord<>(config.commandsTopic(), cmd.workerId, Json.write(cmd)), failTo(pending));
        BrokerReply reply = await(pending, cmd.commandId);
        if (reply == null) {
            throw new ApiException(503, "the broker did not answer within " + config.commandTimeout().toSeconds()
                    + " s; retry", "timeout");
        }
        return reply;
    }

    private BrokerReply await(CompletableFuture<BrokerReply> pending, String correlation) {
        try {
            return pending.get(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", "timeout");
        } catch (ExecutionException e) {
            // the write itself failed: nothing was written, the caller may retry
            throw new ApiException(503, "cannot write to Kafka: " + e.getCause(), "unavailable");
        } catch (java.util.concurrent.CancellationException e) {
            throw new ApiException(503, "the broker is shutting down", "shutting-down");
        } finally {
            replies.forget(correlation);
        }
    }

    /** A failed write fails the waiting call at once instead of letting it wait out the timeout. */
    private static org.apache.kafka.clients.producer.Callback failTo(CompletableFuture<BrokerReply> pending) {
        return (metadata, e) -> {
            if (e != null) {
                pending.completeExceptionally(e);
            }
        };
    }

    private static ApiException failure(BrokerReply reply) {
        if (BrokerReply.STALE.equals(reply.outcome)) {
            return new ApiException(503, "the broker was too slow to serve this request; retry", "timeout");
        }
        int status = 409;
        try {
            status = RejectReason.ofCode(reply.reason).httpStatus();
        } catch (IllegalArgumentException | NullPointerException e) {
            // a reason this version does not know: keep 409
        }
        return new ApiException(status, reply.message != null ? reply.message : reply.reason, reply.reason);
    }

    private <V> V read(String storeName, String key) {
        try {
            ReadOnlyKeyValueStore<String, V> s = store(storeName);
            return s.get(key);
        } catch (InvalidStateStoreException e) {
            throw notReady();
        }
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw notReady();
        }
    }

    private ApiException notReady() {
        return new ApiException(503, "the broker is not ready (" + streams.state() + "); retry shortly", "not-ready");
    }

    @Override
    public void close() {
        replies.close();
        producer.close(Duration.ofSeconds(5));
    }
}
