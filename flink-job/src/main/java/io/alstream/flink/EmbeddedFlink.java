package io.alstream.flink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink MiniCluster in this JVM: one JobManager and a few TaskManagers, checkpoints written to a
 * folder. It runs the same job graph a real cluster would; {@link #killTaskManager(int)} is the
 * failure a restart-from-checkpoint test needs.
 */
public final class EmbeddedFlink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFlink.class);

    private final MiniCluster cluster;

    private EmbeddedFlink(MiniCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * @param taskManagers   number of TaskManagers
     * @param slotsPerTaskManager task slots on each
     * @param checkpointDir  where checkpoints go (model state can exceed the JobManager's in-memory limit)
     */
    public static EmbeddedFlink start(int taskManagers, int slotsPerTaskManager, Path checkpointDir) throws Exception {
        return start(taskManagers, slotsPerTaskManager, checkpointDir, new Configuration());
    }

    /**
     * As above, with Flink settings of the caller's on top (a metrics reporter, the REST bind address, ...). The REST
     * API and web UI listen on 127.0.0.1, a free port, unless {@code settings} says otherwise.
     */
    public static EmbeddedFlink start(int taskManagers, int slotsPerTaskManager, Path checkpointDir, Configuration settings)
            throws Exception {
        long t0 = System.nanoTime();
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(32));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(32));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(32));
        // a killed TaskManager is noticed within seconds, not the default ~50 s
        conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
        conf.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofSeconds(5));
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.addAll(settings);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(taskManagers)
                .setNumSlotsPerTaskManager(slotsPerTaskManager)
                .build());
        cluster.start();
        LOG.info("Flink MiniCluster ready in {} ms: {} TaskManager(s) x {} slots, checkpoints in {}",
                (System.nanoTime() - t0) / 1_000_000, taskManagers, slotsPerTaskManager, checkpointDir);
        return new EmbeddedFlink(cluster);
    }

    /** Submits what the environment describes and returns at once. */
    public JobID submit(StreamExecutionEnvironment env, String jobName) throws Exception {
        return submit(env, jobName, null);
    }

    /**
     * Submits, restoring from a checkpoint or savepoint when {@code restoreFrom} is given (every operator's state
     * must find its operator: a topology that changed is refused, not half-restored).
     */
    public JobID submit(StreamExecutionEnvironment env, String jobName, Path restoreFrom) throws Exception {
        var graph = env.getStreamGraph();
        graph.setJobName(jobName);
        JobGraph job = graph.getJobGraph(Thread.currentThread().getContextClassLoader());
        if (restoreFrom != null) {
            job.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom.toUri().toString(), false));
        }
        return cluster.submitJob(job).get(60, TimeUnit.SECONDS).getJobID();
    }

    public JobStatus status(JobID id) throws Exception {
        return cluster.getJobStatus(id).get(10, TimeUnit.SECONDS);
    }

    /** Waits until the job runs (all tasks deployed or not, the scheduler has accepted it). */
    public void awaitRunning(JobID id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JobStatus s = status(id);
            if (s == JobStatus.RUNNING) {
                return;
            }
            if (s.isTerminalState()) {
                throw new IllegalStateException("job " + id + " ended as " + s + ": "
                        + cluster.requestJobResult(id).get().getSerializedThrowable()
                        .map(t -> t.getFullStringifiedStackTrace()).orElse("no error"));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("job " + id + " not running after " + timeout);
    }

    /** Stops TaskManager {@code index} as a crash would: its tasks fail and the job restarts from a checkpoint. */
    public void killTaskManager(int index) throws Exception {
        cluster.terminateTaskManager(index).get(30, TimeUnit.SECONDS);
        LOG.warn("TaskManager {} terminated", index);
    }

    /**
     * How often the job was restarted so far: the highest attempt number over its tasks (0 = the tasks
     * still run in their first attempt).
     */
    public int restarts(JobID id) throws Exception {
        int max = 0;
        for (var v : cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getAllExecutionVertices()) {
            max = Math.max(max, v.getCurrentExecutionAttempt().getAttemptNumber());
        }
        return max;
    }

    public void startTaskManager() throws Exception {
        cluster.startTaskManager();
    }

    public void cancel(JobID id) throws Exception {
        cluster.cancelJob(id).get(30, TimeUnit.SECONDS);
    }

    /** The REST address (Flink web UI and metrics API). */
    public String restAddress() throws Exception {
        return cluster.getRestAddress().get(10, TimeUnit.SECONDS).toString();
    }

    public MiniCluster miniCluster() {
        return cluster;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
