package io.alstream.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.bench.efficiency.BenchData;
import io.alstream.cluster.ClusterLayout;
import io.alstream.cluster.ClusterSpec;
import io.alstream.cluster.FlinkRest;
import io.alstream.cluster.LocalFlinkCluster;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.flink.PassthroughJob;
import io.alstream.kafka.embedded.EmbeddedKafka;
import io.alstream.local.cluster.TruthOracle;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.ModelUpdate;
import io.alstream.schemas.UnlabeledEvent;

/**
 * The production-rate benchmark on a real multi-process Flink cluster (JobManager and TaskManagers as separate
 * JVMs), in one run, on one data set, each phase a fresh job on topics of its own:
 * <ol>
 * <li><b>passthrough</b>: the same Kafka source, registry decoding and exactly-once sink, no learning, draining a
 * backlog: the ceiling of this machine's Kafka + Flink path, the baseline every other figure is a ratio of;</li>
 * <li><b>alstream</b>: the job selecting by the chosen strategy, draining a backlog after its warm-up (labels from
 * an oracle that answers every request at once from the truth): sustained events/s, model bytes per scorer;</li>
 * <li><b>alstream at half load</b>: events at half of (2)'s rate: event → label-request and label → scorers
 * latencies;</li>
 * <li><b>alstream retraining</b>: labels preloaded so the trainer keeps many, events as a backlog: events/s while a
 * retrain runs on the trainer's task thread against outside one.</li>
 * </ol>
 * Checkpoint sizes and durations per operator, and busy time per operator, for each phase.
 */
public final class ClusterBench {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterBench.class);

    /** What to run. */
    public record Settings(BenchData data, int taskManagers, int slots, int parallelism, int passthroughBacklog, int backlog,
                           Duration window,
                           String strategy, double budget, int retrainLabels, int retrainEpochs, Duration retrainTimeout,
                           String taskManagerMemory, Map<String, String> jobSettings, boolean retrainPhase, Path out,
                           Consumer<String> progress) {
    }

    /** One phase's figures. NaN where a figure does not apply. */
    record Phase(String job, String description, double eventsPerSecond, double windowSeconds, double scoredPerSecond,
                 double modelBytesPerSecondPerScorer, Map<String, Double> latenciesMs, int checkpointsCompleted,
                 int checkpointsFailed, Map<String, long[]> checkpointByOperator, Map<String, Double> busyByOperator,
                 Map<String, Double> backPressuredByOperator, List<JobSampler.Sample> timeline, Map<String, String> notes,
                 Map<String, Double> cpuPerSecond, ModelUpdateCost modelUpdates) {
    }

    /**
     * What following the model cost each scoring subtask over a phase's window (means over subtasks): full snapshots
     * installed per second, of them re-anchored (the scorer kept, only T's changes and A^-1 taken from the snapshot)
     * per second, milliseconds per snapshot installed, and milliseconds per second on the task thread for snapshots
     * and for deltas.
     */
    record ModelUpdateCost(double snapshotsPerSecond, double reanchoredPerSecond, double msPerSnapshot,
                           double snapshotMsPerSecond, double deltaMsPerSecond) {
        static ModelUpdateCost between(JobSampler.Sample a, JobSampler.Sample b, int scorers) {
            double dt = Math.max(1e-9, b.t() - a.t()) * scorers;
            JobSampler.ModelUpdateTime x = a.modelUpdates();
            JobSampler.ModelUpdateTime y = b.modelUpdates();
            double n = y.snapshots() - x.snapshots();
            double us = y.snapshotMicros() - x.snapshotMicros();
            return new ModelUpdateCost(n / dt, (y.snapshotsReanchored() - x.snapshotsReanchored()) / dt,
                    n > 0 ? us / 1000 / n : Double.NaN, us / 1000 / dt, (y.deltaMicros() - x.deltaMicros()) / 1000 / dt);
        }
    }

    private final Settings s;
    private FlinkRest rest;
    private LocalFlinkCluster cluster;
    private String jarId;
    private String bootstrap;
    private String registryUrl;
    private SchemaRegistryClient registry;
    /** The JVMs of the run by name (pid), for the CPU table: the cluster's and this one (Kafka, the registry). */
    private final Map<String, Long> processes = new LinkedHashMap<>();

    public ClusterBench(Settings settings) {
        this.s = settings;
    }

    public List<Phase> run() throws Exception {
        Path work = Files.createTempDirectory("alstream-cluster-bench-");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(work.resolve("kafka")).start();
             RegistryServer registryServer = RegistryServer.builder(kafka.bootstrapServers()).port(0).start()) {
            this.bootstrap = kafka.bootstrapServers();
            this.registryUrl = registryServer.url();
            this.registry = SchemaRegistryClient.builder(registryUrl).build();
            ClusterSpec spec = ClusterSpec.defaults(work.resolve("cluster"), ClusterLayout.flinkLib())
                    .withTaskManagers(s.taskManagers(), s.slots()).withPorts(freePort(), freePort());
            spec = spec.withMemory(spec.jobManagerMemory(), s.taskManagerMemory(), spec.taskOffHeap());
            s.progress().accept("starting the cluster: 1 JobManager + " + s.taskManagers() + " TaskManager JVM(s) x "
                    + s.slots() + " slot(s) in " + spec.dir());
            cluster = LocalFlinkCluster.start(spec, Duration.ofMinutes(3));
            // the cluster's JVMs run in sessions of their own: stop them also when this JVM is interrupted
            LocalFlinkCluster started = cluster;
            Thread stopOnExit = new Thread(() -> started.stop(Duration.ofSeconds(10)), "stop-bench-cluster");
            Runtime.getRuntime().addShutdownHook(stopOnExit);
            try {
                rest = cluster.rest();
                processes.put("jobmanager", cluster.jobManagerPid());
                for (int i : cluster.taskManagerIndices()) {
                    processes.put("taskmanager-" + i, cluster.taskManagerPid(i));
                }
                processes.put("benchmark JVM (Kafka broker, registry, event writer, oracle)", ProcessHandle.current().pid());
                jarId = rest.uploadJar(ClusterLayout.jobJar());
                List<Phase> phases = new ArrayList<>();
                Phase passthrough = passthrough(kafka);
                phases.add(passthrough);
                Phase alstream = throughput(kafka);
                phases.add(alstream);
                phases.add(latency(kafka, alstream.eventsPerSecond() / 2));
                if (s.retrainPhase()) {
                    phases.addAll(retrain(kafka, alstream.eventsPerSecond() * 1.25));
                }
                return phases;
            } finally {
                cluster.stop(Duration.ofSeconds(30));
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            }
        } finally {
            keepLogs(work.resolve("cluster").resolve("log"), s.out().resolve("cluster-logs"));
            deleteRecursively(work);
        }
    }

    /** What in a log says something went wrong: kept from the cluster's logs before its folder is removed. */
    private static final java.util.regex.Pattern NOTABLE = java.util.regex.Pattern.compile(
            " (WARN|ERROR) |Exception|Error:|Caused by|\\bat [a-z]|RESTARTING|FAILED|switched from .* to (FAILING|FAILED|RESTARTING|CANCELING)");

    /**
     * Keeps the warnings, errors, stack traces and state switches to failure of the JobManager's and TaskManagers'
     * logs in {@code into} (at most 2 MB a file), so a restart or a failed checkpoint in a run can be explained after the
     * cluster's folder is gone.
     */
    private static void keepLogs(Path logDir, Path into) {
        if (!Files.isDirectory(logDir)) {
            return;
        }
        try (var files = Files.list(logDir)) {
            Files.createDirectories(into);
            for (Path f : (Iterable<Path>) files::iterator) {
                StringBuilder kept = new StringBuilder();
                try (var lines = Files.lines(f, java.nio.charset.StandardCharsets.UTF_8)) {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (kept.length() < 2_000_000 && NOTABLE.matcher(line).find()) {
                            kept.append(line).append('\n');
                        }
                    }
                } catch (java.io.UncheckedIOException e) {
                    kept.append("(could not read further: ").append(e.getMessage()).append(")\n");
                }
                Files.writeString(into.resolve(f.getFileName() + ".notable.txt"), kept);
            }
        } catch (IOException e) {
            LOG.warn("could not keep the cluster's logs from {}: {}", logDir, e.toString());
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.toString());
        }
    }

    // --- phases ------------------------------------------------------------------------------------------------

    private Phase passthrough(EmbeddedKafka kafka) throws Exception {
        Map<String, String> job = topics(kafka, "a");
        try (EventWriter w = writer()) {
            s.progress().accept("passthrough: writing a backlog of " + s.passthroughBacklog() + " events");
            w.backlog(job.get("topic.events"), "a", s.passthroughBacklog());
        }
        String id = submit(PassthroughJob.class.getName(), job);
        JobSampler sampler = new JobSampler(rest, id, processes);
        long deadline = System.nanoTime() + s.window().multipliedBy(3).toNanos();
        JobSampler.Sample last;
        do {
            Thread.sleep(1000);
            last = sampler.sample();
            progress("passthrough", last, s.passthroughBacklog());
        } while (last.sourceOut() < s.passthroughBacklog() && System.nanoTime() < deadline);
        List<JobSampler.Sample> tl = sampler.samples();
        // steady state: from 2 s after the first record out to the last sample before the backlog ran dry
        int from = -1;
        int to = -1;
        for (int i = 0; i < tl.size(); i++) {
            double c = tl.get(i).sourceOut();
            if (from < 0 && c > 0) {
                from = i;
            }
            if (c < 0.98 * s.passthroughBacklog()) {
                to = i;
            }
        }
        from = Math.min(from + 2, Math.max(0, to - 1));
        double rate = from >= 0 && to > from ? JobSampler.rate(tl.get(from), tl.get(to)) : Double.NaN;
        Phase p = finish("passthrough", "Kafka source + registry decoding + exactly-once Kafka sink, no learning; "
                + "draining a backlog", id, sampler, rate, tl.get(Math.max(0, from)), tl.get(Math.max(0, to)),
                Map.of(), Map.of());
        rest.cancel(id);
        return p;
    }

    private Phase throughput(EmbeddedKafka kafka) throws Exception {
        Map<String, String> job = topics(kafka, "b");
        try (EventWriter w = writer()) {
            try (TruthOracle oracle = oracle(job, w)) {
                String id = submit(null, job);
                JobSampler sampler = new JobSampler(rest, id, processes);
                warmUp(job, w, oracle, sampler, "b", "alstream");
                s.progress().accept("alstream: writing a backlog of " + s.backlog() + " events");
                w.backlog(job.get("topic.events"), "b", s.backlog());
                JobSampler.Sample start = sampler.sample();
                long end = System.nanoTime() + s.window().toNanos();
                JobSampler.Sample last = start;
                double total = start.sourceOut() + s.backlog();
                while (System.nanoTime() < end && last.sourceOut() < total) {
                    Thread.sleep(1000);
                    last = sampler.sample();
                    progress("alstream", last, (int) total);
                }
                Map<String, String> notes = new LinkedHashMap<>();
                if (last.sourceOut() >= total) {
                    notes.put("backlog", "ran dry before the window ended: the rate is a lower bound");
                }
                Phase p = finish("alstream", "the job selecting by " + s.strategy() + ", warm, draining a backlog",
                        id, sampler, JobSampler.rate(start, last), start, last, Map.of(), notes);
                rest.cancel(id);
                return p;
            }
        }
    }

    private Phase latency(EmbeddedKafka kafka, double rate) throws Exception {
        if (!(rate > 0)) {
            throw new IllegalStateException("alstream's sustained rate was not measured (" + rate + " events/s), so there is no "
                    + "half load to run at; give a larger --backlog or --window");
        }
        Map<String, String> job = topics(kafka, "c");
        Map<String, Double> lat = new LinkedHashMap<>();
        Map<String, String> notes = new LinkedHashMap<>();
        try (EventWriter w = writer(); TruthOracle oracle = oracle(job, w);
             ModelUpdateLog updates = new ModelUpdateLog(bootstrap, job.get("topic.model-updates"),
                     AvroWireCodec.specific(ModelUpdate.class, registry))) {
            String id = submit(null, job);
            JobSampler sampler = new JobSampler(rest, id, processes);
            s.progress().accept(String.format("alstream at half load: %.0f events/s", rate));
            // the producer runs for warm-up plus the window on a thread of its own
            long stopAt = System.nanoTime() + Duration.ofMinutes(4).toNanos() + s.window().toNanos();
            Thread producer = w.pacedInBackground(job.get("topic.events"), "c", rate, stopAt);
            awaitWarm(oracle, sampler, "alstream at half load", -1);
            long measureFrom = System.currentTimeMillis() + 5000; // let the first warm versions settle
            JobSampler.Sample start = null;
            long end = System.nanoTime() + s.window().toNanos() + 5_000_000_000L;
            JobSampler.Sample last = null;
            while (System.nanoTime() < end) {
                Thread.sleep(1000);
                last = sampler.sample();
                if (start == null && System.currentTimeMillis() >= measureFrom) {
                    start = last;
                }
                progress("alstream at half load", last, -1);
            }
            long measureTo = System.currentTimeMillis();
            producer.interrupt();
            Thread.sleep(3000); // the last requests and updates of the window become visible
            List<TruthOracle.Seen> seen = oracle.seen();
            List<Double> written = new ArrayList<>();
            List<Double> visible = new ArrayList<>();
            for (TruthOracle.Seen r : seen) {
                Long sent = w.sentAt(r.eventId());
                if (sent == null || sent < measureFrom || sent > measureTo || !r.strategy().equals(s.strategy())) {
                    continue;
                }
                written.add((double) (r.writtenAt() - sent));
                visible.add((double) (r.visibleAt() - sent));
            }
            lat.put("event_to_request_written_p50", Stats.quantile(written, 0.5));
            lat.put("event_to_request_written_p99", Stats.quantile(written, 0.99));
            lat.put("event_to_request_visible_p50", Stats.quantile(visible, 0.5));
            lat.put("event_to_request_visible_p99", Stats.quantile(visible, 0.99));
            List<Double> toScorers = labelToScorers(seen, updates.updates(), measureFrom, measureTo);
            lat.put("label_to_scorers_p50", Stats.quantile(toScorers, 0.5));
            lat.put("label_to_scorers_p99", Stats.quantile(toScorers, 0.99));
            notes.put("samples", written.size() + " selected requests, " + toScorers.size() + " labels traced to a scored request");
            Phase p = finish("alstream-half-load", String.format("events at %.0f/s (half of alstream's sustained rate)", rate),
                    id, sampler, start == null ? Double.NaN : JobSampler.rate(start, last),
                    start == null ? last : start, last, lat, notes);
            rest.cancel(id);
            return p;
        }
    }

    /**
     * @param rate events per second written while the trainer works through the preloaded labels: above alstream's
     *             sustained rate, so the job stays saturated and its intake is its capacity
     */
    private List<Phase> retrain(EmbeddedKafka kafka, double rate) throws Exception {
        Map<String, String> job = topics(kafka, "d");
        // the preloaded labels are for events the job never requested: let them in (provenance check off for this phase)
        job.putIfAbsent("job.accept-external-labels", "true");
        if (s.retrainEpochs() > 0) {
            job.put("learner.train-epochs", Integer.toString(s.retrainEpochs()));
        }
        try (EventWriter w = writer()) {
            s.progress().accept("retraining: preloading " + s.retrainLabels() + " labels");
            w.labels(job.get("topic.labels"), "d", s.retrainLabels());
            try (TruthOracle oracle = oracle(job, w)) {
                String id = submit(null, job);
                JobSampler sampler = new JobSampler(rest, id, processes);
                warmUp(job, w, oracle, sampler, "d", "retraining");
                s.progress().accept(String.format("retraining: events at %.0f/s until a retrain with %d labels kept has run",
                        rate, s.retrainLabels()));
                long deadline = System.nanoTime() + s.retrainTimeout().toNanos();
                Thread producer = w.pacedInBackground(job.get("topic.events"), "d", rate, deadline);
                JobSampler.Sample first = sampler.sample();
                double refreshesAtTarget = Double.NaN;
                JobSampler.Sample last;
                do {
                    Thread.sleep(1000);
                    last = sampler.sample();
                    progress("retraining", last, -1);
                    if (Double.isNaN(refreshesAtTarget) && last.labelsFolded() >= s.retrainLabels()) {
                        refreshesAtTarget = last.refreshes();
                    }
                    // done once a retrain that started with the target's labels kept has finished
                } while (System.nanoTime() < deadline
                        && !(last.refreshes() > refreshesAtTarget && last.foldInProgressMs() < 1));
                producer.interrupt();
                producer.join(10_000);
                boolean reached = last.refreshes() > refreshesAtTarget;
                List<JobSampler.Sample> tl = sampler.samples();
                double inT = 0;
                double inN = 0;
                double outT = 0;
                double outN = 0;
                double longest = 0;
                double labelsAtLongest = 0;
                for (int i = 1; i < tl.size(); i++) {
                    JobSampler.Sample a = tl.get(i - 1);
                    JobSampler.Sample b = tl.get(i);
                    if (!(b.scored() > 0)) {
                        continue; // cold: nothing is scored yet
                    }
                    double dt = b.t() - a.t();
                    double dn = b.scored() - a.scored(); // scoring throughput: events through score-and-select
                    // a retrain running for over a second at both ends of the interval (on the trainer's retrain thread,
                    // or, in the first design, a long fold on its task thread)
                    if (a.foldInProgressMs() > 1000 && b.foldInProgressMs() > 1000) {
                        inT += dt;
                        inN += dn;
                    } else if (!(a.foldInProgressMs() > 1000) && !(b.foldInProgressMs() > 1000)) {
                        outT += dt;
                        outN += dn;
                    }
                    if (b.foldInProgressMs() > longest) {
                        longest = b.foldInProgressMs();
                        labelsAtLongest = b.labelsFolded();
                    }
                }
                Map<String, String> notes = new LinkedHashMap<>();
                notes.put("labels", String.format("%.0f folded in %.0f s (%.1f/s)%s", last.labelsFolded() - first.labelsFolded(),
                        last.t() - first.t(), (last.labelsFolded() - first.labelsFolded()) / Math.max(1e-9, last.t() - first.t()),
                        reached ? "" : "; the timeout came before a retrain with all " + s.retrainLabels() + " labels kept"));
                notes.put("retrain", String.format("longest retrain seen %.1f s, with %.0f labels folded; learner.train-epochs=%s",
                        longest / 1000, labelsAtLongest, job.getOrDefault("learner.train-epochs", "default")));
                notes.put("seconds", String.format("%.0f s inside retrains, %.0f s outside", inT, outT));
                Phase outside = finish("alstream-retraining-outside", "warm, " + s.retrainLabels()
                        + " labels preloaded, events written faster than the job takes them; events/s here are events "
                        + "scored/s in the intervals with no retrain running", id, sampler,
                        outT > 0 ? outN / outT : Double.NaN, first, last, outT, Map.of(), notes);
                // the rows of this phase report events scored per second (not events in): what a retrain holds back
                Phase inside = new Phase("alstream-retraining-during", "the same run: events scored/s in the intervals "
                        + "while a retrain runs (retrain_in_progress_ms, or a fold over 1 s)", inT > 0 ? inN / inT : Double.NaN, inT, Double.NaN, Double.NaN, Map.of(),
                        outside.checkpointsCompleted(), outside.checkpointsFailed(), outside.checkpointByOperator(),
                        outside.busyByOperator(), outside.backPressuredByOperator(), List.of(), notes,
                        outside.cpuPerSecond(), outside.modelUpdates());
                rest.cancel(id);
                return List.of(outside, inside);
            }
        }
    }

    // --- pieces ------------------------------------------------------------------------------------------------

    /**
     * For each label sent in the window: the first model version that folded it (from the ModelUpdates), then the
     * first label request written by a scorer holding that version or a later one. The difference is an upper bound
     * on label → scorers (a scorer may hold the version before it next selects an event).
     */
    static List<Double> labelToScorers(List<TruthOracle.Seen> seen, List<ModelUpdate> updates, long from, long to) {
        Map<String, Long> foldedIn = new HashMap<>();
        for (ModelUpdate u : updates) {
            for (String e : u.getFoldedEventIds()) {
                foldedIn.putIfAbsent(e, u.getVersion());
            }
        }
        List<TruthOracle.Seen> byWritten = new ArrayList<>(seen);
        byWritten.sort(Comparator.comparingLong(TruthOracle.Seen::writtenAt));
        List<Double> out = new ArrayList<>();
        for (TruthOracle.Seen l : seen) {
            if (l.labelSentAt() < from || l.labelSentAt() > to) {
                continue;
            }
            Long v = foldedIn.get(l.eventId());
            if (v == null) {
                continue;
            }
            for (TruthOracle.Seen r : byWritten) {
                if (r.writtenAt() >= l.labelSentAt() && r.modelVersion() >= v) {
                    out.add((double) (r.writtenAt() - l.labelSentAt()));
                    break;
                }
            }
        }
        return out;
    }

    /** A phase measured over the window from one sample to a later one (its CPU table and model-update costs too). */
    private Phase finish(String name, String description, String jobId, JobSampler sampler, double rate,
                         JobSampler.Sample from, JobSampler.Sample to, Map<String, Double> latencies, Map<String, String> notes) {
        return finish(name, description, jobId, sampler, rate, from, to, to.t() - from.t(), latencies, notes);
    }

    /**
     * @param from   where the CPU table's and the model-update costs' window starts
     * @param to     where it ends
     * @param window the seconds the rate was measured over (the retraining phase's are intervals inside from..to)
     */
    private Phase finish(String name, String description, String jobId, JobSampler sampler, double rate,
                         JobSampler.Sample from, JobSampler.Sample to, double window,
                         Map<String, Double> latencies, Map<String, String> notes) {
        List<JobSampler.Sample> tl = sampler.samples();
        JobSampler.Sample first = tl.get(0);
        JobSampler.Sample last = tl.get(tl.size() - 1);
        double span = Math.max(1e-9, last.t() - first.t());
        double scored = (last.scored() - first.scored()) / span;
        double bytes = (last.modelBytes() - first.modelBytes()) / span / s.parallelism();
        Map<String, Double> busy = new TreeMap<>();
        Map<String, Double> backPressured = new TreeMap<>();
        for (String v : sampler.vertices().keySet()) {
            busy.put(v, tl.stream().mapToDouble(x -> x.busyMsPerSecond().getOrDefault(v, Double.NaN))
                    .filter(d -> !Double.isNaN(d)).average().orElse(Double.NaN));
            backPressured.put(v, tl.stream().mapToDouble(x -> x.backPressuredMsPerSecond().getOrDefault(v, Double.NaN))
                    .filter(d -> !Double.isNaN(d)).average().orElse(Double.NaN));
        }
        JsonNode cp = rest.checkpoints(jobId);
        Map<String, long[]> byOperator = checkpointsByOperator(jobId, cp, sampler.vertices());
        // checkpoints that started and failed (the history); triggers refused while tasks were still being deployed
        // never start and are not counted
        int completed = 0;
        int failed = 0;
        for (JsonNode h : cp.path("history")) {
            String status = h.path("status").asText();
            completed += "COMPLETED".equals(status) ? 1 : 0;
            failed += "FAILED".equals(status) ? 1 : 0;
        }
        // a restart inside a phase resets the tasks' counters and spends the window on recovery: always say how many
        Map<String, String> allNotes = new LinkedHashMap<>(notes);
        long restarts = restarts(jobId);
        allNotes.put("job restarts", restarts < 0 ? "unknown" : Long.toString(restarts)
                + (restarts > 0 ? " (the figures of this phase include recovery; see the cluster logs)" : ""));
        Phase p = new Phase(name, description, rate, window, scored, bytes, latencies, completed, failed, byOperator,
                busy, backPressured, tl, allNotes, JobSampler.cpuPerSecond(from, to),
                ModelUpdateCost.between(from, to, s.parallelism()));
        s.progress().accept(String.format("%s: %.1f events/s over %.0f s; checkpoints %d completed, %d failed",
                name, rate, window, p.checkpointsCompleted(), p.checkpointsFailed()));
        return p;
    }

    /** The job's {@code numRestarts} metric (restarts since it was submitted), -1 when the REST API does not give it. */
    private long restarts(String jobId) {
        try {
            for (JsonNode m : rest.get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
                if ("numRestarts".equals(m.path("id").asText())) {
                    return (long) Double.parseDouble(m.path("value").asText("-1"));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot read numRestarts of job {}: {}", jobId, e.toString());
        }
        return -1;
    }

    /** Per operator, the largest checkpointed state (bytes) and longest duration (ms) over the recent checkpoints. */
    private Map<String, long[]> checkpointsByOperator(String jobId, JsonNode cp, Map<String, String> vertices) {
        Map<String, String> nameOf = new HashMap<>();
        vertices.forEach((n, v) -> nameOf.put(v, n));
        Map<String, long[]> m = new TreeMap<>();
        for (JsonNode h : cp.path("history")) {
            if (!"COMPLETED".equals(h.path("status").asText())) {
                continue;
            }
            JsonNode d = rest.checkpointDetails(jobId, h.path("id").asLong());
            d.path("tasks").fields().forEachRemaining(e -> {
                long[] a = m.computeIfAbsent(nameOf.getOrDefault(e.getKey(), e.getKey()), k -> new long[2]);
                a[0] = Math.max(a[0], e.getValue().path("checkpointed_size").asLong(e.getValue().path("state_size").asLong()));
                a[1] = Math.max(a[1], e.getValue().path("end_to_end_duration").asLong());
            });
        }
        return m;
    }

    /**
     * Streams events at a modest steady rate until the model is warm (a request selected by the strategy arrives):
     * a backlog written before would be drained while the model is cold, which measures nothing.
     */
    private void warmUp(Map<String, String> job, EventWriter w, TruthOracle oracle, JobSampler sampler, String phase,
                        String label) throws InterruptedException {
        Thread producer = w.pacedInBackground(job.get("topic.events"), phase + "w", 100,
                System.nanoTime() + Duration.ofMinutes(4).toNanos());
        try {
            awaitWarm(oracle, sampler, label, -1);
        } finally {
            producer.interrupt();
            producer.join(10_000);
        }
    }

    private void awaitWarm(TruthOracle oracle, JobSampler sampler, String phase, int total) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            if (oracle.failure() != null) {
                throw new IllegalStateException("the oracle failed: " + oracle.failure(), oracle.failure());
            }
            if (oracle.seen().stream().anyMatch(r -> r.strategy().equals(s.strategy()))) {
                return;
            }
            Thread.sleep(1000);
            progress(phase + " (warming up)", sampler.sample(), total);
        }
        throw new IllegalStateException(phase + ": no request selected by " + s.strategy() + " within 4 minutes");
    }

    private void progress(String phase, JobSampler.Sample x, int total) {
        s.progress().accept(String.format("  %-28s t=%5.0fs  events in %8.0f%s  scored %8.0f  labels folded %6.0f  retrain %s",
                phase, x.t(), x.sourceOut(), total > 0 ? "/" + total : "", x.scored(), x.labelsFolded(),
                x.foldInProgressMs() > 1000 ? String.format("running %.0f s", x.foldInProgressMs() / 1000) : "-"));
    }

    private String submit(String entryClass, Map<String, String> job) {
        List<String> args = new ArrayList<>();
        job.forEach((k, v) -> {
            args.add("--set");
            args.add(k + "=" + v);
        });
        String id = rest.runJar(jarId, entryClass, args, s.parallelism());
        cluster.awaitJobRunning(id, Duration.ofMinutes(2));
        return id;
    }

    /** The job's settings for a phase: its own topics and transactional ids, the data, the run's settings. */
    private Map<String, String> topics(EmbeddedKafka kafka, String phase) {
        Map<String, String> m = new TreeMap<>();
        m.put("kafka.bootstrap-servers", bootstrap);
        m.put("registry.url", registryUrl);
        m.put("kafka.transactional-id-prefix", "bench-" + phase);
        m.put("kafka.group-id", "bench-" + phase);
        for (String t : List.of("events", "labels", "label-requests", "model-updates", "dead-letter")) {
            String name = "bench." + phase + "." + t;
            m.put("topic." + t, name);
            kafka.createTopic(name, t.equals("events") || t.equals("label-requests") ? s.parallelism() : 1, Map.of());
        }
        kafka.createTopic("bench." + phase + ".events.passthrough", s.parallelism(), Map.of());
        m.put("data.feature-dim", Integer.toString(s.data().featureDim()));
        m.put("data.num-classes", Integer.toString(s.data().numClasses()));
        m.put("job.parallelism", Integer.toString(s.parallelism()));
        m.put("learner.select-by", s.strategy());
        m.put("learner.budget", Double.toString(s.budget()));
        m.putAll(s.jobSettings());
        return m;
    }

    private EventWriter writer() {
        return new EventWriter(bootstrap, AvroWireCodec.specific(UnlabeledEvent.class, registry),
                AvroWireCodec.specific(ConsolidatedLabel.class, registry), s.data().stream());
    }

    private TruthOracle oracle(Map<String, String> job, EventWriter w) {
        return new TruthOracle(bootstrap, registry, job.get("topic.label-requests"), job.get("topic.labels"),
                w::truth, w::features).start();
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
