package io.alstream.connectors.broker.topology;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.BrokerMetrics;
import io.alstream.connectors.broker.OutageWait;
import io.alstream.connectors.broker.BrokerSerdes;
import io.alstream.connectors.broker.aggregation.Aggregator;
import io.alstream.connectors.broker.aggregation.ClassPrior;
import io.alstream.connectors.broker.aggregation.ConfusionLearner;
import io.alstream.connectors.broker.aggregation.Vote;
import io.alstream.connectors.broker.aggregation.WorkerModel;
import io.alstream.connectors.broker.aggregation.WorkerModelStore;
import io.alstream.connectors.broker.api.TaskView;
import io.alstream.connectors.broker.state.AnswerEntry;
import io.alstream.connectors.limits.InputLimits;
import io.alstream.connectors.broker.state.AnswerRules;
import io.alstream.connectors.broker.state.Json;
import io.alstream.connectors.broker.state.Lease;
import io.alstream.connectors.broker.state.ParkedAnswers;
import io.alstream.connectors.broker.state.LeaseKey;
import io.alstream.connectors.broker.state.RejectReason;
import io.alstream.connectors.broker.state.Rejection;
import io.alstream.connectors.broker.state.RequestState;
import io.alstream.connectors.broker.state.TaskQueue;
import io.alstream.connectors.broker.state.TimeIndex;
import io.alstream.connectors.broker.state.WorkerStats;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import io.alstream.connectors.serde.WireFormatException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label broker's single stateful step. Every input (requests, answers, worker commands) reaches
 * it through one partition, so it sees one global queue and one set of worker models, and every
 * decision — lease, fold, label, expire — is made in one place, in order, inside the exactly-once
 * transaction that also writes its outputs and changelogs.
 *
 * <p>The queue, lease expiries, deadlines and retention ends are in-memory indexes rebuilt from the
 * request-state store in {@link #init}, which Kafka Streams calls after restoring the stores.
 */
final class BrokerProcessor implements Processor<byte[], byte[], String, BrokerOutput> {
    static final String STAGE = "label-broker";
    private static final Logger LOG = LoggerFactory.getLogger(BrokerProcessor.class);

    private final BrokerConfig config;
    private final BrokerSerdes serdes;
    private final BrokerMetrics metrics;
    private final Aggregator aggregator;
    private final ConfusionLearner learner;
    private final AnswerRules rules;
    /** For answers through the HTTP API (they carry a correlation header): unleased ones only if allowed. */
    private final AnswerRules httpRules;

    private ProcessorContext<String, BrokerOutput> context;
    private KeyValueStore<String, LabelRequest> requests;
    private KeyValueStore<String, RequestState> states;
    private KeyValueStore<String, WorkerStats> workerStats;
    private KeyValueStore<String, ParkedAnswers> parked;
    private WorkerModelStore models;

    private final TaskQueue queue = new TaskQueue();
    private final TimeIndex<LeaseKey> leaseExpiries = new TimeIndex<>();
    private final TimeIndex<String> deadlines = new TimeIndex<>();
    private final TimeIndex<String> retentionEnds = new TimeIndex<>();
    private final TimeIndex<String> parkingEnds = new TimeIndex<>();
    /** How often punctuation looks for items no active worker can answer any more. */
    private static final long EXHAUST_CHECK_EVERY_MS = 5_000;
    private long nextExhaustCheck;

    BrokerProcessor(BrokerConfig config, BrokerSerdes serdes, BrokerMetrics metrics) {
        this.config = config;
        this.serdes = serdes;
        this.metrics = metrics;
        this.aggregator = Aggregator.of(config.method(), config.workerPrior());
        this.learner = new ConfusionLearner(config.workerPrior());
        this.rules = new AnswerRules(config.acceptUnleasedAnswers());
        this.httpRules = new AnswerRules(config.acceptUnleasedHttpAnswers());
    }

    @Override
    public void init(ProcessorContext<String, BrokerOutput> context) {
        this.context = context;
        this.requests = context.getStateStore(BrokerStores.REQUESTS);
        this.states = context.getStateStore(BrokerStores.REQUEST_STATE);
        this.workerStats = context.getStateStore(BrokerStores.WORKER_STATS);
        this.parked = context.getStateStore(BrokerStores.PARKED_ANSWERS);
        KeyValueStore<String, WorkerModel> modelStore = context.getStateStore(BrokerStores.WORKER_MODELS);
        KeyValueStore<String, ClassPrior> priorStore = context.getStateStore(BrokerStores.CLASS_PRIORS);
        this.models = new StoreWorkerModels(modelStore, priorStore);
        rebuildIndexes();
        context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    private void rebuildIndexes() {
        queue.clear();
        leaseExpiries.clear();
        deadlines.clear();
        retentionEnds.clear();
        parkingEnds.clear();
        try (KeyValueIterator<String, ParkedAnswers> it = parked.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                parkingEnds.put(kv.key, kv.value.firstParkedAt() + config.unknownAnswerGrace().toMillis());
            }
        }
        int open = 0;
        int closed = 0;
        try (KeyValueIterator<String, RequestState> it = states.all()) {
            while (it.hasNext()) {
                RequestState s = it.next().value;
                if (s.isOpen()) {
                    open++;
                    index(s);
                } else {
                    closed++;
                    retentionEnds.put(s.requestId(), s.closedAt() + config.closedRetention().toMillis());
                }
            }
        }
        updateGauges();
        LOG.info("label broker state loaded: {} open requests ({} queued, {} leases out), {} closed remembered",
                open, queue.size(), leaseExpiries.size(), closed);
    }

    private void index(RequestState s) {
        queue.update(s);
        deadlines.put(s.requestId(), s.deadline());
        for (Map.Entry<String, Lease> e : s.leases().entrySet()) {
            LeaseKey key = new LeaseKey(s.requestId(), e.getKey());
            if (e.getValue().isActive()) {
                leaseExpiries.put(key, e.getValue().expiresAt());
            } else {
                leaseExpiries.remove(key);
            }
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String kind = BrokerHeaders.string(record.headers(), BrokerHeaders.KIND);
        String oversize = BrokerHeaders.string(record.headers(), BrokerHeaders.OVERSIZE);
        if (oversize != null) {
            if (BrokerHeaders.KIND_ANSWER.equals(kind)) {
                metrics.answer("rejected", RejectReason.TOO_LARGE.code());
            } else {
                metrics.request(RejectReason.TOO_LARGE.code());
            }
            deadLetter(record, RejectReason.TOO_LARGE, "a " + kind + " record over the input bounds: " + oversize
                    + " (cut before the broker's repartition topic)", null);
        } else if (BrokerHeaders.KIND_ANSWER.equals(kind)) {
            onAnswer(record);
        } else if (BrokerHeaders.KIND_REQUEST.equals(kind)) {
            onRequest(record);
        } else if (BrokerHeaders.KIND_COMMAND.equals(kind)) {
            onCommand(record);
        } else {
            deadLetter(record, RejectReason.UNDECODABLE, "record of unknown kind '" + kind + "'", null);
        }
        updateGauges();
    }

    // ---------------------------------------------------------------- requests

    private void onRequest(Record<byte[], byte[]> record) {
        LabelRequest req;
        if (record.value() == null) {
            metrics.request(RejectReason.NULL_VALUE.code());
            deadLetter(record, RejectReason.NULL_VALUE, "record has no value", null);
            return;
        }
        try {
            req = serdes.requests().deserializer().deserialize(originTopic(record), record.headers(), record.value());
        } catch (RuntimeException e) {
            RejectReason reason = decodeFailure(e);
            metrics.request(reason.code());
            deadLetter(record, reason, "cannot decode LabelRequest: " + e.getMessage(), null);
            return;
        }
        InputLimits.Problem limit = InputLimits.request(req);
        if (limit != null) {
            metrics.request(limit.reason());
            deadLetter(record, RejectReason.ofCode(limit.reason()), "LabelRequest: " + limit.message(), null);
            return;
        }
        String invalid = invalidRequest(req);
        if (invalid != null) {
            metrics.request("invalid");
            deadLetter(record, RejectReason.INVALID_REQUEST, invalid, null);
            return;
        }
        if (states.get(req.getRequestId()) != null) {
            // Re-sent (a replay upstream, a retried produce): the first copy is the request.
            metrics.request("duplicate");
            LOG.debug("request {} already known, ignored", req.getRequestId());
            return;
        }
        long now = context.currentSystemTimeMs();
        int redundancy = Math.max(1, req.getRedundancy());
        RequestState s = new RequestState(req.getRequestId(), req.getEventId(), req.getNumClasses(), req.getPriority(),
                req.getCreatedAt().toEpochMilli(), req.getDeadline().toEpochMilli(), req.getGoldLabel(),
                config.initialAnswers(redundancy), config.maxAnswersFor(redundancy));
        requests.put(s.requestId(), req);
        if (s.deadline() <= now) {
            metrics.request("expired");
            closeUnlabelled(s, req, now, "deadline");
            states.put(s.requestId(), s);
        } else {
            metrics.request("accepted");
            states.put(s.requestId(), s);
            index(s);
        }
        replayParked(s.requestId());
    }

    /** The answers that came before this request, judged now as if they had just arrived. */
    private void replayParked(String requestId) {
        ParkedAnswers p = parked.get(requestId);
        if (p == null) {
            return;
        }
        parked.delete(requestId);
        parkingEnds.remove(requestId);
        for (ParkedAnswers.Parked a : p.answers()) {
            onAnswer(unpark(a));
        }
    }

    private static Record<byte[], byte[]> unpark(ParkedAnswers.Parked a) {
        org.apache.kafka.common.header.internals.RecordHeaders h = new org.apache.kafka.common.header.internals.RecordHeaders();
        BrokerHeaders.putString(h, BrokerHeaders.KIND, BrokerHeaders.KIND_ANSWER);
        BrokerHeaders.putString(h, BrokerHeaders.ORIGIN_TOPIC, a.originTopic());
        BrokerHeaders.putLong(h, BrokerHeaders.ORIGIN_PARTITION, a.partition());
        BrokerHeaders.putLong(h, BrokerHeaders.ORIGIN_OFFSET, a.offset());
        return new Record<>(a.key(), a.value(), a.timestamp(), h);
    }

    /** Keeps an answer whose request is not known yet; false if it should be refused at once instead. */
    private boolean park(Record<byte[], byte[]> record, LabelAnswer a) {
        if (config.unknownAnswerGrace().isZero() || BrokerHeaders.string(record.headers(), BrokerHeaders.CORRELATION) != null) {
            return false; // the HTTP API checked the request a moment ago: unknown means unknown
        }
        long now = context.currentSystemTimeMs();
        ParkedAnswers p = parked.get(a.getRequestId());
        if (p == null) {
            p = new ParkedAnswers(now);
            parkingEnds.put(a.getRequestId(), now + config.unknownAnswerGrace().toMillis());
        }
        Headers h = record.headers();
        p.add(new ParkedAnswers.Parked(record.key(), record.value(), originTopic(record),
                BrokerHeaders.longValue(h, BrokerHeaders.ORIGIN_PARTITION, -1), BrokerHeaders.longValue(h, BrokerHeaders.ORIGIN_OFFSET, -1),
                record.timestamp()));
        parked.put(a.getRequestId(), p);
        metrics.answer("parked", null);
        return true;
    }

    /**
     * Why bytes could not be decoded, in the job's words. An infrastructure failure (the registry
     * unreachable) reaches here only when the broker is shutting down, the waiting serdes having
     * retried it until then: it is thrown on, so the record is not committed and is read again.
     */
    static RejectReason decodeFailure(RuntimeException e) {
        if (OutageWait.isInfrastructure(e)) {
            throw e;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WireFormatException w) {
                return RejectReason.of(w.reason());
            }
        }
        return RejectReason.UNDECODABLE;
    }

    private static String invalidRequest(LabelRequest r) {
        if (r.getNumClasses() < 2) {
            return "numClasses must be at least 2, was " + r.getNumClasses();
        }
        if (r.getGoldLabel() != null && (r.getGoldLabel() < 0 || r.getGoldLabel() >= r.getNumClasses())) {
            return "goldLabel " + r.getGoldLabel() + " is outside [0, " + r.getNumClasses() + ")";
        }
        if (!r.getClassNames().isEmpty() && r.getClassNames().size() != r.getNumClasses()) {
            return "classNames has " + r.getClassNames().size() + " names for " + r.getNumClasses() + " classes";
        }
        return null;
    }

    // ---------------------------------------------------------------- answers

    private void onAnswer(Record<byte[], byte[]> record) {
        LabelAnswer a;
        if (record.value() == null) {
            rejectAnswer(record, null, new Rejection(RejectReason.NULL_VALUE, "record has no value"));
            return;
        }
        try {
            a = serdes.answers().deserializer().deserialize(originTopic(record), record.headers(), record.value());
        } catch (RuntimeException e) {
            rejectAnswer(record, null, new Rejection(decodeFailure(e), "cannot decode LabelAnswer: " + e.getMessage()));
            return;
        }
        InputLimits.Problem limit = InputLimits.answer(a);
        if (limit != null) {
            rejectAnswer(record, null, new Rejection(RejectReason.ofCode(limit.reason()), "LabelAnswer: " + limit.message()));
            return;
        }
        RequestState s = states.get(a.getRequestId());
        if (s == null && park(record, a)) {
            return;
        }
        long answeredAt = a.getAnsweredAt().toEpochMilli();
        boolean viaHttp = BrokerHeaders.string(record.headers(), BrokerHeaders.CORRELATION) != null;
        Rejection rejection = (viaHttp ? httpRules : rules).check(s, a.getWorkerId(), a.getEventId(), a.getLabel(), answeredAt);
        if (rejection != null) {
            rejectAnswer(record, a.getWorkerId(), rejection);
            return;
        }
        long now = context.currentSystemTimeMs();
        boolean hadActiveLease = s.lease(a.getWorkerId()) != null && s.lease(a.getWorkerId()).isActive();
        s.addAnswer(new AnswerEntry(a.getWorkerId(), a.getLabel(), a.getConfidence(), answeredAt));
        if (hadActiveLease) {
            leaseExpiries.remove(new LeaseKey(s.requestId(), a.getWorkerId()));
        }
        WorkerStats ws = stats(a.getWorkerId());
        ws.answerAccepted(answeredAt);
        ws.seen(now);
        if (s.isGold()) {
            // Gold answers teach the worker model at once, with certainty; the item is never folded softly.
            learner.learnGold(s.numClasses(), new Vote(a.getWorkerId(), a.getLabel()), s.goldLabel(), models);
            ws.goldAnswer(a.getLabel() == s.goldLabel());
        }
        workerStats.put(a.getWorkerId(), ws);
        metrics.answer("accepted", null);
        maybeConsolidate(s, now);
        states.put(s.requestId(), s);
        if (s.isOpen()) {
            queue.update(s);
        }
        reply(record, new BrokerReply(null, BrokerReply.ACCEPTED, null, null, null));
    }

    private void rejectAnswer(Record<byte[], byte[]> record, String workerId, Rejection rejection) {
        metrics.answer("rejected", rejection.reason().code());
        if (workerId != null) {
            WorkerStats ws = stats(workerId);
            ws.answerRejected(rejection.reason());
            workerStats.put(workerId, ws);
        }
        LOG.debug("answer rejected: {} {}", rejection.reason().code(), rejection.message());
        deadLetter(record, rejection.reason(), rejection.message(), null);
        reply(record, new BrokerReply(null, BrokerReply.REJECTED, rejection.reason().code(), rejection.message(), null));
    }

    /**
     * Labels the item once it has the answers it wants and they agree enough; raises the answers
     * wanted while they disagree (dynamic redundancy), up to the cap.
     */
    private void maybeConsolidate(RequestState s, long now) {
        if (s.answers().size() < s.wanted()) {
            return;
        }
        LabelRequest req = requests.get(s.requestId());
        List<Vote> votes = s.votes();
        if (s.isGold()) {
            closeLabelled(s, req, now, s.goldLabel(), 1.0, "gold", null);
            learner.learnGoldItem(s.numClasses(), s.goldLabel(), models);
            return;
        }
        double[] posterior = aggregator.posterior(s.numClasses(), votes, models);
        int top = Aggregator.argmax(posterior);
        if (posterior[top] >= config.agreement()) {
            closeLabelled(s, req, now, top, posterior[top], aggregator.method().id(), null);
            learner.learn(s.numClasses(), votes, posterior, models);
        } else if (s.raiseWanted()) {
            metrics.redundancyRaised();
        } else if (config.noAgreement() == BrokerConfig.NoAgreementPolicy.LABEL_BEST) {
            closeLabelled(s, req, now, top, posterior[top], aggregator.method().id(), null);
            learner.learn(s.numClasses(), votes, posterior, models);
        } else {
            closeUnlabelled(s, req, now, "max-answers-no-agreement");
        }
    }

    private void closeLabelled(RequestState s, LabelRequest req, long now, int label, double confidence, String method,
                               String reason) {
        for (AnswerEntry a : s.answers()) {
            WorkerStats ws = stats(a.workerId());
            ws.scoredAgainstLabel(a.label() == label);
            workerStats.put(a.workerId(), ws);
        }
        emitAndClose(s, req, now, label, confidence, method, reason);
    }

    private void closeUnlabelled(RequestState s, LabelRequest req, long now, String reason) {
        LOG.info("request {} (event {}) closed unlabelled: {} after {} answers", s.requestId(), s.eventId(), reason,
                s.answers().size());
        emitAndClose(s, req, now, null, 0.0, aggregator.method().id(), reason);
    }

    private void emitAndClose(RequestState s, LabelRequest req, long now, Integer label, double confidence, String method,
                              String reason) {
        int answers = s.answers().size();
        ConsolidatedLabel out = ConsolidatedLabel.newBuilder()
                .setEventId(s.eventId())
                .setRequestId(s.requestId())
                .setLabel(label)
                .setConfidence(confidence)
                .setNumAnswers(answers)
                .setMethod(method)
                .setFeatures(req != null ? req.getFeatures() : List.of())
                .setModelVersion(req != null ? req.getModelVersion() : null)
                .setRequestedAt(java.time.Instant.ofEpochMilli(s.createdAt()))
                .setLabelledAt(java.time.Instant.ofEpochMilli(now))
                .setCloseReason(reason)
                // provenance: who answered, who consolidated, so a poisoned label can be traced to its workers
                .setWorkerIds(s.answers().stream().map(AnswerEntry::workerId).toList())
                .setSource("label-broker/" + config.applicationId())
                .build();
        context.forward(new Record<>(s.eventId(), new BrokerOutput.Label(out), now));
        metrics.label(method, label != null, reason, answers, confidence, now - s.createdAt());
        for (String worker : s.leases().keySet()) {
            leaseExpiries.remove(new LeaseKey(s.requestId(), worker));
        }
        s.close(now, label, reason);
        requests.delete(s.requestId());
        queue.remove(s.requestId());
        deadlines.remove(s.requestId());
        retentionEnds.put(s.requestId(), now + config.closedRetention().toMillis());
    }

    // ---------------------------------------------------------------- worker commands

    private void onCommand(Record<byte[], byte[]> record) {
        BrokerCommand cmd;
        try {
            cmd = Json.read(record.value(), BrokerCommand.class);
        } catch (RuntimeException e) {
            deadLetter(record, RejectReason.UNDECODABLE, "cannot decode command: " + e.getMessage(), null);
            return;
        }
        if (cmd == null || cmd.commandId == null || cmd.workerId == null || cmd.type == null) {
            deadLetter(record, RejectReason.UNDECODABLE, "command lacks type, commandId or workerId", null);
            return;
        }
        long now = context.currentSystemTimeMs();
        if (BrokerCommand.CONFIRM.equals(cmd.type)) {
            confirm(cmd.workerId, cmd.requestId);
            return;
        }
        if (BrokerCommand.REJECTED.equals(cmd.type)) {
            noteRejection(cmd.workerId, cmd.reason);
            return;
        }
        if (now - cmd.sentAt > config.commandTimeout().toMillis()) {
            // Its caller has given up: granting a lease now would only hold a task nobody works on.
            metrics.lease("stale");
            forwardReply(cmd.commandId, new BrokerReply(cmd.commandId, BrokerReply.STALE, null, "command timed out", null), now);
            return;
        }
        BrokerReply reply = switch (cmd.type) {
            case BrokerCommand.LEASE -> lease(cmd.workerId, now);
            case BrokerCommand.RELEASE -> release(cmd.workerId, cmd.requestId, now);
            default -> new BrokerReply(null, BrokerReply.REJECTED, "unknown-command", "unknown command " + cmd.type, null);
        };
        reply.correlationId = cmd.commandId;
        forwardReply(cmd.commandId, reply, now);
    }

    /** The HTTP API handed the task over: the short delivery lease becomes the full one. */
    private void confirm(String workerId, String requestId) {
        RequestState s = requestId == null ? null : states.get(requestId);
        if (s == null) {
            return;
        }
        Lease before = s.lease(workerId);
        boolean wasActive = before != null && before.isActive();
        Lease l = s.confirmLease(workerId);
        if (l == null) {
            metrics.lease("confirm-late");
            return;
        }
        states.put(s.requestId(), s);
        queue.update(s);
        leaseExpiries.put(new LeaseKey(s.requestId(), workerId), l.expiresAt());
        metrics.lease(wasActive ? "confirmed" : "confirmed-after-expiry");
    }

    /** An answer the HTTP API refused before writing it: only the worker's stats learn of it. */
    private void noteRejection(String workerId, String reason) {
        RejectReason r;
        try {
            r = RejectReason.ofCode(reason);
        } catch (IllegalArgumentException | NullPointerException e) {
            LOG.debug("rejection note with unknown reason {} ignored", reason);
            return;
        }
        WorkerStats ws = stats(workerId);
        ws.answerRejected(r);
        workerStats.put(workerId, ws);
    }

    private BrokerReply lease(String workerId, long now) {
        WorkerStats seen = stats(workerId);
        if (seen.seen(now)) {
            workerStats.put(workerId, seen);
        }
        RequestState chosen = null;
        for (Iterator<String> it = queue.inOrder(); it.hasNext(); ) {
            RequestState s = states.get(it.next());
            if (s != null && s.canBeLeasedBy(workerId)) {
                chosen = s;
                break;
            }
        }
        if (chosen == null) {
            metrics.lease("empty");
            return new BrokerReply(null, BrokerReply.EMPTY, null, null, null);
        }
        // Short until the HTTP API confirms the worker got it (see Lease); the worker is shown the full lease.
        long promisedUntil = now + config.leaseDuration().toMillis();
        long expiresAt = now + config.deliveryLease().toMillis();
        chosen.grantLease(workerId, now, expiresAt, promisedUntil);
        states.put(chosen.requestId(), chosen);
        queue.update(chosen);
        leaseExpiries.put(new LeaseKey(chosen.requestId(), workerId), expiresAt);
        WorkerStats ws = stats(workerId);
        ws.leaseGranted();
        workerStats.put(workerId, ws);
        metrics.lease("granted");
        return new BrokerReply(null, BrokerReply.GRANTED, null, null, taskView(requests.get(chosen.requestId()), promisedUntil));
    }

    private BrokerReply release(String workerId, String requestId, long now) {
        RequestState s = requestId == null ? null : states.get(requestId);
        if (s == null) {
            return new BrokerReply(null, BrokerReply.REJECTED, RejectReason.UNKNOWN_REQUEST.code(), "no such label request", null);
        }
        if (!s.isOpen()) {
            return new BrokerReply(null, BrokerReply.REJECTED, RejectReason.REQUEST_CLOSED.code(), "the request is closed", null);
        }
        Lease lease = s.lease(workerId);
        if (lease == null || !lease.isActive()) {
            return new BrokerReply(null, BrokerReply.REJECTED, RejectReason.NO_LEASE.code(),
                    "worker " + workerId + " holds no active lease on this request", null);
        }
        s.endLease(workerId, Lease.Status.RELEASED);
        states.put(s.requestId(), s);
        queue.update(s);
        leaseExpiries.remove(new LeaseKey(s.requestId(), workerId));
        WorkerStats ws = stats(workerId);
        ws.leaseReleased();
        workerStats.put(workerId, ws);
        metrics.lease("released");
        return new BrokerReply(null, BrokerReply.RELEASED, null, null, null);
    }

    static TaskView taskView(LabelRequest r, long leaseExpiresAt) {
        TaskView t = new TaskView();
        t.requestId = r.getRequestId();
        t.eventId = r.getEventId();
        t.numClasses = r.getNumClasses();
        t.classNames = r.getClassNames().isEmpty() ? null : List.copyOf(r.getClassNames());
        float[] f = new float[r.getFeatures().size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = r.getFeatures().get(i);
        }
        t.features = f;
        t.payloadUri = r.getPayloadUri();
        t.payloadText = r.getPayloadText();
        t.stream = r.getStream();
        t.attributes = r.getAttributes().isEmpty() ? null : new HashMap<>(r.getAttributes());
        t.priority = r.getPriority();
        t.createdAt = r.getCreatedAt().toEpochMilli();
        t.deadline = r.getDeadline().toEpochMilli();
        t.leaseExpiresAt = leaseExpiresAt;
        return t;
    }

    // ---------------------------------------------------------------- wall-clock punctuation

    private void punctuate(long now) {
        for (LeaseKey key : leaseExpiries.pollDue(now)) {
            RequestState s = states.get(key.requestId());
            if (s == null || !s.isOpen()) {
                continue;
            }
            Lease lease = s.lease(key.workerId());
            if (lease == null || !lease.isActive()) {
                continue;
            }
            s.endLease(key.workerId(), Lease.Status.EXPIRED);
            states.put(s.requestId(), s);
            queue.update(s);
            WorkerStats ws = stats(key.workerId());
            ws.leaseExpired();
            workerStats.put(key.workerId(), ws);
            metrics.lease("expired");
            LOG.debug("lease of {} on {} expired; back in the queue", key.workerId(), key.requestId());
        }
        for (String requestId : deadlines.pollDue(now)) {
            RequestState s = states.get(requestId);
            if (s == null || !s.isOpen()) {
                continue;
            }
            closeUnlabelled(s, requests.get(requestId), now, "deadline");
            states.put(requestId, s);
        }
        for (String requestId : parkingEnds.pollDue(now)) {
            ParkedAnswers p = parked.get(requestId);
            if (p == null) {
                continue;
            }
            parked.delete(requestId);
            for (ParkedAnswers.Parked a : p.answers()) {
                LabelAnswer decoded = serdes.answers().deserializer().deserialize(a.originTopic(), a.value());
                rejectAnswer(unpark(a), decoded.getWorkerId(), new Rejection(RejectReason.UNKNOWN_REQUEST,
                        "no such label request (waited " + config.unknownAnswerGrace() + " for it)"));
            }
        }
        if (now >= nextExhaustCheck) {
            nextExhaustCheck = now + EXHAUST_CHECK_EVERY_MS;
            closeExhausted(now);
        }
        for (String requestId : retentionEnds.pollDue(now)) {
            RequestState s = states.get(requestId);
            if (s != null && !s.isOpen()) {
                states.delete(requestId);
            }
        }
        updateGauges();
    }

    /**
     * Closes the items nobody left could answer: open, whose answers disagreed (so more were asked
     * for), no lease out, and every worker seen within {@code workerIdleAfter} has answered or released
     * them. Such an item would otherwise wait for its deadline (a crowd smaller than the answer cap).
     * It closes as an item at the answer cap does ({@code noAgreement}). Items still short of their
     * first k answers are left for workers to come.
     */
    private void closeExhausted(long now) {
        if (queue.size() == 0) {
            return;
        }
        List<String> active = new java.util.ArrayList<>();
        try (KeyValueIterator<String, WorkerStats> it = workerStats.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (now - kv.value.lastSeenAt() <= config.workerIdleAfter().toMillis()) {
                    active.add(kv.key);
                }
            }
        }
        List<RequestState> exhausted = new java.util.ArrayList<>();
        for (Iterator<String> it = queue.inOrder(); it.hasNext(); ) {
            RequestState s = states.get(it.next());
            if (s == null || !s.isOpen() || !s.disagreed() || s.activeLeases() > 0) {
                continue;
            }
            boolean someoneLeft = false;
            for (String w : active) {
                if (s.couldStillBeAskedOf(w)) {
                    someoneLeft = true;
                    break;
                }
            }
            if (!someoneLeft) {
                exhausted.add(s);
            }
        }
        for (RequestState s : exhausted) {
            LabelRequest req = requests.get(s.requestId());
            LOG.info("request {} (event {}): every active worker answered or released it ({} answers, {} wanted); closing it now",
                    s.requestId(), s.eventId(), s.answers().size(), s.wanted());
            metrics.crowdExhausted();
            if (s.isGold()) {
                closeLabelled(s, req, now, s.goldLabel(), 1.0, "gold", null);
                learner.learnGoldItem(s.numClasses(), s.goldLabel(), models);
            } else if (config.noAgreement() == BrokerConfig.NoAgreementPolicy.LABEL_BEST) {
                List<Vote> votes = s.votes();
                double[] posterior = aggregator.posterior(s.numClasses(), votes, models);
                int top = Aggregator.argmax(posterior);
                closeLabelled(s, req, now, top, posterior[top], aggregator.method().id(), null);
                learner.learn(s.numClasses(), votes, posterior, models);
            } else {
                closeUnlabelled(s, req, now, "crowd-exhausted");
            }
            states.put(s.requestId(), s);
        }
    }

    // ---------------------------------------------------------------- outputs

    private void reply(Record<byte[], byte[]> record, BrokerReply reply) {
        String correlation = BrokerHeaders.string(record.headers(), BrokerHeaders.CORRELATION);
        if (correlation != null) {
            reply.correlationId = correlation;
            forwardReply(correlation, reply, context.currentSystemTimeMs());
        }
    }

    private void forwardReply(String correlationId, BrokerReply reply, long now) {
        context.forward(new Record<>(correlationId, new BrokerOutput.Reply(reply), now));
    }

    private void deadLetter(Record<byte[], byte[]> record, RejectReason reason, String message, String stage) {
        Headers h = record.headers();
        long now = context.currentSystemTimeMs();
        DeadLetter dl = DeadLetter.newBuilder()
                .setSourceTopic(originTopic(record))
                .setPartition((int) BrokerHeaders.longValue(h, BrokerHeaders.ORIGIN_PARTITION, -1))
                .setOffset(BrokerHeaders.longValue(h, BrokerHeaders.ORIGIN_OFFSET, -1))
                .setKey(record.key() == null ? null : java.nio.ByteBuffer.wrap(record.key(), 0,
                        Math.min(record.key().length, InputLimits.DEAD_LETTER_KEY_BYTES)))
                .setValue(record.value() == null ? null : java.nio.ByteBuffer.wrap(record.value(), 0,
                        Math.min(record.value().length, InputLimits.DEAD_LETTER_VALUE_BYTES)))
                .setErrorClass(reason.code())
                .setErrorMessage(deadLetterMessage(record, message == null ? reason.code() : message))
                .setStage(stage == null ? STAGE : stage)
                .setFailedAt(java.time.Instant.ofEpochMilli(now))
                .build();
        String key = record.key() == null ? null
                : new String(record.key(), 0, Math.min(record.key().length, InputLimits.DEAD_LETTER_KEY_BYTES), StandardCharsets.UTF_8);
        context.forward(new Record<>(key, new BrokerOutput.Dead(dl), now));
    }

    /**
     * The message, cut to {@link InputLimits#DEAD_LETTER_MESSAGE_CHARS}, plus what was cut from the copied key and
     * value (the same bounds as the job's dead letters), so a rejected record near Kafka's size limit cannot make a
     * dead letter the exactly-once producer is unable to write, which would stop the stream thread.
     */
    private static String deadLetterMessage(Record<byte[], byte[]> record, String message) {
        String m = message.length() <= InputLimits.DEAD_LETTER_MESSAGE_CHARS ? message
                : message.substring(0, InputLimits.DEAD_LETTER_MESSAGE_CHARS) + "...";
        if (record.value() != null && record.value().length > InputLimits.DEAD_LETTER_VALUE_BYTES) {
            m += "; value truncated from " + record.value().length + " to " + InputLimits.DEAD_LETTER_VALUE_BYTES + " bytes";
        }
        if (record.key() != null && record.key().length > InputLimits.DEAD_LETTER_KEY_BYTES) {
            m += "; key truncated from " + record.key().length + " to " + InputLimits.DEAD_LETTER_KEY_BYTES + " bytes";
        }
        return m;
    }

    private String originTopic(Record<byte[], byte[]> record) {
        String t = BrokerHeaders.string(record.headers(), BrokerHeaders.ORIGIN_TOPIC);
        if (t != null) {
            return t;
        }
        return context.recordMetadata().map(m -> m.topic()).orElse("unknown");
    }

    private WorkerStats stats(String workerId) {
        WorkerStats ws = workerStats.get(workerId);
        return ws != null ? ws : new WorkerStats(workerId);
    }

    private void updateGauges() {
        metrics.gauges(deadlines.size(), queue.size(), leaseExpiries.size());
    }
}
