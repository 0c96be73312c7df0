package io.alstream.local.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.alstream.cluster.ClusterException;
import io.alstream.cluster.ClusterLayout;
import io.alstream.cluster.ClusterSpec;
import io.alstream.cluster.FlinkRest;
import io.alstream.cluster.LocalFlinkCluster;
import io.alstream.flink.config.JobConfig;

/**
 * {@code alstream cluster start|status|submit|cancel|kill-tm|start-tm|stop}: a real Flink session cluster on this
 * machine (JobManager and TaskManagers as separate JVMs), for trying the job as it runs in production and for the
 * cluster benchmark and failure tests. Errors are one sentence and exit code 1 (2 for bad settings).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "A real Flink session cluster on this machine: a JobManager and N TaskManagers, each its own JVM, "
                + "started from the project's jars (cluster/target/flink-lib); the job jar submitted over Flink's REST API.",
        subcommands = {ClusterCommand.Start.class, ClusterCommand.Status.class, ClusterCommand.Submit.class,
                ClusterCommand.Cancel.class, ClusterCommand.KillTaskManager.class, ClusterCommand.StartTaskManager.class,
                ClusterCommand.Stop.class},
        footer = {"", "Example:  alstream cluster start --task-managers 2 && alstream cluster submit --config job.properties",
                "          alstream cluster status;  alstream cluster kill-tm 1;  alstream cluster start-tm 1;  alstream cluster stop"})
final class ClusterCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final Path DEFAULT_DIR = Path.of(System.getProperty("java.io.tmpdir"), "alstream-cluster");

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class DirOption {
        @Option(names = "--dir", description = "The cluster's folder: conf/, log/, checkpoints/, pids (default: ${DEFAULT-VALUE}).")
        Path dir = DEFAULT_DIR;
    }

    /** Runs the body; a ClusterException becomes one line on stderr and exit code 1. */
    static int guarded(Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (ClusterException e) {
            System.err.println("alstream cluster: " + e.getMessage());
            return 1;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start a JobManager and the TaskManagers; returns once every TaskManager has registered.")
    static final class Start implements Callable<Integer> {
        @Mixin
        DirOption dir;
        @Option(names = "--task-managers", defaultValue = "2", description = "TaskManager JVMs (default ${DEFAULT-VALUE}).")
        int taskManagers;
        @Option(names = "--slots", defaultValue = "1", description = "Task slots per TaskManager (default ${DEFAULT-VALUE}).")
        int slots;
        @Option(names = "--rest-port", defaultValue = "18081", description = "Flink REST API and web UI (default ${DEFAULT-VALUE}).")
        int restPort;
        @Option(names = "--rpc-port", defaultValue = "16123", description = "JobManager RPC (default ${DEFAULT-VALUE}).")
        int rpcPort;
        @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address every port binds to (default ${DEFAULT-VALUE}).")
        String bind;
        @Option(names = "--jm-memory", defaultValue = "1024m", description = "JobManager process size (default ${DEFAULT-VALUE}).")
        String jmMemory;
        @Option(names = "--tm-memory", defaultValue = "2048m", description = "TaskManager process size (default ${DEFAULT-VALUE}).")
        String tmMemory;
        @Option(names = "--tm-off-heap", defaultValue = "512m", description = "Task off-heap memory per TaskManager, for DJL's natives (default ${DEFAULT-VALUE}).")
        String offHeap;
        @Option(names = "--flink", paramLabel = "KEY=VALUE", description = "Any further Flink setting for config.yaml (repeatable).")
        Map<String, String> flink = new LinkedHashMap<>();
        @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for the cluster (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                ClusterSpec spec = new ClusterSpec(dir.dir, ClusterLayout.flinkLib(), taskManagers, slots, bind, restPort,
                        rpcPort, jmMemory, tmMemory, offHeap, "9250-9290", flink);
                System.out.println("starting a Flink cluster in " + dir.dir.toAbsolutePath() + ": 1 JobManager, "
                        + taskManagers + " TaskManager(s) x " + slots + " slot(s) ...");
                LocalFlinkCluster c = LocalFlinkCluster.start(spec, Duration.ofSeconds(timeoutSeconds));
                System.out.println("cluster up: web UI and REST " + c.restUrl() + ", JobManager pid " + c.jobManagerPid()
                        + ", logs in " + c.dir().resolve("log"));
                return 0;
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Processes, registered TaskManagers, jobs and their last checkpoint.")
    static final class Status implements Callable<Integer> {
        @Mixin
        DirOption dir;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                LocalFlinkCluster c = LocalFlinkCluster.attach(dir.dir);
                System.out.println("JobManager  pid " + c.jobManagerPid() + (c.jobManagerAlive() ? "  running" : "  NOT RUNNING"));
                for (int i : c.taskManagerIndices()) {
                    System.out.println("TaskManager " + i + " pid " + c.taskManagerPid(i) + (c.taskManagerAlive(i) ? "  running" : "  NOT RUNNING"));
                }
                FlinkRest rest = c.rest();
                if (!rest.reachable()) {
                    System.out.println("REST " + c.restUrl() + " does not answer");
                    return 1;
                }
                JsonNode o = rest.overview();
                System.out.println("REST " + c.restUrl() + ": " + o.path("taskmanagers").asInt() + " TaskManager(s) registered, "
                        + o.path("slots-available").asInt() + "/" + o.path("slots-total").asInt() + " slots free");
                for (Map.Entry<String, String> j : rest.jobs().entrySet()) {
                    JsonNode cp = rest.checkpoints(j.getKey());
                    JsonNode last = cp.path("latest").path("completed");
                    System.out.println("job " + j.getKey() + "  " + j.getValue() + "  checkpoints completed "
                            + cp.path("counts").path("completed").asInt() + ", failed " + cp.path("counts").path("failed").asInt()
                            + (last.isMissingNode() || last.isNull() ? "" : ", last #" + last.path("id").asLong() + " "
                            + last.path("checkpointed_size").asLong() / 1024 + " KiB in " + last.path("end_to_end_duration").asLong() + " ms"));
                }
                return 0;
            });
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Upload the job jar and run the alstream job (or another entry class) on the cluster; prints the job id.")
    static final class Submit implements Callable<Integer> {
        @Mixin
        DirOption dir;
        @Mixin
        JobSettingsOptions job;
        @Option(names = "--jar", description = "The job jar (default: flink-job/target/alstream-flink-job-*-job.jar).")
        Path jar;
        @Option(names = "--entry-class", description = "Main class in the jar (default: the jar's, io.alstream.flink.AlstreamJob).")
        String entryClass;
        @Option(names = "--wait", defaultValue = "120", description = "Seconds to wait until every task runs (default ${DEFAULT-VALUE}; 0 = do not wait).")
        int waitSeconds;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                Map<String, String> settings = job.settings();
                JobConfig config = JobConfig.of(settings); // bad settings fail here, not on the cluster
                LocalFlinkCluster c = LocalFlinkCluster.attach(dir.dir);
                FlinkRest rest = c.rest();
                String jarId = rest.uploadJar(jar != null ? jar : ClusterLayout.jobJar());
                List<String> args = new ArrayList<>();
                for (Map.Entry<String, String> e : settings.entrySet()) {
                    args.add("--set");
                    args.add(e.getKey() + "=" + e.getValue());
                }
                String id = rest.runJar(jarId, entryClass, args, config.get(io.alstream.flink.config.JobOptions.PARALLELISM));
                if (waitSeconds > 0) {
                    c.awaitJobRunning(id, Duration.ofSeconds(waitSeconds));
                }
                System.out.println(id);
                return 0;
            });
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a job.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        DirOption dir;
        @Parameters(paramLabel = "JOB_ID")
        String jobId;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                LocalFlinkCluster.attach(dir.dir).rest().cancel(jobId);
                return 0;
            });
        }
    }

    @Command(name = "kill-tm", mixinStandardHelpOptions = true, description = "kill -9 TaskManager N (1-based), as a crash would.")
    static final class KillTaskManager implements Callable<Integer> {
        @Mixin
        DirOption dir;
        @Parameters(paramLabel = "N")
        int index;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                LocalFlinkCluster c = LocalFlinkCluster.attach(dir.dir);
                long pid = c.taskManagerPid(index);
                c.killTaskManager(index);
                System.out.println("TaskManager " + index + " (pid " + pid + ") killed");
                return 0;
            });
        }
    }

    @Command(name = "start-tm", mixinStandardHelpOptions = true, description = "Start TaskManager N (again) and wait until it registers.")
    static final class StartTaskManager implements Callable<Integer> {
        @Mixin
        DirOption dir;
        @Parameters(paramLabel = "N")
        int index;
        @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for it to register (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                LocalFlinkCluster c = LocalFlinkCluster.attach(dir.dir);
                int before = c.rest().taskManagers().size();
                long pid = c.startTaskManager(index);
                c.awaitTaskManagers(before + 1, Duration.ofSeconds(timeoutSeconds));
                System.out.println("TaskManager " + index + " started, pid " + pid);
                return 0;
            });
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop every JVM of the cluster (SIGTERM, then SIGKILL after the grace period).")
    static final class Stop implements Callable<Integer> {
        @Mixin
        DirOption dir;
        @Option(names = "--grace", defaultValue = "20", description = "Seconds before SIGKILL (default ${DEFAULT-VALUE}).")
        int graceSeconds;

        @Override
        public Integer call() throws Exception {
            return guarded(() -> {
                int killed = LocalFlinkCluster.attach(dir.dir).stop(Duration.ofSeconds(graceSeconds));
                System.out.println("cluster stopped" + (killed > 0 ? " (" + killed + " process(es) needed SIGKILL)" : ""));
                return 0;
            });
        }
    }
}
