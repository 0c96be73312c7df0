package io.alstream.connectors.broker.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

import io.alstream.connectors.broker.api.AnswerResult;
import io.alstream.connectors.broker.api.TaskView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated crowd workers on the broker's HTTP API, one thread each: take a task, think, answer —
 * right with the worker's accuracy, otherwise a uniformly drawn wrong class — and sometimes give
 * the task back or walk away from it (its lease then expires). The truth comes from a function of
 * the task (the demo looks the event up in its labelled data set).
 *
 * <p>Randomness goes through the seed: session s of worker i draws from {@code new Random(seed + 1000 s + i)},
 * first whether its next answer is right, then which wrong class, so its sequence of right and wrong
 * answers does not depend on which tasks the scheduling happens to give it.
 *
 * <p>A worker may run several sessions at once (a crowd platform acting for it, or a person with
 * several tabs): each takes its own tasks, and the broker never gives two of them the same one.
 */
public final class SimulatedCrowd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedCrowd.class);

    /** One simulated worker's identity and quality. */
    public record Worker(String id, String token, double accuracy) {
        public Worker {
            if (!(accuracy >= 0 && accuracy <= 1)) {
                throw new IllegalArgumentException("accuracy must lie in [0,1], was " + accuracy);
            }
        }
    }

    /** What a worker did. Counts only; thread-safe. */
    public static final class Tally {
        public final AtomicLong tasks = new AtomicLong();
        public final AtomicLong accepted = new AtomicLong();
        public final AtomicLong acceptedCorrect = new AtomicLong();
        public final AtomicLong rejected = new AtomicLong();
        public final AtomicLong pending = new AtomicLong();
        public final AtomicLong released = new AtomicLong();
        public final AtomicLong abandoned = new AtomicLong();
        public final AtomicLong errors = new AtomicLong();
        public final Map<String, AtomicLong> rejectedBy = new ConcurrentHashMap<>();

        /** Share of its accepted answers that were right. */
        public double empiricalAccuracy() {
            long n = accepted.get();
            return n == 0 ? Double.NaN : acceptedCorrect.get() / (double) n;
        }
    }

    private final URI baseUri;
    private final List<Worker> workers;
    private final ToIntFunction<TaskView> truth;
    private final long seed;
    private final Duration minThink;
    private final Duration maxThink;
    private final Duration idleWait;
    private final double releaseProbability;
    private final double abandonProbability;
    private final Duration retryFor;
    private final int sessionsPerWorker;
    private final Map<String, Tally> tallies = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    private SimulatedCrowd(Builder b) {
        this.baseUri = Objects.requireNonNull(b.baseUri, "baseUri");
        this.workers = List.copyOf(b.workers);
        this.truth = Objects.requireNonNull(b.truth, "truth");
        this.seed = b.seed;
        this.minThink = b.minThink;
        this.maxThink = b.maxThink;
        this.idleWait = b.idleWait;
        this.releaseProbability = b.releaseProbability;
        this.abandonProbability = b.abandonProbability;
        this.retryFor = b.retryFor;
        this.sessionsPerWorker = b.sessionsPerWorker;
        if (sessionsPerWorker < 1) {
            throw new IllegalArgumentException("sessionsPerWorker must be at least 1");
        }
        if (workers.isEmpty()) {
            throw new IllegalArgumentException("a crowd needs at least one worker");
        }
        for (Worker w : workers) {
            tallies.put(w.id(), new Tally());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public synchronized SimulatedCrowd start() {
        if (running) {
            return this;
        }
        running = true;
        for (int s = 0; s < sessionsPerWorker; s++) {
            for (int i = 0; i < workers.size(); i++) {
                Worker w = workers.get(i);
                Random rng = new Random(seed + 1000L * s + i);
                Thread t = new Thread(() -> work(w, rng), "crowd-" + w.id() + "-" + s);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
        return this;
    }

    private void work(Worker w, Random rng) {
        WorkerClient client = new WorkerClient(baseUri, w.id(), w.token()).retryFor(retryFor);
        Tally tally = tallies.get(w.id());
        while (running) {
            try {
                Optional<TaskView> next = client.next();
                if (next.isEmpty()) {
                    sleep(idleWait.toMillis());
                    continue;
                }
                TaskView task = next.get();
                tally.tasks.incrementAndGet();
                double roll = rng.nextDouble();
                if (roll < abandonProbability) {
                    tally.abandoned.incrementAndGet();
                    continue;
                }
                if (roll < abandonProbability + releaseProbability) {
                    if (client.release(task.requestId)) {
                        tally.released.incrementAndGet();
                    }
                    continue;
                }
                int trueLabel = truth.applyAsInt(task);
                boolean right = rng.nextDouble() < w.accuracy();
                int label = right ? trueLabel : wrongLabel(trueLabel, task.numClasses, rng);
                sleep(think(rng));
                AnswerResult r = client.submit(task.requestId, label);
                if (r.accepted()) {
                    tally.accepted.incrementAndGet();
                    if (right) {
                        tally.acceptedCorrect.incrementAndGet();
                    }
                } else if ("pending".equals(r.status)) {
                    tally.pending.incrementAndGet();
                } else {
                    tally.rejected.incrementAndGet();
                    tally.rejectedBy.computeIfAbsent(String.valueOf(r.reason), k -> new AtomicLong()).incrementAndGet();
                }
            } catch (WorkerApiException e) {
                if (!running) {
                    return;
                }
                tally.errors.incrementAndGet();
                LOG.warn("crowd worker {}: {}", w.id(), e.getMessage());
                sleep(idleWait.toMillis());
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                tally.errors.incrementAndGet();
                LOG.warn("crowd worker {} failed a call", w.id(), e);
                sleep(idleWait.toMillis());
            }
        }
    }

    private static int wrongLabel(int truth, int numClasses, Random rng) {
        if (numClasses < 2) {
            return truth;
        }
        return (truth + 1 + rng.nextInt(numClasses - 1)) % numClasses;
    }

    private long think(Random rng) {
        long lo = minThink.toMillis();
        long hi = maxThink.toMillis();
        return hi <= lo ? lo : lo + (long) (rng.nextDouble() * (hi - lo));
    }

    private void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    public List<Worker> workers() {
        return workers;
    }

    /** Per worker id, in the order given. */
    public Map<String, Tally> tallies() {
        return Collections.unmodifiableMap(tallies);
    }

    public long acceptedAnswers() {
        return tallies.values().stream().mapToLong(t -> t.accepted.get()).sum();
    }

    /** Stops every worker and waits for them. */
    @Override
    public synchronized void close() {
        running = false;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }

    /** Required: base URI, workers, truth. */
    public static final class Builder {
        private URI baseUri;
        private final List<Worker> workers = new ArrayList<>();
        private ToIntFunction<TaskView> truth;
        private long seed = 1;
        private Duration minThink = Duration.ZERO;
        private Duration maxThink = Duration.ZERO;
        private Duration idleWait = Duration.ofMillis(200);
        private double releaseProbability;
        private double abandonProbability;
        private Duration retryFor = Duration.ofSeconds(60);
        private int sessionsPerWorker = 1;

        public Builder baseUri(URI uri) {
            this.baseUri = uri;
            return this;
        }

        public Builder worker(String id, String token, double accuracy) {
            workers.add(new Worker(id, token, accuracy));
            return this;
        }

        /** The right class of a task. */
        public Builder truth(ToIntFunction<TaskView> truth) {
            this.truth = truth;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How long a worker looks at a task before answering, uniform in [min, max]. Default 0. */
        public Builder thinkTime(Duration min, Duration max) {
            this.minThink = min;
            this.maxThink = max;
            return this;
        }

        /** Wait after an empty queue or an error. Default 200 ms. */
        public Builder idleWait(Duration d) {
            this.idleWait = d;
            return this;
        }

        /** Chance a worker gives a task back unanswered. Default 0. */
        public Builder releaseProbability(double p) {
            this.releaseProbability = p;
            return this;
        }

        /** Chance a worker walks away from a task without a word (its lease expires). Default 0. */
        public Builder abandonProbability(double p) {
            this.abandonProbability = p;
            return this;
        }

        /** How long a worker keeps retrying an unreachable or busy broker. Default 60 s. */
        public Builder retryFor(Duration d) {
            this.retryFor = d;
            return this;
        }

        /** Concurrent sessions of each worker, each taking its own tasks. Default 1. */
        public Builder sessionsPerWorker(int sessions) {
            this.sessionsPerWorker = sessions;
            return this;
        }

        public SimulatedCrowd build() {
            return new SimulatedCrowd(this);
        }
    }
}
