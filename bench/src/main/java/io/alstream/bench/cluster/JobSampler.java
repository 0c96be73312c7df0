package io.alstream.bench.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.alstream.cluster.FlinkRest;

/**
 * Reads a running job's metrics over Flink's REST API once a second: records out of the Kafka events source (the
 * job's intake), events scored, model bytes received by the scorers, the trainer's fold in progress, labels
 * folded and retrains, and each vertex's busy time. A sample is one row of the benchmark's timeline.
 */
final class JobSampler {
    /** One reading; counters are cumulative, NaN where the job has no such metric. */
    record Sample(double t, double sourceOut, double scored, double modelBytes, double foldInProgressMs,
                  double labelsFolded, double refreshes, Map<String, Double> busyMsPerSecond,
                  Map<String, Double> backPressuredMsPerSecond, ModelUpdateTime modelUpdates, Map<String, Double> cpuSeconds) {
    }

    /**
     * What following the model cost the scoring tasks so far (sums over subtasks): full snapshots installed (decoded
     * and installed on the task thread) and the microseconds that took, deltas' in-place updates and their
     * microseconds; NaN where the job has no such metric.
     */
    record ModelUpdateTime(double snapshots, double snapshotMicros, double snapshotsReanchored, double deltaUpdates,
                           double deltaMicros) {
    }

    /** Process names in the CPU table: the machine's busy time, and the part of it at a positive nice value. */
    static final String MACHINE = "machine (all processes)";
    static final String NICED = "machine, niced processes (other benchmarks)";
    /** The machine's busy time less the run's own JVMs: everything else running (another engineer's work included). */
    static final String OTHERS = "machine, all but this run's JVMs";

    private final FlinkRest rest;
    private final String jobId;
    private final Map<String, String> vertices;
    private final String source;
    private final String scorer;
    private final String trainer;
    private final long t0 = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, Long> processes;

    /** @param processes the JVMs whose CPU time each sample reads, by name (pid) */
    JobSampler(FlinkRest rest, String jobId, Map<String, Long> processes) {
        this.rest = rest;
        this.jobId = jobId;
        this.processes = processes;
        this.vertices = rest.vertices(jobId);
        this.source = find("kafka-events");
        this.scorer = find("score-and-select");
        this.trainer = find("trainer");
    }

    /** The vertex whose (chained) operator names start with {@code first}, or that holds an operator of that name. */
    private String find(String first) {
        for (Map.Entry<String, String> e : vertices.entrySet()) {
            String n = e.getKey();
            if (n.startsWith(first) || n.contains(": " + first) || n.contains("> " + first)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Takes one sample now and keeps it. */
    Sample sample() {
        double t = (System.nanoTime() - t0) / 1e9;
        double out = metric(source, id -> id.contains("kafka-events") && id.endsWith(".numRecordsOut"), "sum");
        double scored = metric(scorer, id -> id.endsWith("alstream.events_scored"), "sum");
        double bytes = metric(scorer, id -> id.endsWith("alstream.model_bytes_received"), "sum");
        // a retrain in progress: on the task thread (a long fold, the first design) or on the retrain thread
        double fold = metric(trainer, id -> id.endsWith("alstream.fold_in_progress_ms"), "max");
        double retrain = metric(trainer, id -> id.endsWith("alstream.retrain_in_progress_ms"), "max");
        fold = Double.isNaN(fold) ? retrain : Double.isNaN(retrain) ? fold : Math.max(fold, retrain);
        double folded = metric(trainer, id -> id.endsWith("alstream.labels_folded"), "sum");
        double refreshes = metric(trainer, id -> id.endsWith("alstream.model_refreshes"), "sum");
        Map<String, Double> busy = new LinkedHashMap<>();
        Map<String, Double> backPressured = new LinkedHashMap<>();
        for (Map.Entry<String, String> v : vertices.entrySet()) {
            busy.put(v.getKey(), metric(v.getValue(), id -> id.equals("busyTimeMsPerSecond"), "avg"));
            backPressured.put(v.getKey(), metric(v.getValue(), id -> id.equals("backPressuredTimeMsPerSecond"), "avg"));
        }
        ModelUpdateTime updates = new ModelUpdateTime(
                metric(scorer, id -> id.endsWith("alstream.model_snapshots_applied"), "sum"),
                metric(scorer, id -> id.endsWith("alstream.model_snapshot_install_us"), "sum"),
                metric(scorer, id -> id.endsWith("alstream.model_snapshots_reanchored"), "sum"),
                metric(scorer, id -> id.endsWith("alstream.model_updates_in_place"), "sum"),
                metric(scorer, id -> id.endsWith("alstream.model_delta_apply_us"), "sum"));
        Map<String, Double> cpu = new LinkedHashMap<>();
        processes.forEach((name, pid) -> cpu.put(name, ProcessCpu.seconds(pid)));
        double[] machine = ProcessCpu.machine();
        cpu.put(MACHINE, machine[0]);
        cpu.put(NICED, machine[1]);
        Sample s = new Sample(t, out, scored, bytes, fold, folded, refreshes, busy, backPressured, updates, cpu);
        synchronized (samples) {
            samples.add(s);
        }
        return s;
    }

    private double metric(String vertex, java.util.function.Predicate<String> id, String agg) {
        if (vertex == null) {
            return Double.NaN;
        }
        try {
            return rest.subtaskMetric(jobId, vertex, id, agg);
        } catch (RuntimeException e) {
            return Double.NaN; // a task restarting, a metric not registered yet
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    Map<String, String> vertices() {
        return vertices;
    }

    /** CPU seconds per wall second of each process between two samples (NaN where either reading is missing). */
    static Map<String, Double> cpuPerSecond(Sample from, Sample to) {
        Map<String, Double> m = new LinkedHashMap<>();
        double dt = to.t() - from.t();
        from.cpuSeconds().forEach((name, a) -> {
            Double b = to.cpuSeconds().get(name);
            m.put(name, b == null || !(dt > 0) ? Double.NaN : (b - a) / dt);
        });
        double listed = 0;
        for (Map.Entry<String, Double> e : m.entrySet()) {
            if (!e.getKey().equals(MACHINE) && !e.getKey().equals(NICED)) {
                listed += e.getValue();
            }
        }
        m.put(OTHERS, m.getOrDefault(MACHINE, Double.NaN) - listed);
        return m;
    }

    /** Events per second between two samples, by the source's counter. */
    static double rate(Sample from, Sample to) {
        return (to.sourceOut() - from.sourceOut()) / Math.max(1e-9, to.t() - from.t());
    }
}
