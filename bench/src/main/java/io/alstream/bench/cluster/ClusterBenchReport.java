package io.alstream.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.alstream.local.report.LineChart;

/**
 * Writes the cluster benchmark's report into a folder: {@code runs.csv} (one row per job variant, events/s and the
 * ratio to the passthrough job of the same run), {@code checkpoints.csv} and {@code operators.csv} (per operator),
 * {@code timeline.csv} (every metric sample), {@code summary.md} and {@code throughput.png}.
 */
final class ClusterBenchReport {
    private ClusterBenchReport() {
    }

    static void write(Path dir, List<ClusterBench.Phase> phases, String command, String machine) throws IOException {
        Files.createDirectories(dir);
        double base = phases.stream().filter(p -> p.job().equals("passthrough")).mapToDouble(ClusterBench.Phase::eventsPerSecond)
                .findFirst().orElse(Double.NaN);

        StringBuilder runs = new StringBuilder("job,events_per_s,ratio_to_passthrough,window_s,events_scored_per_s,"
                + "model_bytes_per_s_per_scorer,event_to_request_written_p50_ms,event_to_request_written_p99_ms,"
                + "event_to_request_visible_p50_ms,event_to_request_visible_p99_ms,label_to_scorers_p50_ms,"
                + "label_to_scorers_p99_ms,checkpoints_completed,checkpoints_failed\n");
        for (ClusterBench.Phase p : phases) {
            Map<String, Double> l = p.latenciesMs();
            runs.append(String.join(",", p.job(), f(p.eventsPerSecond()), f(p.eventsPerSecond() / base), f(p.windowSeconds()),
                    f(p.scoredPerSecond()), f(p.modelBytesPerSecondPerScorer()),
                    f(l.get("event_to_request_written_p50")), f(l.get("event_to_request_written_p99")),
                    f(l.get("event_to_request_visible_p50")), f(l.get("event_to_request_visible_p99")),
                    f(l.get("label_to_scorers_p50")), f(l.get("label_to_scorers_p99")),
                    Integer.toString(p.checkpointsCompleted()), Integer.toString(p.checkpointsFailed()))).append('\n');
        }
        Files.writeString(dir.resolve("runs.csv"), runs);

        StringBuilder cps = new StringBuilder("job,operator,max_checkpointed_bytes,max_duration_ms\n");
        StringBuilder ops = new StringBuilder("job,operator,busy_ms_per_s,back_pressured_ms_per_s\n");
        StringBuilder tl = new StringBuilder("job,t_s,events_in,events_scored,model_bytes_received,fold_in_progress_ms,labels_folded,refreshes\n");
        for (ClusterBench.Phase p : phases) {
            p.checkpointByOperator().forEach((op, a) -> cps.append(p.job()).append(',').append(csv(op)).append(',')
                    .append(a[0]).append(',').append(a[1]).append('\n'));
            p.busyByOperator().forEach((op, b) -> ops.append(p.job()).append(',').append(csv(op)).append(',').append(f(b))
                    .append(',').append(f(p.backPressuredByOperator().get(op))).append('\n'));
            for (JobSampler.Sample x : p.timeline()) {
                tl.append(String.join(",", p.job(), f(x.t()), f(x.sourceOut()), f(x.scored()), f(x.modelBytes()),
                        f(x.foldInProgressMs()), f(x.labelsFolded()), f(x.refreshes()))).append('\n');
            }
        }
        StringBuilder cpu = new StringBuilder("job,process,cpu_seconds_per_second,cpu_ms_per_event\n");
        for (ClusterBench.Phase p : phases) {
            p.cpuPerSecond().forEach((proc, c) -> cpu.append(p.job()).append(',').append(csv(proc)).append(',').append(f(c))
                    .append(',').append(f(c * 1000 / p.eventsPerSecond())).append('\n'));
        }
        Files.writeString(dir.resolve("cpu.csv"), cpu);
        Files.writeString(dir.resolve("checkpoints.csv"), cps);
        Files.writeString(dir.resolve("operators.csv"), ops);
        Files.writeString(dir.resolve("timeline.csv"), tl);
        Files.writeString(dir.resolve("commands.txt"), command + "\n");

        LineChart chart = new LineChart("Events/s into the job over time (1 s samples), one line per phase",
                "seconds since the job started", "events/s", false);
        for (ClusterBench.Phase p : phases) {
            List<JobSampler.Sample> s = p.timeline();
            for (int i = 1; i < s.size(); i++) {
                double r = JobSampler.rate(s.get(i - 1), s.get(i));
                if (!Double.isNaN(r)) {
                    chart.point(p.job(), s.get(i).t(), r);
                }
            }
        }
        chart.writePng(dir.resolve("throughput.png"), 1000, 560);

        StringBuilder md = new StringBuilder("# Cluster benchmark\n\n");
        md.append(machine).append("\n\nCommand: `").append(command).append("`\n\n");
        md.append("| job | events/s | × passthrough | window (s) | scored/s | model bytes/s per scorer | checkpoints ok / failed |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (ClusterBench.Phase p : phases) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.3f | %.0f | %s | %s | %d / %d |%n", p.job(), p.eventsPerSecond(),
                    p.eventsPerSecond() / base, p.windowSeconds(), f(p.scoredPerSecond()), human(p.modelBytesPerSecondPerScorer()),
                    p.checkpointsCompleted(), p.checkpointsFailed()));
        }
        md.append("\n| latency (ms) | p50 | p99 |\n|---|---|---|\n");
        for (ClusterBench.Phase p : phases) {
            Map<String, Double> l = p.latenciesMs();
            if (l.isEmpty()) {
                continue;
            }
            md.append("| event → label request written (record timestamp) | ").append(f(l.get("event_to_request_written_p50")))
                    .append(" | ").append(f(l.get("event_to_request_written_p99"))).append(" |\n");
            md.append("| event → label request visible to a read_committed reader | ").append(f(l.get("event_to_request_visible_p50")))
                    .append(" | ").append(f(l.get("event_to_request_visible_p99"))).append(" |\n");
            md.append("| label sent → first request scored by a model holding it | ").append(f(l.get("label_to_scorers_p50")))
                    .append(" | ").append(f(l.get("label_to_scorers_p99"))).append(" |\n");
        }
        md.append(cpuTable(phases));
        md.append(modelUpdateTable(phases));
        md.append("\n## Checkpoints per operator (largest state, longest duration over the recent checkpoints)\n\n");
        md.append("| job | operator | state | duration (ms) |\n|---|---|---|---|\n");
        for (ClusterBench.Phase p : phases) {
            if (p.job().endsWith("-during")) {
                continue; // the same job as -outside
            }
            p.checkpointByOperator().forEach((op, a) -> md.append("| ").append(p.job()).append(" | ").append(op).append(" | ")
                    .append(human(a[0])).append(" | ").append(a[1]).append(" |\n"));
        }
        md.append("\n## Busy and back-pressured time per operator (ms per second, mean over subtasks and samples)\n\n"
                + "| job | operator | busy | back-pressured |\n|---|---|---|---|\n");
        for (ClusterBench.Phase p : phases) {
            if (p.job().endsWith("-during")) {
                continue;
            }
            p.busyByOperator().forEach((op, b) -> md.append("| ").append(p.job()).append(" | ").append(op).append(" | ")
                    .append(f(b)).append(" | ").append(f(p.backPressuredByOperator().get(op))).append(" |\n"));
        }
        md.append("\n## Notes\n\n");
        for (ClusterBench.Phase p : phases) {
            md.append("- **").append(p.job()).append("**: ").append(p.description());
            p.notes().forEach((k, v) -> md.append("; ").append(k).append(": ").append(v));
            md.append('\n');
        }
        md.append("\n![events/s over time](throughput.png)\n");
        Files.writeString(dir.resolve("summary.md"), md);
    }

    /**
     * Per process, CPU seconds per wall second over each phase's window (from /proc), and CPU milliseconds per event
     * into the job: on this machine the processes share the cores, so the row that grows with the rate, and the sum
     * against the cores, say what bounds it.
     */
    static String cpuTable(List<ClusterBench.Phase> phases) {
        List<ClusterBench.Phase> shown = phases.stream().filter(p -> !p.job().endsWith("-during") && !p.cpuPerSecond().isEmpty()).toList();
        if (shown.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n## CPU per process (CPU seconds per wall second over the phase's window; "
                + "in brackets CPU ms per event into the job)\n\n| process |");
        StringBuilder rule = new StringBuilder("|---|");
        for (ClusterBench.Phase p : shown) {
            md.append(' ').append(p.job()).append(" |");
            rule.append("---|");
        }
        md.append('\n').append(rule).append('\n');
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        shown.forEach(p -> names.addAll(p.cpuPerSecond().keySet()));
        for (String n : names) {
            md.append("| ").append(n).append(" |");
            for (ClusterBench.Phase p : shown) {
                double c = p.cpuPerSecond().getOrDefault(n, Double.NaN);
                double perEvent = c * 1000 / p.eventsPerSecond();
                md.append(String.format(Locale.ROOT, " %.2f", c));
                if (Double.isFinite(perEvent) && !n.startsWith("machine")) {
                    md.append(String.format(Locale.ROOT, " (%.3f)", perEvent));
                }
                md.append(" |");
            }
            md.append('\n');
        }
        md.append("\nThe machine's rows are all its processes (the cluster's, this benchmark's and anything else running), "
                + "of them the niced ones (other benchmarks run under `nice`); the cores are the ceiling of the machine's row.\n");
        return md.toString();
    }

    /** The scoring subtasks' cost of following the model: full snapshots (rebuilt or re-anchored) and deltas. */
    static String modelUpdateTable(List<ClusterBench.Phase> phases) {
        StringBuilder md = new StringBuilder("\n## Following the model on the scoring threads (per scoring subtask, mean over subtasks)\n\n"
                + "| job | snapshots/s | of them re-anchored/s | ms per snapshot | ms/s on snapshots | ms/s on deltas |\n"
                + "|---|---|---|---|---|---|\n");
        boolean any = false;
        for (ClusterBench.Phase p : phases) {
            ClusterBench.ModelUpdateCost c = p.modelUpdates();
            if (p.job().endsWith("-during") || c == null || Double.isNaN(c.snapshotsPerSecond())) {
                continue;
            }
            any = true;
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", p.job(), f(c.snapshotsPerSecond()),
                    f(c.reanchoredPerSecond()), f(c.msPerSnapshot()), f(c.snapshotMsPerSecond()), f(c.deltaMsPerSecond())));
        }
        return any ? md.append("\nA snapshot's time is its decoding and installation on the task thread; a delta's, the "
                + "in-place update of the scorer when a batch finds deltas waiting.\n").toString() : "";
    }

    private static String f(Double d) {
        return d == null || d.isNaN() ? "" : String.format(Locale.ROOT, d >= 100 ? "%.0f" : "%.3g", d);
    }

    private static String human(double bytes) {
        if (Double.isNaN(bytes)) {
            return "";
        }
        if (bytes >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1 << 20));
        }
        if (bytes >= 1 << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / (1 << 10));
        }
        return String.format(Locale.ROOT, "%.0f B", bytes);
    }

    private static String csv(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
