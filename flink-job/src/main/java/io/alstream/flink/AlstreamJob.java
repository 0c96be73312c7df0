package io.alstream.flink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.flink.config.JobConfig;
import io.alstream.flink.config.JobOptions;
import io.alstream.flink.config.LearnerOptions;
import io.alstream.flink.io.KafkaPipelineIO;
import io.alstream.flink.io.PipelineIO;
import io.alstream.flink.io.RegistryCodecs;
import io.alstream.flink.validate.DecoderFactory;
import io.alstream.learner.LearnerConfig;

/**
 * The job as {@code flink run} starts it:
 * <pre>flink run alstream-flink-job-*-job.jar --config alstream.properties [--set key=value ...]</pre>
 * Builds the topology of {@link AlstreamPipeline} on Kafka sources and exactly-once Kafka sinks, with
 * checkpointing on and an exponential-delay restart strategy that resets after a healthy spell.
 */
public final class AlstreamJob {
    private static final Logger LOG = LoggerFactory.getLogger(AlstreamJob.class);
    public static final String JOB_NAME = "alstream";

    private final JobConfig config;
    private final LearnerConfig learner;
    private final PipelineIO io;
    private final DecoderFactory decoders;

    public AlstreamJob(JobConfig config, PipelineIO io, DecoderFactory decoders) {
        this.config = config;
        this.learner = LearnerOptions.from(config);
        this.io = io;
        this.decoders = decoders;
    }

    /** The production wiring: Kafka in and out, Confluent wire format through the registry. */
    public static AlstreamJob onKafka(JobConfig config) {
        RegistryCodecs codecs = RegistryCodecs.from(config);
        return new AlstreamJob(config, new KafkaPipelineIO(config, codecs), codecs);
    }

    public static void main(String[] args) throws Exception {
        JobConfig config = parseArgs(args);
        AlstreamJob job = onKafka(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.configure(env);
        job.build(env);
        env.execute(JOB_NAME);
    }

    /** {@code --config FILE} then any number of {@code --set key=value}, later ones winning. */
    public static JobConfig parseArgs(String[] args) {
        Map<String, String> settings = new TreeMap<>();
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> settings.putAll(JobConfig.readFile(Path.of(value(args, ++i, "--config"))));
                case "--set" -> sets.add(value(args, ++i, "--set"));
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; usage: --config FILE [--set key=value ...]");
            }
        }
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set wants key=value, got '" + s + "'");
            }
            settings.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
        }
        return JobConfig.of(settings);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    /** Checkpointing, restarts and parallelism as the config says. */
    public void configure(StreamExecutionEnvironment env) {
        Configuration conf = new Configuration();
        // exponential backoff that resets after a healthy spell: a long outage is waited out, and failures far apart
        // do not accumulate against one lifetime budget (a fixed-delay count did both)
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofMillis(Math.max(1000, config.get(JobOptions.RESTART_MAX_BACKOFF_MS))));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofMillis(config.get(JobOptions.RESTART_RESET_AFTER_MS)));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, config.get(JobOptions.RESTART_ATTEMPTS));
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMillis(config.get(JobOptions.CHECKPOINT_TIMEOUT_MS)));
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, config.get(JobOptions.TOLERABLE_CHECKPOINT_FAILURES));
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, config.get(JobOptions.UNALIGNED_CHECKPOINTS));
        String backend = config.get(JobOptions.STATE_BACKEND);
        if (!backend.isEmpty()) { // empty: the cluster's own state.backend.type
            conf.set(StateBackendOptions.STATE_BACKEND, backend);
        }
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, config.get(JobOptions.INCREMENTAL_CHECKPOINTS));
        // uncompressed operator state is restored through a stream that reads one byte per call (Flink 2.2's
        // CompressibleFSDataInputStream): a read(2) per byte from a local checkpoint folder
        conf.set(ExecutionOptions.SNAPSHOT_COMPRESSION, config.get(JobOptions.SNAPSHOT_COMPRESSION));
        env.configure(conf);
        env.enableCheckpointing(config.get(JobOptions.CHECKPOINT_INTERVAL_MS), CheckpointingMode.EXACTLY_ONCE);
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(Math.min(500, config.get(JobOptions.CHECKPOINT_INTERVAL_MS) / 2));
        env.setParallelism(config.get(JobOptions.PARALLELISM));
        env.setMaxParallelism(config.get(JobOptions.MAX_PARALLELISM));
    }

    public void build(StreamExecutionEnvironment env) {
        LOG.info("alstream job: {}", config);
        LOG.info("learner: {}", learner);
        AlstreamPipeline.build(env, config, learner, io, decoders);
    }

    /** Builds and submits without blocking; the caller watches or cancels the returned client. */
    public JobClient submit(StreamExecutionEnvironment env) throws Exception {
        configure(env);
        build(env);
        return env.executeAsync(JOB_NAME);
    }

    public JobConfig config() {
        return config;
    }

    public LearnerConfig learnerConfig() {
        return learner;
    }
}
