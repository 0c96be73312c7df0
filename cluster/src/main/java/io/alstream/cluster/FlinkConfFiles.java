package io.alstream.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * Writes the conf/ folder every cluster JVM reads: {@code config.yaml} (Flink 2's configuration file) and the
 * log4j configuration. The settings are the production ones the job is measured under (the Prometheus reporter,
 * task off-heap memory for DJL's natives, fast failure detection for the failure tests), then the spec's extras.
 */
final class FlinkConfFiles {
    /** JVM flags every cluster JVM gets (Flink's {@code env.java.opts.all}; we launch the JVMs ourselves). */
    static final List<String> JAVA_OPTS = List.of(
            // DJL from the natives on the class path, one torch thread per task (slots are the parallelism)
            "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
            // a forged Avro length prefix must not allocate gigabytes
            "-Dorg.apache.avro.limits.collectionItems.maxLength=10000000",
            "-Dorg.apache.avro.limits.bytes.maxLength=67108864",
            "-Dorg.apache.avro.limits.string.maxLength=16777216");

    /**
     * Module access Flink needs on Java 17, as its distribution's {@code env.java.default-opts.all} gives it (the
     * REST jar runner and Kryo reflect into java.base).
     */
    static final List<String> JDK_MODULE_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private FlinkConfFiles() {
    }

    static Map<String, String> settings(ClusterSpec spec) {
        Path dir = spec.dir().toAbsolutePath();
        Map<String, String> c = new LinkedHashMap<>();
        c.put(JobManagerOptions.ADDRESS.key(), spec.bindHost());
        c.put(JobManagerOptions.PORT.key(), Integer.toString(spec.rpcPort()));
        c.put(JobManagerOptions.BIND_HOST.key(), spec.bindHost());
        c.put(JobManagerOptions.TOTAL_PROCESS_MEMORY.key(), spec.jobManagerMemory());
        c.put(TaskManagerOptions.BIND_HOST.key(), spec.bindHost());
        c.put(TaskManagerOptions.HOST.key(), spec.bindHost());
        c.put(TaskManagerOptions.NUM_TASK_SLOTS.key(), Integer.toString(spec.slotsPerTaskManager()));
        c.put(TaskManagerOptions.TOTAL_PROCESS_MEMORY.key(), spec.taskManagerMemory());
        // PyTorch allocates outside the JVM: reserve it inside the process size rather than beside it
        c.put(TaskManagerOptions.TASK_OFF_HEAP_MEMORY.key(), spec.taskOffHeap());
        // the job keeps its state on the heap (hashmap backend): managed memory would sit unused
        c.put(TaskManagerOptions.MANAGED_MEMORY_SIZE.key(), "64m");
        c.put(RestOptions.ADDRESS.key(), spec.bindHost());
        c.put(RestOptions.BIND_ADDRESS.key(), spec.bindHost());
        c.put(RestOptions.PORT.key(), Integer.toString(spec.restPort()));
        c.put(BlobServerOptions.PORT.key(), "0");
        c.put(CoreOptions.DEFAULT_PARALLELISM.key(), "1");
        c.put(StateBackendOptions.STATE_BACKEND.key(), "hashmap");
        c.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), dir.resolve("checkpoints").toUri().toString());
        c.put(CheckpointingOptions.SAVEPOINT_DIRECTORY.key(), dir.resolve("savepoints").toUri().toString());
        // a killed TaskManager is noticed in seconds: with the defaults the JobManager keeps a dead one ~50 s
        // and spends restart attempts on it (DESIGN 9)
        c.put(HeartbeatManagerOptions.HEARTBEAT_INTERVAL.key(), "1000");
        c.put(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT.key(), "5000");
        // every JVM serves its metrics to Prometheus (one port of the range each)
        c.put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.put("metrics.reporter.prom.port", spec.prometheusPorts());
        // latency of the REST metrics the harness and the benchmark read
        c.put("metrics.fetcher.update-interval", "1000");
        // keep every checkpoint of a benchmark phase in the REST history, not only the last 10
        c.put("web.checkpoints.history", "1000");
        c.put("env.java.opts.all", String.join(" ", JAVA_OPTS));
        c.putAll(spec.flinkConf());
        return c;
    }

    /** Writes conf/config.yaml and conf/log4j.properties; returns the conf folder. */
    static Path write(ClusterSpec spec) {
        Path conf = spec.dir().resolve("conf");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(spec.dir().resolve("log"));
            StringBuilder yaml = new StringBuilder("# written by the alstream cluster harness; flat Flink keys\n");
            for (Map.Entry<String, String> e : settings(spec).entrySet()) {
                yaml.append(e.getKey()).append(": ").append(quote(e.getValue())).append('\n');
            }
            Files.writeString(conf.resolve("config.yaml"), yaml);
            Files.writeString(conf.resolve("log4j.properties"), LOG4J);
            return conf;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster configuration under " + conf, e);
        }
    }

    private static String quote(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static final String LOG4J = """
            # every cluster JVM logs to its own file, log/<name>.log (set by -Dlog.file)
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = MainAppender
            logger.kafka.name = org.apache.kafka
            logger.kafka.level = WARN
            # every transactional producer's id and epoch as it is initialised (fencing is read from these lines)
            logger.kafkatxn.name = org.apache.kafka.clients.producer.internals.TransactionManager
            logger.kafkatxn.level = INFO
            # the exactly-once sink's transactions: each one prepared, committed, recycled or aborted at recovery
            logger.kafkasink.name = org.apache.flink.connector.kafka.sink
            logger.kafkasink.level = DEBUG
            logger.akka.name = org.apache.pekko
            logger.akka.level = WARN
            appender.main.name = MainAppender
            appender.main.type = RollingFile
            appender.main.append = true
            appender.main.fileName = ${sys:log.file}
            appender.main.filePattern = ${sys:log.file}.%i
            appender.main.layout.type = PatternLayout
            appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
            appender.main.policies.type = Policies
            appender.main.policies.size.type = SizeBasedTriggeringPolicy
            appender.main.policies.size.size = 100MB
            appender.main.strategy.type = DefaultRolloverStrategy
            appender.main.strategy.max = 3
            """;
}
