package io.alstream.local.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.alstream.flink.AlstreamJob;
import io.alstream.flink.EmbeddedFlink;
import io.alstream.flink.config.JobConfig;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the alstream job in this process (a Flink MiniCluster) against an external Kafka cluster and schema registry, given by --config/--set (kafka.bootstrap-servers, registry.url, data.feature-dim, data.num-classes, ...). Runs until interrupted. On a Flink cluster submit the job jar with `flink run` instead (see README).")
final class RunCommand implements Callable<Integer> {
    @Mixin
    JobSettingsOptions job;

    @Option(names = "--slots", defaultValue = "2", description = "Task slots of the local TaskManager (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--checkpoint-dir", description = "Where checkpoints go (default: a temporary folder).")
    Path checkpointDir;

    @Override
    public Integer call() throws Exception {
        JobConfig config = JobConfig.of(job.settings());
        AlstreamJob alstream = AlstreamJob.onKafka(config);
        Path checkpoints = checkpointDir != null ? checkpointDir : Files.createTempDirectory("alstream-checkpoints-");
        try (EmbeddedFlink flink = EmbeddedFlink.start(1, slots, checkpoints)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            alstream.configure(env);
            alstream.build(env);
            JobID id = flink.submit(env, AlstreamJob.JOB_NAME);
            flink.awaitRunning(id, Duration.ofSeconds(90));
            System.out.println("alstream job " + id + " running; Flink UI at " + flink.restAddress() + "; Ctrl-C stops it");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            while (!stop.await(5, java.util.concurrent.TimeUnit.SECONDS)) {
                var status = flink.status(id);
                if (status.isGloballyTerminalState()) {
                    System.err.println("the job ended: " + status);
                    return 1;
                }
            }
            flink.cancel(id);
        }
        return 0;
    }
}
