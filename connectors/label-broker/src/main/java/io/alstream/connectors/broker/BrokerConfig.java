package io.alstream.connectors.broker;

import java.time.Duration;
import java.util.Objects;

import io.alstream.connectors.Topics;
import io.alstream.connectors.broker.aggregation.AggregationMethod;
import io.alstream.connectors.broker.aggregation.ModelPrior;

/**
 * Every setting of the label broker, each with its default, documented here once. Immutable; build
 * with {@link #builder()}. The topology reads the queueing and aggregation settings, {@link LabelBroker}
 * the service ones (HTTP, Kafka Streams).
 */
public final class BrokerConfig {
    /** What to do with an item that reached {@link #maxAnswers()} without reaching {@link #agreement()}. */
    public enum NoAgreementPolicy {
        /** Emit the posterior's argmax with its (low) confidence: the trainer can weigh it. */
        LABEL_BEST,
        /** Close it unlabelled with closeReason {@code max-answers-no-agreement}. */
        CLOSE_UNLABELLED
    }

    /**
     * How the worker page draws a request's features as a grey image: {@code width × height} values,
     * row by row. Written {@code 28x28}.
     */
    public record ImageShape(int width, int height) {
        public ImageShape {
            if (width < 1 || height < 1 || (long) width * height > 1 << 20) {
                throw new IllegalArgumentException("an image shape needs 1..2^20 pixels, was " + width + "x" + height);
            }
        }

        /** {@code 28x28} (also {@code 28×28}); null or blank gives null (no image). */
        public static ImageShape parse(String s) {
            if (s == null || s.isBlank()) {
                return null;
            }
            String[] p = s.trim().toLowerCase(java.util.Locale.ROOT).split("[x×]");
            try {
                if (p.length == 2) {
                    return new ImageShape(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new IllegalArgumentException("an image shape is WIDTHxHEIGHT, e.g. 28x28; was '" + s + "'");
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    // topics
    private final String requestsTopic;
    private final String answersTopic;
    private final String labelsTopic;
    private final String deadLetterTopic;
    private final String applicationId;
    private final String commandsTopic;
    private final String repliesTopic;
    // queueing and aggregation
    private final AggregationMethod method;
    private final int minAnswers;
    private final int maxAnswers;
    private final double agreement;
    private final NoAgreementPolicy noAgreement;
    private final ModelPrior workerPrior;
    private final Duration leaseDuration;
    private final boolean acceptUnleasedAnswers;
    private final Duration punctuateInterval;
    private final Duration closedRetention;
    private final Duration commandTimeout;
    private final boolean inMemoryStores;
    private final Duration unknownAnswerGrace;
    // service
    private final int httpMaxBodyBytes;
    private final int httpThreads;
    private final Duration commitInterval;
    private final Duration startTimeout;
    private final ImageShape pageImage;
    // reliability
    private final Duration deliveryLease;
    private final Duration workerIdleAfter;
    private final Duration outageMaxBackoff;
    private final int maxThreadReplacements;
    private final boolean acceptUnleasedHttpAnswers;

    private BrokerConfig(Builder b) {
        this.requestsTopic = b.requestsTopic;
        this.answersTopic = b.answersTopic;
        this.labelsTopic = b.labelsTopic;
        this.deadLetterTopic = b.deadLetterTopic;
        this.applicationId = b.applicationId;
        this.commandsTopic = b.commandsTopic != null ? b.commandsTopic : b.applicationId + ".commands";
        this.repliesTopic = b.repliesTopic != null ? b.repliesTopic : b.applicationId + ".replies";
        this.method = b.method;
        this.minAnswers = b.minAnswers;
        this.maxAnswers = b.maxAnswers;
        this.agreement = b.agreement;
        this.noAgreement = b.noAgreement;
        this.workerPrior = b.workerPrior;
        this.leaseDuration = b.leaseDuration;
        this.acceptUnleasedAnswers = b.acceptUnleasedAnswers;
        this.punctuateInterval = b.punctuateInterval;
        this.closedRetention = b.closedRetention;
        this.commandTimeout = b.commandTimeout;
        this.inMemoryStores = b.inMemoryStores;
        this.unknownAnswerGrace = b.unknownAnswerGrace;
        this.httpMaxBodyBytes = b.httpMaxBodyBytes;
        this.httpThreads = b.httpThreads;
        this.commitInterval = b.commitInterval;
        this.startTimeout = b.startTimeout;
        this.pageImage = b.pageImage;
        this.deliveryLease = b.deliveryLease;
        this.workerIdleAfter = b.workerIdleAfter;
        this.outageMaxBackoff = b.outageMaxBackoff;
        this.maxThreadReplacements = b.maxThreadReplacements;
        this.acceptUnleasedHttpAnswers = b.acceptUnleasedHttpAnswers;
        if (minAnswers < 1) {
            throw new IllegalArgumentException("minAnswers must be at least 1, was " + minAnswers);
        }
        if (maxAnswers < minAnswers) {
            throw new IllegalArgumentException("maxAnswers (" + maxAnswers + ") must be at least minAnswers (" + minAnswers + ")");
        }
        if (!(agreement > 0 && agreement <= 1)) {
            throw new IllegalArgumentException("agreement must lie in (0,1], was " + agreement);
        }
        requirePositive("leaseDuration", leaseDuration);
        requirePositive("punctuateInterval", punctuateInterval);
        requirePositive("closedRetention", closedRetention);
        requirePositive("commandTimeout", commandTimeout);
        requirePositive("commitInterval", commitInterval);
        if (unknownAnswerGrace == null || unknownAnswerGrace.isNegative()) {
            throw new IllegalArgumentException("unknownAnswerGrace must be zero or positive, was " + unknownAnswerGrace);
        }
        requirePositive("startTimeout", startTimeout);
        requirePositive("deliveryLease", deliveryLease);
        requirePositive("workerIdleAfter", workerIdleAfter);
        requirePositive("outageMaxBackoff", outageMaxBackoff);
        if (maxThreadReplacements < 0) {
            throw new IllegalArgumentException("maxThreadReplacements must be zero or more, was " + maxThreadReplacements);
        }
        if (httpMaxBodyBytes < 64) {
            throw new IllegalArgumentException("httpMaxBodyBytes must be at least 64, was " + httpMaxBodyBytes);
        }
        if (httpThreads < 1) {
            throw new IllegalArgumentException("httpThreads must be at least 1, was " + httpThreads);
        }
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static BrokerConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.requestsTopic = requestsTopic;
        b.answersTopic = answersTopic;
        b.labelsTopic = labelsTopic;
        b.deadLetterTopic = deadLetterTopic;
        b.applicationId = applicationId;
        b.commandsTopic = commandsTopic;
        b.repliesTopic = repliesTopic;
        b.method = method;
        b.minAnswers = minAnswers;
        b.maxAnswers = maxAnswers;
        b.agreement = agreement;
        b.noAgreement = noAgreement;
        b.workerPrior = workerPrior;
        b.leaseDuration = leaseDuration;
        b.acceptUnleasedAnswers = acceptUnleasedAnswers;
        b.punctuateInterval = punctuateInterval;
        b.closedRetention = closedRetention;
        b.commandTimeout = commandTimeout;
        b.inMemoryStores = inMemoryStores;
        b.unknownAnswerGrace = unknownAnswerGrace;
        b.httpMaxBodyBytes = httpMaxBodyBytes;
        b.httpThreads = httpThreads;
        b.commitInterval = commitInterval;
        b.startTimeout = startTimeout;
        b.pageImage = pageImage;
        b.deliveryLease = deliveryLease;
        b.workerIdleAfter = workerIdleAfter;
        b.outageMaxBackoff = outageMaxBackoff;
        b.maxThreadReplacements = maxThreadReplacements;
        b.acceptUnleasedHttpAnswers = acceptUnleasedHttpAnswers;
        return b;
    }

    /** LabelRequest input. Default {@link Topics#LABEL_REQUESTS}. */
    public String requestsTopic() {
        return requestsTopic;
    }

    /** LabelAnswer input (the HTTP API writes here too). Default {@link Topics#LABEL_ANSWERS}. */
    public String answersTopic() {
        return answersTopic;
    }

    /** ConsolidatedLabel output. Default {@link Topics#LABELS}. */
    public String labelsTopic() {
        return labelsTopic;
    }

    /** DeadLetter output for rejected input. Default {@link Topics#DEAD_LETTER}. */
    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** Kafka Streams application id: names the consumer group, internal topics and state. Default {@code alstream-label-broker}. */
    public String applicationId() {
        return applicationId;
    }

    /** The broker's own single-partition topic of worker commands (lease, release). Default {@code <applicationId>.commands}. */
    public String commandsTopic() {
        return commandsTopic;
    }

    /** The broker's own topic of replies to commands and HTTP-submitted answers. Default {@code <applicationId>.replies}. */
    public String repliesTopic() {
        return repliesTopic;
    }

    /** Aggregation method. Default full Dawid–Skene. */
    public AggregationMethod method() {
        return method;
    }

    /** k: answers wanted per item before the first aggregation (a request's own redundancy wins when larger). Default 3. */
    public int minAnswers() {
        return minAnswers;
    }

    /** The most answers an item is given while its answers disagree. Default 7. */
    public int maxAnswers() {
        return maxAnswers;
    }

    /** Posterior probability of the top class needed to label an item; below it, k is raised by one. Default 0.9. */
    public double agreement() {
        return agreement;
    }

    /** What happens at maxAnswers without agreement. Default {@link NoAgreementPolicy#LABEL_BEST}. */
    public NoAgreementPolicy noAgreement() {
        return noAgreement;
    }

    /** Prior belief about unseen workers (accuracy 0.7 with the weight of 4 answers per class by default). */
    public ModelPrior workerPrior() {
        return workerPrior;
    }

    /** How long a worker holds a task it was given. Default 5 minutes. */
    public Duration leaseDuration() {
        return leaseDuration;
    }

    /**
     * Whether an answer arriving straight on the answers topic from a worker that never leased the
     * item is accepted (a crowd platform doing its own assignment). Answers after an expired or
     * released lease are rejected either way. Default true.
     */
    public boolean acceptUnleasedAnswers() {
        return acceptUnleasedAnswers;
    }

    /** How often (wall clock) leases and deadlines are checked. Default 1 s. */
    public Duration punctuateInterval() {
        return punctuateInterval;
    }

    /** How long a closed request is remembered, so a re-sent request or a late answer is recognised. Default 7 days. */
    public Duration closedRetention() {
        return closedRetention;
    }

    /**
     * How long the HTTP API waits for the topology's reply to a lease, release or answer; a command
     * older than this when the topology reads it is dropped as stale (its caller gave up). Default 30 s.
     */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /**
     * Keep the state stores on the heap instead of RocksDB. Both are restored from their changelogs;
     * in memory a restart replays the whole changelog instead of only its tail. Default false.
     */
    public boolean inMemoryStores() {
        return inMemoryStores;
    }

    /**
     * How long an answer read from the answers topic waits for its request when the broker does not know
     * the request yet (answers can overtake their request: a platform reading the requests topic itself,
     * a broker catching up after a pause). Then it is dead-lettered as unknown-request. Zero refuses at
     * once. Answers through the HTTP API are never parked. Default 10 minutes.
     */
    public Duration unknownAnswerGrace() {
        return unknownAnswerGrace;
    }

    /** Largest HTTP request body accepted; larger ones get 413. Default 16 KiB. */
    public int httpMaxBodyBytes() {
        return httpMaxBodyBytes;
    }

    /**
     * Most threads serving HTTP: a connection holds one while its request is read and answered (an answer waits on
     * Kafka for its reply), so this many slow or concurrent clients are served at once; more wait in a queue. Threads
     * are made on demand and end after 30 s idle; slow clients are cut by the time limits of {@code HttpLimits}.
     * Default 256.
     */
    public int httpThreads() {
        return httpThreads;
    }

    /** Kafka Streams commit interval: each lease waits for one commit. Default 100 ms. */
    public Duration commitInterval() {
        return commitInterval;
    }

    /** How long {@link LabelBroker#start()} waits for Kafka Streams to restore and run. Default 2 minutes. */
    public Duration startTimeout() {
        return startTimeout;
    }

    /**
     * The worker page draws features of exactly {@code width × height} values as this grey image (the
     * digits are 8x8, MNIST 28x28); other requests show their text, link or a table of features.
     * Default null: no images.
     */
    public ImageShape pageImage() {
        return pageImage;
    }

    /**
     * How long a lease holds its task until the HTTP API confirms the worker got it; then it runs for
     * {@link #leaseDuration()}. A lease whose reply never reached its worker (a crash between the two,
     * a broken connection) so frees its task after this instead of the whole lease. Default 20 s.
     */
    public Duration deliveryLease() {
        return deliveryLease.compareTo(leaseDuration) < 0 ? deliveryLease : leaseDuration;
    }

    /**
     * A worker not seen (asking for a task or answering) for this long no longer counts as one who
     * could still be asked: when every worker seen more recently has answered or released an item
     * whose answers disagree, the item closes with its best guess (see {@link #noAgreement()}) instead
     * of waiting for its deadline. Default 2 minutes.
     */
    public Duration workerIdleAfter() {
        return workerIdleAfter;
    }

    /**
     * Longest pause between two tries while the schema registry or Kafka is unreachable; the broker
     * waits as long as the outage lasts and never dead-letters a record for it. Default 10 s.
     */
    public Duration outageMaxBackoff() {
        return outageMaxBackoff;
    }

    /**
     * A stream thread that dies of an unexpected error is replaced this many times in the broker's
     * life; the next failure shuts the streams down and {@code alstream broker} exits. Failures of
     * Kafka itself (retriable errors, timeouts) are waited out and not counted. Default 3.
     */
    public int maxThreadReplacements() {
        return maxThreadReplacements;
    }

    /**
     * Whether the HTTP API takes an answer from a worker that holds no lease on the item. Default false:
     * request ids are predictable, so otherwise any worker could answer any open request, gold included.
     * ({@link #acceptUnleasedAnswers()} is about answers written straight to the answers topic.)
     */
    public boolean acceptUnleasedHttpAnswers() {
        return acceptUnleasedHttpAnswers;
    }

    /** Answers wanted for a request that asks for {@code redundancy}: the larger of it and k, capped by the maximum. */
    public int initialAnswers(int redundancy) {
        return Math.min(Math.max(minAnswers, redundancy), maxAnswersFor(redundancy));
    }

    /** The cap for a request: maxAnswers, or the request's own redundancy if it asks for more. */
    public int maxAnswersFor(int redundancy) {
        return Math.max(maxAnswers, redundancy);
    }

    @Override
    public String toString() {
        return "BrokerConfig{method=" + method + ", k=" + minAnswers + ".." + maxAnswers + ", agreement=" + agreement
                + ", lease=" + leaseDuration + ", topics=" + requestsTopic + "," + answersTopic + "->" + labelsTopic
                + "," + deadLetterTopic + ", appId=" + applicationId + "}";
    }

    /** All settings optional; see the getters for what each means and its default. */
    public static final class Builder {
        private String requestsTopic = Topics.LABEL_REQUESTS;
        private String answersTopic = Topics.LABEL_ANSWERS;
        private String labelsTopic = Topics.LABELS;
        private String deadLetterTopic = Topics.DEAD_LETTER;
        private String applicationId = "alstream-label-broker";
        private String commandsTopic;
        private String repliesTopic;
        private AggregationMethod method = AggregationMethod.DAWID_SKENE;
        private int minAnswers = 3;
        private int maxAnswers = 7;
        private double agreement = 0.9;
        private NoAgreementPolicy noAgreement = NoAgreementPolicy.LABEL_BEST;
        private ModelPrior workerPrior = ModelPrior.DEFAULT;
        private Duration leaseDuration = Duration.ofMinutes(5);
        private boolean acceptUnleasedAnswers = true;
        private Duration punctuateInterval = Duration.ofSeconds(1);
        private Duration closedRetention = Duration.ofDays(7);
        private Duration commandTimeout = Duration.ofSeconds(30);
        private boolean inMemoryStores = false;
        private Duration unknownAnswerGrace = Duration.ofMinutes(10);
        private int httpMaxBodyBytes = 16 * 1024;
        private int httpThreads = io.alstream.connectors.limits.HttpLimits.DEFAULT_MAX_THREADS;
        private Duration commitInterval = Duration.ofMillis(100);
        private Duration startTimeout = Duration.ofMinutes(2);
        private ImageShape pageImage;
        private Duration deliveryLease = Duration.ofSeconds(20);
        private Duration workerIdleAfter = Duration.ofMinutes(2);
        private Duration outageMaxBackoff = Duration.ofSeconds(10);
        private int maxThreadReplacements = 3;
        private boolean acceptUnleasedHttpAnswers = false;

        public Builder requestsTopic(String t) {
            this.requestsTopic = Objects.requireNonNull(t);
            return this;
        }

        public Builder answersTopic(String t) {
            this.answersTopic = Objects.requireNonNull(t);
            return this;
        }

        public Builder labelsTopic(String t) {
            this.labelsTopic = Objects.requireNonNull(t);
            return this;
        }

        public Builder deadLetterTopic(String t) {
            this.deadLetterTopic = Objects.requireNonNull(t);
            return this;
        }

        public Builder applicationId(String id) {
            this.applicationId = Objects.requireNonNull(id);
            return this;
        }

        public Builder commandsTopic(String t) {
            this.commandsTopic = t;
            return this;
        }

        public Builder repliesTopic(String t) {
            this.repliesTopic = t;
            return this;
        }

        public Builder method(AggregationMethod m) {
            this.method = Objects.requireNonNull(m);
            return this;
        }

        public Builder minAnswers(int k) {
            this.minAnswers = k;
            return this;
        }

        public Builder maxAnswers(int max) {
            this.maxAnswers = max;
            return this;
        }

        public Builder agreement(double threshold) {
            this.agreement = threshold;
            return this;
        }

        public Builder noAgreement(NoAgreementPolicy p) {
            this.noAgreement = Objects.requireNonNull(p);
            return this;
        }

        public Builder workerPrior(ModelPrior p) {
            this.workerPrior = Objects.requireNonNull(p);
            return this;
        }

        public Builder leaseDuration(Duration d) {
            this.leaseDuration = d;
            return this;
        }

        public Builder acceptUnleasedAnswers(boolean accept) {
            this.acceptUnleasedAnswers = accept;
            return this;
        }

        public Builder punctuateInterval(Duration d) {
            this.punctuateInterval = d;
            return this;
        }

        public Builder closedRetention(Duration d) {
            this.closedRetention = d;
            return this;
        }

        public Builder commandTimeout(Duration d) {
            this.commandTimeout = d;
            return this;
        }

        public Builder inMemoryStores(boolean inMemory) {
            this.inMemoryStores = inMemory;
            return this;
        }

        public Builder unknownAnswerGrace(Duration d) {
            this.unknownAnswerGrace = d;
            return this;
        }

        public Builder httpMaxBodyBytes(int bytes) {
            this.httpMaxBodyBytes = bytes;
            return this;
        }

        public Builder httpThreads(int threads) {
            this.httpThreads = threads;
            return this;
        }

        public Builder commitInterval(Duration d) {
            this.commitInterval = d;
            return this;
        }

        public Builder startTimeout(Duration d) {
            this.startTimeout = d;
            return this;
        }

        /** Null for none. */
        public Builder pageImage(ImageShape shape) {
            this.pageImage = shape;
            return this;
        }

        public Builder deliveryLease(Duration v) {
            this.deliveryLease = v;
            return this;
        }

        public Builder workerIdleAfter(Duration v) {
            this.workerIdleAfter = v;
            return this;
        }

        public Builder outageMaxBackoff(Duration v) {
            this.outageMaxBackoff = v;
            return this;
        }

        public Builder maxThreadReplacements(int v) {
            this.maxThreadReplacements = v;
            return this;
        }

        public Builder acceptUnleasedHttpAnswers(boolean v) {
            this.acceptUnleasedHttpAnswers = v;
            return this;
        }

        public BrokerConfig build() {
            return new BrokerConfig(this);
        }
    }
}
