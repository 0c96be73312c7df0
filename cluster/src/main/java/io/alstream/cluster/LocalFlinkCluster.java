package io.alstream.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Flink session cluster on this machine: the JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and each TaskManager ({@code TaskManagerRunner}) in a JVM of its
 * own, started with the memory flags Flink's own scripts compute ({@code BashJavaUtils}), each in its own process
 * session so it outlives the command that started it. The cluster's pids and ports are kept in
 * {@code <dir>/cluster.properties}, so {@link #attach(Path)} from another process can report, kill, restart and
 * stop it. Every failure is a {@link ClusterException} with one sentence; nothing waits without a deadline.
 */
public final class LocalFlinkCluster {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkCluster.class);
    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    static final String STATE_FILE = "cluster.properties";

    private final Path dir;
    private final Properties state;

    private LocalFlinkCluster(Path dir, Properties state) {
        this.dir = dir;
        this.state = state;
    }

    /**
     * Starts the JobManager and the TaskManagers and waits until all TaskManagers have registered.
     *
     * @throws ClusterException when a port is taken, the class path is missing, a cluster already runs in the
     *                          folder, or a JVM exits or does not register within {@code timeout}
     */
    public static LocalFlinkCluster start(ClusterSpec spec, Duration timeout) {
        Path dir = spec.dir().toAbsolutePath();
        checkFlinkLib(spec.flinkLib());
        Optional<LocalFlinkCluster> existing = tryAttach(dir);
        if (existing.isPresent() && existing.get().jobManagerAlive()) {
            throw new ClusterException("a cluster already runs from " + dir + " (JobManager pid "
                    + existing.get().state.getProperty("jm.pid") + "); stop it first with `alstream cluster stop`");
        }
        checkPortFree(spec.bindHost(), spec.restPort(), "Flink REST (--rest-port)");
        checkPortFree(spec.bindHost(), spec.rpcPort(), "JobManager RPC (--rpc-port)");
        Path conf = FlinkConfFiles.write(spec);
        Properties state = new Properties();
        state.setProperty("dir", dir.toString());
        state.setProperty("flink.lib", spec.flinkLib().toAbsolutePath().toString());
        state.setProperty("rest.url", spec.restUrl());
        state.setProperty("task.managers", Integer.toString(spec.taskManagers()));
        state.setProperty("slots", Integer.toString(spec.slotsPerTaskManager()));
        LocalFlinkCluster cluster = new LocalFlinkCluster(dir, state);
        long t0 = System.nanoTime();
        Process jm = cluster.launchJobManager();
        cluster.awaitRest(jm, timeout);
        for (int i = 1; i <= spec.taskManagers(); i++) {
            cluster.startTaskManager(i);
        }
        cluster.awaitTaskManagers(spec.taskManagers(), timeout);
        LOG.info("Flink cluster up in {} ms: JobManager pid {}, {} TaskManager(s), REST {}",
                (System.nanoTime() - t0) / 1_000_000, jm.pid(), spec.taskManagers(), spec.restUrl());
        return cluster;
    }

    /** The cluster whose state file is in {@code dir}, started earlier (by this or another process). */
    public static LocalFlinkCluster attach(Path dir) {
        return tryAttach(dir.toAbsolutePath()).orElseThrow(() -> new ClusterException(
                "no cluster was started from " + dir.toAbsolutePath() + " (no " + STATE_FILE + "); start one with `alstream cluster start`"));
    }

    private static Optional<LocalFlinkCluster> tryAttach(Path dir) {
        Path file = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new ClusterException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return Optional.of(new LocalFlinkCluster(dir, p));
    }

    public Path dir() {
        return dir;
    }

    public FlinkRest rest() {
        return new FlinkRest(state.getProperty("rest.url"));
    }

    public String restUrl() {
        return state.getProperty("rest.url");
    }

    /** Indices of the TaskManagers started so far (killed ones included). */
    public List<Integer> taskManagerIndices() {
        List<Integer> l = new ArrayList<>();
        for (String k : new TreeMap<>(state).keySet().stream().map(Object::toString).toList()) {
            if (k.startsWith("tm.") && k.endsWith(".pid")) {
                l.add(Integer.parseInt(k.substring(3, k.length() - 4)));
            }
        }
        l.sort(Integer::compare);
        return l;
    }

    public long jobManagerPid() {
        return Long.parseLong(state.getProperty("jm.pid", "-1"));
    }

    public long taskManagerPid(int index) {
        String pid = state.getProperty("tm." + index + ".pid");
        if (pid == null) {
            throw new ClusterException("TaskManager " + index + " was never started here; known: " + taskManagerIndices());
        }
        return Long.parseLong(pid);
    }

    public boolean jobManagerAlive() {
        return alive(jobManagerPid());
    }

    public boolean taskManagerAlive(int index) {
        return alive(taskManagerPid(index));
    }

    private Process launchJobManager() {
        List<String> jmParams = bashJavaUtils(Path.of(state.getProperty("flink.lib")), dir.resolve("conf"), "GET_JM_RESOURCE_PARAMS");
        Process jm = launch("jobmanager", JOB_MANAGER_MAIN, splitFlags(jmParams.get(0)),
                jmParams.size() > 1 ? splitFlags(jmParams.get(1)) : List.of());
        state.setProperty("jm.pid", Long.toString(jm.pid()));
        state.setProperty("jm.starts", Integer.toString(Integer.parseInt(state.getProperty("jm.starts", "0")) + 1));
        saveState();
        return jm;
    }

    /**
     * Kills the JobManager as a crash would ({@code kill -9}) and waits until it is gone. Without high availability
     * the jobs it ran are lost with it (their retained checkpoints stay on disk: {@link #latestRetainedCheckpoint});
     * the TaskManagers keep running and register again with the next JobManager on the same address.
     */
    public void killJobManager() {
        long pid = jobManagerPid();
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() ->
                new ClusterException("the JobManager (pid " + pid + ") is not running"));
        h.destroyForcibly();
        try {
            h.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new ClusterException("the JobManager (pid " + pid + ") did not die within 30 s of kill -9", e);
        }
        LOG.warn("JobManager (pid {}) killed", pid);
    }

    /**
     * Starts a fresh JobManager JVM on the same configuration, ports and folder (after {@link #killJobManager()}) and
     * waits until its REST API answers. Jobs are not recovered by it (no high availability): resubmit them from
     * their retained checkpoints.
     */
    public long restartJobManager(Duration timeout) {
        if (jobManagerAlive()) {
            throw new ClusterException("the JobManager still runs (pid " + jobManagerPid() + ")");
        }
        int rpc = Integer.parseInt(confValue("jobmanager.rpc.port", "-1"));
        int restPort = java.net.URI.create(restUrl()).getPort();
        String host = java.net.URI.create(restUrl()).getHost();
        awaitPortFree(host, restPort, "Flink REST", timeout);
        if (rpc > 0) {
            awaitPortFree(host, rpc, "JobManager RPC", timeout);
        }
        Process jm = launchJobManager();
        awaitRest(jm, timeout);
        LOG.info("JobManager restarted, pid {}", jm.pid());
        return jm.pid();
    }

    /**
     * The newest complete checkpoint a job left in this cluster's checkpoint folder
     * ({@code checkpoints/<job id>/chk-<n>} with its {@code _metadata}), e.g. to resubmit it after its JobManager was
     * lost.
     */
    public Optional<Path> latestRetainedCheckpoint(String jobId) {
        Path jobDir = dir.resolve("checkpoints").resolve(jobId);
        if (!Files.isDirectory(jobDir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(jobDir)) {
            return s.filter(p -> p.getFileName().toString().matches("chk-\\d+") && Files.isRegularFile(p.resolve("_metadata")))
                    .max(java.util.Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))));
        } catch (IOException e) {
            throw new ClusterException("cannot list " + jobDir + ": " + e.getMessage(), e);
        }
    }

    /** Index of the TaskManager whose Flink resource id is {@code resourceId} ({@code tm-<index>-<start>}), or -1. */
    public static int taskManagerIndexOf(String resourceId) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tm-(\\d+)-\\d+").matcher(resourceId == null ? "" : resourceId);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private String confValue(String key, String otherwise) {
        try {
            for (String line : Files.readAllLines(dir.resolve("conf").resolve("config.yaml"))) {
                if (line.startsWith(key + ":")) {
                    return line.substring(key.length() + 1).trim().replace("\"", "");
                }
            }
        } catch (IOException e) {
            throw new ClusterException("cannot read the cluster's configuration: " + e.getMessage(), e);
        }
        return otherwise;
    }

    private static void awaitPortFree(String host, int port, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                checkPortFree(host, port, what);
                return;
            } catch (ClusterException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(250);
            }
        }
    }

    /** Starts TaskManager {@code index} (again, after a kill): a new JVM with a new resource id. */
    public long startTaskManager(int index) {
        if (state.containsKey("tm." + index + ".pid") && taskManagerAlive(index)) {
            throw new ClusterException("TaskManager " + index + " still runs (pid " + taskManagerPid(index) + ")");
        }
        Path conf = dir.resolve("conf");
        Path lib = Path.of(state.getProperty("flink.lib"));
        List<String> params = bashJavaUtils(lib, conf, "GET_TM_RESOURCE_PARAMS");
        int attempt = Integer.parseInt(state.getProperty("tm." + index + ".starts", "0")) + 1;
        List<String> args = new ArrayList<>(params.size() > 1 ? splitFlags(params.get(1)) : List.of());
        args.add("-D");
        args.add("taskmanager.resource-id=tm-" + index + "-" + attempt);
        Process p = launch("taskmanager-" + index, TASK_MANAGER_MAIN, splitFlags(params.get(0)), args);
        state.setProperty("tm." + index + ".pid", Long.toString(p.pid()));
        state.setProperty("tm." + index + ".starts", Integer.toString(attempt));
        saveState();
        LOG.info("TaskManager {} started, pid {}", index, p.pid());
        return p.pid();
    }

    /** Kills TaskManager {@code index} as a crash would ({@code kill -9}) and waits until it is gone. */
    public void killTaskManager(int index) {
        long pid = taskManagerPid(index);
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() ->
                new ClusterException("TaskManager " + index + " (pid " + pid + ") is not running"));
        h.destroyForcibly();
        try {
            h.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new ClusterException("TaskManager " + index + " (pid " + pid + ") did not die within 30 s of kill -9", e);
        }
        LOG.warn("TaskManager {} (pid {}) killed", index, pid);
    }

    /** Waits until {@code count} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        FlinkRest rest = rest();
        int seen = -1;
        while (System.nanoTime() < deadline) {
            if (!jobManagerAlive()) {
                throw new ClusterException("the JobManager (pid " + jobManagerPid() + ") exited; see " + logFile("jobmanager"));
            }
            for (int i : taskManagerIndices()) {
                if (!taskManagerAlive(i) && seen < count) {
                    // a TaskManager that dies before registering never will
                    JsonNode tms = rest.reachable() ? rest.taskManagers() : null;
                    if (tms == null || tms.size() < count) {
                        throw new ClusterException("TaskManager " + i + " exited before registering; see " + logFile("taskmanager-" + i)
                                + lastLines(logFile("taskmanager-" + i).resolveSibling("taskmanager-" + i + ".out")));
                    }
                }
            }
            seen = rest.reachable() ? rest.taskManagers().size() : 0;
            if (seen >= count) {
                return;
            }
            sleep(250);
        }
        throw new ClusterException(seen + " of " + count + " TaskManagers registered within " + timeout.toSeconds()
                + " s; see the logs in " + dir.resolve("log"));
    }

    /** Waits until the job is RUNNING with every task running (not only scheduled). */
    public void awaitJobRunning(String jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "unknown";
        while (System.nanoTime() < deadline) {
            JsonNode job = rest().job(jobId);
            last = job.path("state").asText();
            if (List.of("FAILED", "CANCELED", "FINISHED").contains(last)) {
                throw new ClusterException("job " + jobId + " ended as " + last + " while starting; see "
                        + restUrl() + "/jobs/" + jobId + "/exceptions");
            }
            if ("RUNNING".equals(last) && allTasksRunning(job)) {
                return;
            }
            sleep(250);
        }
        throw new ClusterException("job " + jobId + " not running within " + timeout.toSeconds() + " s (state " + last + ")");
    }

    private static boolean allTasksRunning(JsonNode job) {
        for (JsonNode v : job.path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return job.path("vertices").size() > 0;
    }

    /**
     * Stops the cluster: SIGTERM to every JVM, SIGKILL to any still alive after {@code grace}. Returns how many
     * processes had to be killed.
     */
    public int stop(Duration grace) {
        List<ProcessHandle> handles = new ArrayList<>();
        for (int i : taskManagerIndices()) {
            ProcessHandle.of(taskManagerPid(i)).ifPresent(handles::add);
        }
        ProcessHandle.of(jobManagerPid()).ifPresent(handles::add);
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        int killed = 0;
        for (ProcessHandle h : handles) {
            long left = Math.max(1, deadline - System.nanoTime());
            try {
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
                killed++;
            }
        }
        try {
            Files.deleteIfExists(dir.resolve(STATE_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.info("Flink cluster in {} stopped ({} process(es) needed SIGKILL)", dir, killed);
        return killed;
    }

    public Path logFile(String name) {
        return dir.resolve("log").resolve(name + ".log");
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Environment variable with extra JVM flags for every cluster JVM (a profiler, GC logging); {name} = the JVM's name. */
    public static final String EXTRA_JVM_FLAGS_ENV = "ALSTREAM_CLUSTER_JVM_OPTS";

    /**
     * The flags of {@value #EXTRA_JVM_FLAGS_ENV}, split on white space, with {@code {name}} replaced by the JVM's
     * name ({@code jobmanager}, {@code taskmanager-0}, ...) so that each writes its own file, e.g.
     * {@code -XX:StartFlightRecording=filename=/tmp/{name}.jfr,settings=profile}.
     */
    static List<String> extraJvmFlags(String name) {
        String v = System.getenv(EXTRA_JVM_FLAGS_ENV);
        List<String> flags = new ArrayList<>();
        if (v != null) {
            for (String f : v.trim().split("\\s+")) {
                if (!f.isEmpty()) {
                    flags.add(f.replace("{name}", name));
                }
            }
        }
        return flags;
    }

    private Process launch(String name, String mainClass, List<String> jvmFlags, List<String> programArgs) {
        Path lib = Path.of(state.getProperty("flink.lib"));
        Path conf = dir.resolve("conf");
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid"); // its own session: a Ctrl-C on the starting terminal does not reach it
        }
        cmd.add(javaBinary());
        cmd.addAll(jvmFlags);
        cmd.addAll(FlinkConfFiles.JDK_MODULE_OPTS);
        cmd.addAll(FlinkConfFiles.JAVA_OPTS);
        cmd.addAll(extraJvmFlags(name));
        cmd.add("-Dlog.file=" + logFile(name));
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        cmd.add("-classpath");
        cmd.add(classPath(lib));
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(conf.toString());
        cmd.addAll(programArgs);
        try {
            Path out = dir.resolve("log").resolve(name + ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            // with setsid the child's pid is the JVM's pid (setsid execs when it is not a group leader)
            return p;
        } catch (IOException e) {
            throw new ClusterException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    private void awaitRest(Process jm, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        FlinkRest rest = rest();
        while (System.nanoTime() < deadline) {
            if (!jm.isAlive()) {
                throw new ClusterException("the JobManager exited with code " + jm.exitValue() + " while starting; see "
                        + logFile("jobmanager") + lastLines(dir.resolve("log").resolve("jobmanager.out")));
            }
            if (rest.reachable()) {
                return;
            }
            sleep(250);
        }
        throw new ClusterException("the JobManager's REST API did not answer at " + restUrl() + " within "
                + timeout.toSeconds() + " s; see " + logFile("jobmanager"));
    }

    /** Runs Flink's BashJavaUtils as the start scripts do; returns its result lines (JVM flags, dynamic settings). */
    static List<String> bashJavaUtils(Path lib, Path conf, String command) {
        List<String> cmd = List.of(javaBinary(), "-classpath", classPath(lib), BASH_JAVA_UTILS, command,
                "--configDir", conf.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new ClusterException("Flink could not compute the memory settings (" + command + "): "
                        + tail(new String(out, StandardCharsets.UTF_8)));
            }
            List<String> result = new ArrayList<>();
            for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith(RESULT_PREFIX)) {
                    result.add(line.substring(RESULT_PREFIX.length()).trim());
                }
            }
            if (result.isEmpty()) {
                throw new ClusterException("Flink's BashJavaUtils " + command + " printed no result: " + tail(new String(out, StandardCharsets.UTF_8)));
            }
            return result;
        } catch (IOException e) {
            throw new ClusterException("cannot run Flink's BashJavaUtils: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while computing Flink's memory settings", e);
        }
    }

    static List<String> splitFlags(String line) {
        return Arrays.stream(line.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    static void checkFlinkLib(Path lib) {
        boolean ok;
        try (Stream<Path> s = Files.isDirectory(lib) ? Files.list(lib) : Stream.empty()) {
            ok = s.anyMatch(p -> p.getFileName().toString().startsWith("flink-runtime-"));
        } catch (IOException e) {
            ok = false;
        }
        if (!ok) {
            throw new ClusterException("no Flink class path at " + lib + " (flink-runtime jar missing); build it with "
                    + "`mvn -B -ntp package -DskipTests`");
        }
    }

    static void checkPortFree(String host, int port, String what) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(host))) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new ClusterException("port " + port + " for " + what + " on " + host + " is taken; stop what holds it or choose another port");
        }
    }

    private static String classPath(Path lib) {
        return lib.toAbsolutePath() + "/*";
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static boolean alive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private void saveState() {
        try (var w = Files.newBufferedWriter(dir.resolve(STATE_FILE))) {
            state.store(w, "alstream local Flink cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lastLines(Path file) {
        try {
            return Files.isRegularFile(file) ? "; its last output:\n" + tail(Files.readString(file)) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String s) {
        String[] lines = s.split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 15), lines.length));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for the cluster", e);
        }
    }
}
