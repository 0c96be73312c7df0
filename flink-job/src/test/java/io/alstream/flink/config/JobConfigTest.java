package io.alstream.flink.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import io.alstream.flink.AlstreamJob;

/** Settings that only work together are refused at start with one sentence; the job applies the production ones. */
class JobConfigTest {
    private static Map<String, String> base() {
        Map<String, String> m = new HashMap<>();
        m.put("data.feature-dim", "4");
        m.put("data.num-classes", "3");
        return m;
    }

    @Test
    void aTransactionTimeoutShorterThanIntervalPlusCheckpointTimeoutIsRefused() {
        Map<String, String> m = base();
        m.put("job.checkpoint-interval-ms", "10000");
        m.put("job.checkpoint-timeout-ms", "300000");
        m.put("kafka.transaction-timeout-ms", "300000");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobConfig.of(m));
        assertTrue(e.getMessage().contains("kafka.transaction-timeout-ms (300000) must be at least"), e.getMessage());
        m.put("kafka.transaction-timeout-ms", "310000");
        assertEquals(310000, JobConfig.of(m).get(JobOptions.TRANSACTION_TIMEOUT_MS));
    }

    @Test
    void unknownTransactionNamingAndMaxParallelismBelowParallelismAreRefused() {
        Map<String, String> naming = base();
        naming.put("kafka.transaction-naming", "random");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobConfig.of(naming)).getMessage()
                .contains("pooling or incrementing"));
        Map<String, String> par = base();
        par.put("job.parallelism", "8");
        par.put("job.max-parallelism", "4");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobConfig.of(par)).getMessage()
                .contains("job.max-parallelism (4) must be at least job.parallelism (8)"));
    }

    @Test
    void theJobCarriesTheProductionCheckpointSettings() {
        Map<String, String> m = base();
        m.put("job.checkpoint-timeout-ms", "90000");
        m.put("job.tolerable-checkpoint-failures", "5");
        JobConfig config = JobConfig.of(m);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new AlstreamJob(config, null, null).configure(env);
        assertEquals(90000, env.getCheckpointConfig().getCheckpointTimeout());
        assertEquals(5, env.getCheckpointConfig().getTolerableCheckpointFailureNumber());
        assertTrue(env.getCheckpointConfig().isUnalignedCheckpointsEnabled());
        assertEquals(128, env.getMaxParallelism());
        assertEquals(java.time.Duration.ofMillis(90000), env.getConfiguration().get(CheckpointingOptions.CHECKPOINTING_TIMEOUT));
        // restarts back off exponentially up to a minute and start over after ten quiet minutes
        assertEquals("exponential-delay", env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY));
        assertEquals(java.time.Duration.ofMinutes(1),
                env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF));
        assertEquals(java.time.Duration.ofMinutes(10),
                env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD));
        assertEquals(20, env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS));
    }

    @Test
    void theStateBackendSettingReachesTheJobAndABadValueIsRefused() {
        Map<String, String> m = base();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        new AlstreamJob(JobConfig.of(m), null, null).configure(env);
        assertTrue(env.getConfiguration().getOptional(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND).isEmpty(),
                "empty: the cluster's own state.backend.type");
        m.put("job.state-backend", "rocksdb");
        m.put("job.incremental-checkpoints", "false");
        StreamExecutionEnvironment rocks = StreamExecutionEnvironment.getExecutionEnvironment();
        new AlstreamJob(JobConfig.of(m), null, null).configure(rocks);
        assertEquals("rocksdb", rocks.getConfiguration().get(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND));
        assertEquals(false, rocks.getConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        // snapshots compressed by default: uncompressed operator state restores a byte per read (bench/results/operator-state-restore)
        assertTrue(env.getConfig().isUseSnapshotCompression(), "job.snapshot-compression defaults to true");
        m.put("job.snapshot-compression", "false");
        StreamExecutionEnvironment plain = StreamExecutionEnvironment.getExecutionEnvironment();
        new AlstreamJob(JobConfig.of(m), null, null).configure(plain);
        assertFalse(plain.getConfig().isUseSnapshotCompression());
        m.put("job.state-backend", "memory");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JobConfig.of(m)).getMessage()
                .contains("job.state-backend must be rocksdb, hashmap or empty"));
    }

    @Test
    void secretsComeFromFilesAndNeverShowInTheLoggedConfiguration(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path pw = tmp.resolve("kafka-password");
        java.nio.file.Files.writeString(pw, "scram-pw-4711\n");
        java.nio.file.Path auth = tmp.resolve("registry-auth");
        java.nio.file.Files.writeString(auth, "job:registry-pw-0815");
        Map<String, String> s = base();
        s.put("kafka.client.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"job\" password=\"${file:" + pw + "}\";");
        s.put("registry.basic-auth", "${file:" + auth + "}");
        JobConfig c = JobConfig.of(s);
        assertTrue(c.kafkaClientSettings().get("sasl.jaas.config").endsWith("password=\"scram-pw-4711\";"),
                "resolved for the Kafka clients");
        assertEquals("job:registry-pw-0815", c.get(JobOptions.REGISTRY_BASIC_AUTH));
        String logged = c.toString();
        assertTrue(!logged.contains("scram-pw-4711") && !logged.contains("registry-pw-0815"), logged);
        assertTrue(logged.contains("registry.basic-auth=******"), logged);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.of(Map.of("data.feature-dim", "4", "data.num-classes", "3",
                        "registry.basic-auth", "${file:" + tmp.resolve("missing") + "}")));
        assertTrue(e.getMessage().startsWith("registry.basic-auth refers to the file "), e.getMessage());
    }
}
