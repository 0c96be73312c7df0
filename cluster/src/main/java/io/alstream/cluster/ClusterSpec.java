package io.alstream.cluster;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link LocalFlinkCluster} looks like: where it lives, how many TaskManagers with how many slots, its
 * ports and memory. Every field has a default that fits the 2-core, 24 GiB build machine; {@link #flinkConf()}
 * takes any further Flink setting (it wins over the harness's own).
 *
 * @param dir                 the cluster's home: conf/, log/, checkpoints/, savepoints/ and the state file
 * @param flinkLib            the class path of every cluster JVM (the cluster module's target/flink-lib)
 * @param taskManagers        TaskManager JVMs to start
 * @param slotsPerTaskManager task slots in each
 * @param bindHost            every port binds here; 127.0.0.1 keeps the cluster off the network
 * @param restPort            the JobManager's REST API and web UI
 * @param rpcPort             the JobManager's RPC port
 * @param jobManagerMemory    {@code jobmanager.memory.process.size}
 * @param taskManagerMemory   {@code taskmanager.memory.process.size}
 * @param taskOffHeap         {@code taskmanager.memory.task.off-heap.size}: room for DJL's native (PyTorch) memory
 * @param prometheusPorts     the Prometheus reporter's port range (one port per JVM)
 * @param flinkConf           extra Flink settings
 */
public record ClusterSpec(Path dir, Path flinkLib, int taskManagers, int slotsPerTaskManager, String bindHost,
                          int restPort, int rpcPort, String jobManagerMemory, String taskManagerMemory,
                          String taskOffHeap, String prometheusPorts, Map<String, String> flinkConf) {

    public static final int DEFAULT_REST_PORT = 18081;
    public static final int DEFAULT_RPC_PORT = 16123;

    public ClusterSpec {
        if (taskManagers < 1) {
            throw new ClusterException("a cluster needs at least one TaskManager, not " + taskManagers);
        }
        if (slotsPerTaskManager < 1) {
            throw new ClusterException("a TaskManager needs at least one slot, not " + slotsPerTaskManager);
        }
        flinkConf = Map.copyOf(flinkConf);
    }

    /** The defaults: 2 TaskManagers of 1 slot, ports 18081 (REST) and 16123 (RPC) on 127.0.0.1. */
    public static ClusterSpec defaults(Path dir, Path flinkLib) {
        return new ClusterSpec(dir, flinkLib, 2, 1, "127.0.0.1", DEFAULT_REST_PORT, DEFAULT_RPC_PORT,
                "1024m", "2048m", "512m", "9250-9290", Map.of());
    }

    public ClusterSpec withTaskManagers(int n, int slots) {
        return new ClusterSpec(dir, flinkLib, n, slots, bindHost, restPort, rpcPort, jobManagerMemory,
                taskManagerMemory, taskOffHeap, prometheusPorts, flinkConf);
    }

    public ClusterSpec withPorts(int rest, int rpc) {
        return new ClusterSpec(dir, flinkLib, taskManagers, slotsPerTaskManager, bindHost, rest, rpc,
                jobManagerMemory, taskManagerMemory, taskOffHeap, prometheusPorts, flinkConf);
    }

    public ClusterSpec withMemory(String jm, String tm, String offHeap) {
        return new ClusterSpec(dir, flinkLib, taskManagers, slotsPerTaskManager, bindHost, restPort, rpcPort,
                jm, tm, offHeap, prometheusPorts, flinkConf);
    }

    public ClusterSpec withPrometheusPorts(String range) {
        return new ClusterSpec(dir, flinkLib, taskManagers, slotsPerTaskManager, bindHost, restPort, rpcPort,
                jobManagerMemory, taskManagerMemory, taskOffHeap, range, flinkConf);
    }

    public ClusterSpec withFlinkConf(Map<String, String> more) {
        Map<String, String> m = new LinkedHashMap<>(flinkConf);
        m.putAll(more);
        return new ClusterSpec(dir, flinkLib, taskManagers, slotsPerTaskManager, bindHost, restPort, rpcPort,
                jobManagerMemory, taskManagerMemory, taskOffHeap, prometheusPorts, m);
    }

    public String restUrl() {
        return "http://" + bindHost + ":" + restPort;
    }
}
