package io.alstream.local.cluster.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A failure run's report: {@code summary.md} (the invariants and the failures with their recovery times),
 * {@code failures.csv}, {@code commands.txt} (the command and every process's command line), {@code timeline.txt}
 * and, in {@code logs/}, the notable lines (warnings, errors, stack traces, state switches to failure) of the
 * cluster's and the services' logs.
 */
public final class FailureReport {
    private static final Logger LOG = LoggerFactory.getLogger(FailureReport.class);
    private static final Pattern NOTABLE = Pattern.compile(
            " (WARN|ERROR) |Exception|Error:|Caused by|RESTARTING|FAILED|switched from .* to (FAILING|FAILED|RESTARTING|CANCELING)"
                    + "|Restoring job|Recovering|killed|===== start|lingering|open transactions|Unable to commit|[Ff]enced");

    private FailureReport() {
    }

    /** Keeps the notable lines of every file in {@code logDir} in {@code into/<file>.notable.txt} (at most 1 MB a file). */
    static void keepNotableLines(Path logDir, Path into) {
        if (!Files.isDirectory(logDir)) {
            return;
        }
        try (var files = Files.list(logDir)) {
            Files.createDirectories(into);
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                StringBuilder kept = new StringBuilder();
                try (var lines = Files.lines(f, StandardCharsets.ISO_8859_1)) {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (kept.length() < 1_000_000 && NOTABLE.matcher(line).find() && !line.startsWith("\tat ")) {
                            kept.append(line).append('\n');
                        }
                    }
                }
                Files.writeString(into.resolve(f.getFileName() + ".notable.txt"), kept);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not keep the notable lines of {}: {}", logDir, e.toString());
        }
    }

    /** Writes the report into {@code out}. */
    public static void write(Path out, FailureRun.Result r, String command, String machine) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("n,failure,injected_at,component_back_s,recovered_s,recovered_after_back_s,recovered,detail\n");
        for (FailureRun.Injected f : r.failures()) {
            csv.append(f.n()).append(',').append(f.kind().name().toLowerCase().replace('_', '-')).append(',')
                    .append(Instant.ofEpochMilli(f.injectedAt())).append(',')
                    .append(f.restoredAt() > 0 ? fmt((f.restoredAt() - f.injectedAt()) / 1000.0) : "").append(',')
                    .append(fmt(f.recoverySeconds())).append(',').append(fmt(f.afterRestoreSeconds())).append(',')
                    .append(f.recovered()).append(",\"").append(f.detail().replace("\"", "'")).append("\"\n");
        }
        Files.writeString(out.resolve("failures.csv"), csv);

        StringBuilder md = new StringBuilder("# Failure run on a multi-process cluster\n\n");
        md.append(machine).append("\n\n");
        md.append("Command: `").append(command).append("` (every process's command line in `commands.txt`).\n\n");
        md.append("## Invariants (read_committed outputs)\n\n| check | held | figures |\n|---|---|---|\n");
        for (FailureChecks.Check c : r.verdict().checks()) {
            md.append("| ").append(c.name()).append(" | ").append(c.passed() ? "yes" : "**NO**").append(" | ")
                    .append(c.detail().replace("|", "/")).append(" |\n");
        }
        md.append("\n**").append(r.verdict().passed() ? "All invariants held." : "Invariants broken: "
                + r.verdict().failed().stream().map(FailureChecks.Check::name).toList()).append("**\n\n");
        md.append("## Failures and recovery\n\nRecovered = the component back, the job RUNNING with every task running and a "
                + "checkpoint completed that was triggered after the component came back (for the label broker and Kafka also a new "
                + "consolidated label committed; for a poisoned record, its dead letter committed).\n\n");
        md.append("| # | failure | component back after, s | recovered after injection, s | after the component was back, s | detail |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (FailureRun.Injected f : r.failures()) {
            md.append("| ").append(f.n()).append(" | ").append(f.kind().description).append(" | ")
                    .append(f.restoredAt() > 0 ? fmt((f.restoredAt() - f.injectedAt()) / 1000.0) : "").append(" | ")
                    .append(f.recovered() ? fmt(f.recoverySeconds()) : "**not recovered**").append(" | ")
                    .append(fmt(f.afterRestoreSeconds())).append(" | ").append(f.detail().replace("|", "/")).append(" |\n");
        }
        md.append("\n## Counts\n\n");
        for (Map.Entry<String, String> e : r.verdict().counts().entrySet()) {
            md.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        md.append("- job restarts recorded by the last job's JobManager: ").append(r.jobRestarts()).append('\n');
        md.append("- job state at the end: ").append(r.finalJobState()).append('\n');
        if (!r.verdict().duplicates().isEmpty()) {
            md.append("\n## Repeated records, as committed\n\nEach event requested, labelled or folded more than once, with every "
                    + "committed record behind it (topic-partition@offset, when the reader saw it, and the fields that tell which run "
                    + "of the job wrote it).\n\n```\n");
            r.verdict().duplicates().forEach(l -> md.append(l).append('\n'));
            md.append("```\n");
        }
        Files.writeString(out.resolve("summary.md"), md);

        StringBuilder cmds = new StringBuilder("# the run\n").append(command).append("\n\n# its processes\n");
        for (String c : r.commandLines()) {
            cmds.append(c).append('\n');
        }
        Files.writeString(out.resolve("commands.txt"), cmds);
        Files.write(out.resolve("timeline.txt"), r.timeline(), StandardCharsets.UTF_8);
        Path logs = out.resolve("logs");
        Files.createDirectories(logs);
        if (r.clusterLogs() != null && Files.isDirectory(r.clusterLogs())) {
            try (var files = Files.list(r.clusterLogs())) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, logs.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static String fmt(double d) {
        return Double.isNaN(d) ? "" : String.format("%.1f", d);
    }

    static List<String> lines(String s) {
        return List.of(s.split("\n"));
    }
}
