package io.alstream.flink.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.alstream.connectors.Topics;

/**
 * Every setting of the job, with its default. Keys are what a config file or a {@code --set key=value}
 * flag uses. Learner settings (model, kernel, acquisition, budget) live under {@code learner.*} and are
 * declared by the learner module; see {@code LearnerOptions}.
 */
public final class JobOptions {
    private static final List<ConfigOption<?>> ALL = new ArrayList<>();

    // --- Kafka and the registry
    public static final ConfigOption<String> BOOTSTRAP_SERVERS = string("kafka", "kafka.bootstrap-servers", "localhost:9092",
            "Kafka bootstrap servers.");
    public static final ConfigOption<String> REGISTRY_URL = string("kafka", "registry.url", "http://localhost:8081",
            "Schema registry base URL (Confluent REST API). Comma-separate several for failover.");
    public static final ConfigOption<String> REGISTRY_BASIC_AUTH = string("kafka", "registry.basic-auth", "",
            "user:password for the registry, empty for none.");
    public static final ConfigOption<Boolean> REGISTRY_AUTO_REGISTER = bool("kafka", "registry.auto-register", "true",
            "Register the output schemas (LabelRequest, ModelUpdate, DeadLetter) when missing.");
    public static final ConfigOption<String> GROUP_ID = string("kafka", "kafka.group-id", "alstream-job",
            "Consumer group of the job's Kafka sources (offsets live in Flink checkpoints; the group is for monitoring).");
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = string("kafka", "kafka.transactional-id-prefix", "alstream",
            "Prefix of the exactly-once sinks' transactional ids; unique per job on a cluster.");
    public static final ConfigOption<Integer> TRANSACTION_TIMEOUT_MS = integer("kafka", "kafka.transaction-timeout-ms", "300000",
            "Sink transaction timeout; at least job.checkpoint-interval-ms + job.checkpoint-timeout-ms (a transaction lives until the checkpoint after the one it opened in completes), and under the brokers' transaction.max.timeout.ms (15 min default).");
    public static final ConfigOption<String> TRANSACTION_NAMING = string("kafka", "kafka.transaction-naming", "pooling",
            "Transactional ids of the sinks: pooling (a small pool reused across checkpoints) or incrementing (a new id per subtask and checkpoint, each kept by the brokers for transactional.id.expiration.ms).");
    public static final ConfigOption<String> STARTING_OFFSETS = string("kafka", "kafka.starting-offsets", "earliest",
            "Where sources start without a checkpoint: earliest or latest.");

    // --- topics
    public static final ConfigOption<String> EVENTS_TOPIC = string("topics", "topic.events", Topics.EVENTS, "UnlabeledEvent input.");
    public static final ConfigOption<String> LABELS_TOPIC = string("topics", "topic.labels", Topics.LABELS, "ConsolidatedLabel input.");
    public static final ConfigOption<String> REQUESTS_TOPIC = string("topics", "topic.label-requests", Topics.LABEL_REQUESTS, "LabelRequest output.");
    public static final ConfigOption<String> MODEL_UPDATES_TOPIC = string("topics", "topic.model-updates", Topics.MODEL_UPDATES, "ModelUpdate output.");
    public static final ConfigOption<String> DEAD_LETTER_TOPIC = string("topics", "topic.dead-letter", Topics.DEAD_LETTER, "DeadLetter output.");

    // --- data
    public static final ConfigOption<Integer> FEATURE_DIM = integer("data", "data.feature-dim", null,
            "Length of every event's feature vector (required). Other lengths go to the dead-letter topic.");
    public static final ConfigOption<Integer> NUM_CLASSES = integer("data", "data.num-classes", null,
            "Number of classes (required); labels are 0..num-classes-1.");
    public static final ConfigOption<String> CLASS_NAMES = string("data", "data.class-names", "",
            "Comma-separated display names of the classes, shown to workers.");
    public static final ConfigOption<String> HELD_OUT_PATH = string("data", "data.held-out-path", "",
            "Optional CSV (features..., label) the trainer evaluates each model version on; empty for none.");

    // --- job
    public static final ConfigOption<Integer> PARALLELISM = integer("job", "job.parallelism", "1",
            "Parallelism of sources, validation and scoring (the trainer always runs at 1).");
    public static final ConfigOption<Long> CHECKPOINT_INTERVAL_MS = longOpt("job", "job.checkpoint-interval-ms", "2000",
            "Checkpoint interval; exactly-once outputs become visible to read_committed readers at each checkpoint.");
    public static final ConfigOption<Integer> SCORING_SHARDS = integer("job", "job.scoring-shards", "0",
            "Events are spread over this many shards, each with its own batch buffer and budget state; 0 = one per scoring subtask (job.parallelism). Shards are keyed so that every subtask gets events: at most job.max-parallelism.");
    public static final ConfigOption<Integer> BATCH_SIZE = integer("job", "job.batch-size", "64",
            "Events scored together in one batch.");
    public static final ConfigOption<Long> BATCH_MAX_DELAY_MS = longOpt("job", "job.batch-max-delay-ms", "200",
            "A batch is scored at the latest this long after its first event arrived.");
    public static final ConfigOption<Integer> COLD_BACKLOG = integer("job", "job.cold-backlog", "256",
            "Events per shard kept while the model is cold; once warm, the labels not spent meanwhile go to the best of them.");
    public static final ConfigOption<Long> MODEL_BROADCAST_INTERVAL_MS = longOpt("job", "job.model-broadcast-interval-ms", "250",
            "The trainer broadcasts the newest model version to the scorers at most this often.");
    public static final ConfigOption<Long> MODEL_SNAPSHOT_INTERVAL_MS = longOpt("job", "job.model-snapshot-interval-ms", "10000",
            "Between retrains the trainer broadcasts deltas (entries of T appended, confirmed, dropped) that scorers apply in place, and a full snapshot at least this often; 0 = every version in full.");
    public static final ConfigOption<Integer> TRAINER_BATCH_SIZE = integer("job", "job.trainer-batch-size", "32",
            "The trainer folds up to this many inputs (requests, labels, closes) as one batch: one features pass, one pass over A^-1 and one block update per batch instead of one per input (the model is the same); 1 = each input at once.");
    public static final ConfigOption<Long> TRAINER_BATCH_MAX_DELAY_MS = longOpt("job", "job.trainer-batch-max-delay-ms", "20",
            "The trainer applies a batch at the latest this long after its first input arrived (and always before a checkpoint).");
    public static final ConfigOption<Long> HELDOUT_INTERVAL_MS = longOpt("job", "job.heldout-interval-ms", "10000",
            "With data.held-out-path, the trainer evaluates the held-out set after each retrain, otherwise at most this often, and at the latest this long after the last label (0: at every published version).");
    public static final ConfigOption<Long> REQUEST_DEADLINE_MS = longOpt("job", "job.request-deadline-ms", "600000",
            "A label request not answered by then is closed unlabelled by the broker.");
    public static final ConfigOption<Boolean> ACCEPT_EXTERNAL_LABELS = bool("job", "job.accept-external-labels", "false",
            "Fold labels of events the job never asked about (written to the labels topic by someone else). Off: such a label waits up to job.request-deadline-ms (of time the job runs) for its request to be read back, then goes to the dead-letter topic as unrequested-label.");
    public static final ConfigOption<String> REQUEST_ID_SECRET = string("job", "job.request-id-secret", "",
            "Key of the label requests' ids, req-<base64url(HMAC-SHA256(key, event id)), 128 bits>: the same event gets the same id, and no one without the key can guess an open request's id from its event. Empty = a random key made when the job is built (a job resubmitted afresh, or alstream run restarted, names requests anew).");
    public static final ConfigOption<Integer> REDUNDANCY = integer("job", "job.redundancy", "1",
            "Answers wanted per request (the broker may raise it while answers disagree).");
    public static final ConfigOption<Double> PREQUENTIAL_DECAY = doubleOpt("job", "job.prequential-decay", "0.98",
            "Decay of the prequential (test-then-train) accuracy: weight of the past at each label.");
    public static final ConfigOption<Integer> RESTART_ATTEMPTS = integer("job", "job.restart-attempts", "20",
            "Restarts in a row before the job fails; the delay doubles from 1 s up to job.restart-max-backoff-ms, and the count and delay start over after job.restart-reset-after-ms without a failure.");
    public static final ConfigOption<Long> RESTART_MAX_BACKOFF_MS = longOpt("job", "job.restart-max-backoff-ms", "60000",
            "Longest wait between two restarts (exponential backoff with 10% jitter): an outage of the registry or Kafka is waited out, not counted down in seconds.");
    public static final ConfigOption<Long> RESTART_RESET_AFTER_MS = longOpt("job", "job.restart-reset-after-ms", "600000",
            "Running this long without a failure resets the restart count and delay, so failures months apart never add up.");
    public static final ConfigOption<Integer> MAX_PARALLELISM = integer("job", "job.max-parallelism", "128",
            "Key groups of the keyed operators: the most the job can ever be rescaled to from a savepoint (fixed for the job's life).");
    public static final ConfigOption<Long> CHECKPOINT_TIMEOUT_MS = longOpt("job", "job.checkpoint-timeout-ms", "120000",
            "A checkpoint not complete by then is declined (counted against job.tolerable-checkpoint-failures).");
    public static final ConfigOption<Integer> TOLERABLE_CHECKPOINT_FAILURES = integer("job", "job.tolerable-checkpoint-failures", "3",
            "Consecutive failed or timed-out checkpoints tolerated before the job fails over.");
    public static final ConfigOption<Boolean> UNALIGNED_CHECKPOINTS = bool("job", "job.unaligned-checkpoints", "true",
            "Unaligned checkpoints: barriers overtake in-flight data, so back-pressure or a busy trainer does not hold every checkpoint back.");
    public static final ConfigOption<String> STATE_BACKEND = string("job", "job.state-backend", "",
            "Where keyed state lives: rocksdb (on disk; with job.incremental-checkpoints a checkpoint uploads only what changed, so the trainer's kept labels are not written again at every checkpoint) or hashmap (on the heap, written in full at every checkpoint); empty = the cluster's state.backend.type (Flink's default: hashmap). The shipped cluster configs say rocksdb.");
    public static final ConfigOption<Boolean> INCREMENTAL_CHECKPOINTS = bool("job", "job.incremental-checkpoints", "true",
            "Incremental checkpoints (rocksdb only; hashmap ignores it).");
    public static final ConfigOption<Boolean> SNAPSHOT_COMPRESSION = bool("job", "job.snapshot-compression", "true",
            "Compress checkpoints and savepoints (Snappy). On by default because Flink 2.2 restores uncompressed operator state one byte per file read: the trainer's model (tens of MB) took minutes to restore from a local checkpoint folder, seconds compressed.");

    // --- the command line's own process (`alstream run`); a Flink cluster takes these from its own configuration
    public static final ConfigOption<Integer> METRICS_PORT = integer("local", "metrics.port", "9249",
            "Port of `alstream run`'s Prometheus endpoint (/metrics: the job's Flink metrics, named as Flink's Prometheus reporter names them on a cluster); 0 = a free port, -1 = none.");
    public static final ConfigOption<String> BIND_ADDRESS = string("local", "local.bind-address", "127.0.0.1",
            "Address `alstream run` listens on: Flink's REST API and web UI, and the metrics endpoint (0.0.0.0 = every interface).");

    private JobOptions() {
    }

    public static List<ConfigOption<?>> all() {
        return Collections.unmodifiableList(ALL);
    }

    private static <T> ConfigOption<T> register(ConfigOption<T> o) {
        ALL.add(o);
        return o;
    }

    static ConfigOption<String> string(String group, String key, String def, String doc) {
        return register(new ConfigOption<>(group, key, def, doc, s -> s));
    }

    static ConfigOption<Integer> integer(String group, String key, String def, String doc) {
        return register(new ConfigOption<>(group, key, def, doc, Integer::parseInt));
    }

    static ConfigOption<Long> longOpt(String group, String key, String def, String doc) {
        return register(new ConfigOption<>(group, key, def, doc, Long::parseLong));
    }

    static ConfigOption<Double> doubleOpt(String group, String key, String def, String doc) {
        return register(new ConfigOption<>(group, key, def, doc, Double::parseDouble));
    }

    static ConfigOption<Boolean> bool(String group, String key, String def, String doc) {
        return register(new ConfigOption<>(group, key, def, doc, s -> {
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(s);
            }
            throw new IllegalArgumentException("expected true or false");
        }));
    }
}
