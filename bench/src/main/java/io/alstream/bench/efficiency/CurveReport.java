package io.alstream.bench.efficiency;

import io.alstream.local.report.LineChart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's report in one folder: {@code points.csv} (every measured point of every run),
 * {@code summary.md} (per series mean ± std over seeds at each label count, wall time and labels per second,
 * and the labels each series needs to reach random's accuracy at a reference label count),
 * {@code learning-curve.png} (accuracy against labels, log x, one line per series with a ±std band: alstream's
 * strategies and the best MOA base learner) and {@code learning-curve-all.png} (every series).
 */
public final class CurveReport {
    private final List<RunResult> runs;
    private final int[] labelCounts;

    public CurveReport(List<RunResult> runs, int[] labelCounts) {
        this.runs = List.copyOf(runs);
        this.labelCounts = labelCounts.clone();
    }

    /** Runs grouped by series, in first-seen order. */
    public Map<String, List<RunResult>> bySeries() {
        Map<String, List<RunResult>> m = new LinkedHashMap<>();
        for (RunResult r : runs) {
            m.computeIfAbsent(r.series(), k -> new ArrayList<>()).add(r);
        }
        return m;
    }

    /** Mean and sample std over the runs that reached labelCount; count = how many did. */
    public static double[] meanStd(List<RunResult> runs, int labelCount) {
        double sum = 0;
        int n = 0;
        for (RunResult r : runs) {
            double a = r.accuracyAt(labelCount);
            if (!Double.isNaN(a)) {
                sum += a;
                n++;
            }
        }
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN, 0};
        }
        double mean = sum / n;
        double ss = 0;
        for (RunResult r : runs) {
            double a = r.accuracyAt(labelCount);
            if (!Double.isNaN(a)) {
                ss += (a - mean) * (a - mean);
            }
        }
        return new double[] {mean, n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n};
    }

    /**
     * Labels a series needs (mean curve, linear interpolation between measured counts) to reach accuracy;
     * NaN if its mean curve never does; the first count if it is already there at the first one.
     */
    public double labelsToReach(List<RunResult> series, double accuracy) {
        double prevLabels = Double.NaN;
        double prevAcc = Double.NaN;
        for (int c : labelCounts) {
            double m = meanStd(series, c)[0];
            if (Double.isNaN(m)) {
                continue;
            }
            if (m >= accuracy) {
                if (Double.isNaN(prevAcc)) {
                    return c;
                }
                return prevLabels + (c - prevLabels) * (accuracy - prevAcc) / (m - prevAcc);
            }
            prevLabels = c;
            prevAcc = m;
        }
        return Double.NaN;
    }

    public void writeCsv(Path file) {
        StringBuilder sb = new StringBuilder("learner,strategy,seed,labels,events,accuracy,seconds\n");
        for (RunResult r : runs) {
            for (CurvePoint p : r.points()) {
                sb.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.6f,%.3f%n", r.learner(), r.strategy(), r.seed(),
                        p.labels(), p.events(), p.accuracy(), p.seconds()));
            }
        }
        write(file, sb.toString());
    }

    /** One line per run: labels obtained, events seen, seconds (without evaluations), labels per second. */
    public void writeRunsCsv(Path file) {
        StringBuilder sb = new StringBuilder("learner,strategy,seed,labels,events,seconds,labels_per_second,retrains,"
                + "retrain_seconds,retrain_steps\n");
        for (RunResult r : runs) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.3f,%.3f,%d,%.3f,%d%n", r.learner(), r.strategy(), r.seed(),
                    r.labels(), r.events(), r.seconds(), r.labelsPerSecond(), r.retrains(), r.retrainSeconds(), r.retrainSteps()));
        }
        write(file, sb.toString());
    }

    /** The markdown summary; reference = the label count of random's accuracy to match (e.g. 2000). */
    public String markdown(String title, int reference, List<String> notes) {
        Map<String, List<RunResult>> series = bySeries();
        List<Integer> shown = new ArrayList<>();
        for (int c : labelCounts) {
            boolean any = series.values().stream().anyMatch(rs -> meanStd(rs, c)[2] > 0);
            if (any) {
                shown.add(c);
            }
        }
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        for (String n : notes) {
            sb.append(n).append("\n");
        }
        sb.append("\nHeld-out accuracy, mean ± std over seeds (n = seeds that reached the count):\n\n");
        sb.append("| series | seeds |");
        for (int c : shown) {
            sb.append(' ').append(c).append(" labels |");
        }
        sb.append(" wall time / run | labels/s |\n|---|---|");
        for (int i = 0; i < shown.size(); i++) {
            sb.append("---|");
        }
        sb.append("---|---|\n");
        for (Map.Entry<String, List<RunResult>> e : series.entrySet()) {
            List<RunResult> rs = e.getValue();
            sb.append("| ").append(e.getKey()).append(" | ").append(rs.size()).append(" |");
            for (int c : shown) {
                double[] ms = meanStd(rs, c);
                sb.append(ms[2] == 0 ? " - |" : String.format(Locale.ROOT, " %.3f ± %.3f%s |", ms[0], ms[1],
                        ms[2] < rs.size() ? " (n=" + (int) ms[2] + ")" : ""));
            }
            double secs = rs.stream().mapToDouble(RunResult::seconds).average().orElse(Double.NaN);
            double lps = rs.stream().mapToDouble(RunResult::labelsPerSecond).average().orElse(Double.NaN);
            sb.append(String.format(Locale.ROOT, " %.0f s | %.1f |%n", secs, lps));
        }
        sb.append(gaps(series, shown));
        sb.append(retrainCost(series));
        String bestMoa = bestMoaBase(reference);
        if (bestMoa != null) {
            sb.append("\nBest MOA base learner (variable uncertainty, mean accuracy at ").append(reference)
                    .append(" labels or the largest count all reached): ").append(bestMoa.substring(4))
                    .append(". learning-curve.png shows alstream and that one; learning-curve-all.png every series.\n");
        }
        List<RunResult> random = series.get(Strategy.RANDOM.label());
        if (random != null) {
            double goal = meanStd(random, reference)[0];
            if (!Double.isNaN(goal)) {
                sb.append(String.format(Locale.ROOT,
                        "%nLabels needed to reach random's %d-label accuracy (%.3f), from the mean curve (linear between measured counts):%n%n",
                        reference, goal));
                sb.append("| series | labels to reach it |\n|---|---|\n");
                for (Map.Entry<String, List<RunResult>> e : series.entrySet()) {
                    double l = labelsToReach(e.getValue(), goal);
                    sb.append("| ").append(e.getKey()).append(" | ")
                            .append(Double.isNaN(l) ? "not reached within " + maxReached(e.getValue())
                                    : String.format(Locale.ROOT, "%.0f", l))
                            .append(" |\n");
                }
            }
        }
        return sb.toString();
    }

    /**
     * What retraining the network cost each series that retrains (mean per run over the seeds whose runs recorded
     * retrains: runs merged from reports older than the retrain columns count none); empty if none does.
     */
    static String retrainCost(Map<String, List<RunResult>> series) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<RunResult>> e : series.entrySet()) {
            List<RunResult> rs = e.getValue().stream().filter(r -> r.retrains() > 0).toList();
            if (rs.isEmpty()) {
                continue;
            }
            double retrains = rs.stream().mapToInt(RunResult::retrains).average().orElse(0);
            if (sb.length() == 0) {
                sb.append("\nWhat retraining the network cost (mean per run over the runs that recorded it; its seconds are part "
                        + "of the wall time):\n\n"
                        + "| series | runs | retrains / run | training s / run | share of wall time | s / retrain | Adam steps / retrain |\n"
                        + "|---|---|---|---|---|---|---|\n");
            }
            double secs = rs.stream().mapToDouble(RunResult::retrainSeconds).average().orElse(0);
            double wall = rs.stream().mapToDouble(RunResult::seconds).average().orElse(Double.NaN);
            double steps = rs.stream().mapToLong(RunResult::retrainSteps).average().orElse(0);
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.0f%% | %.2f | %.0f |%n", e.getKey(), rs.size(), retrains, secs,
                    100 * secs / wall, secs / retrains, steps / retrains));
        }
        return sb.toString();
    }

    /** Series names of the offline yardsticks. */
    static final List<String> YARDSTICKS = List.of(OfflineRun.LEARNER + " " + OfflineRun.STRATEGY,
            SklearnRun.LEARNER + " " + SklearnRun.STRATEGY);

    /**
     * The streaming learner against the offline yardsticks at 1,000 and 2,000 labels (or the largest count shown
     * if neither is): random's gap (streaming minus offline, in accuracy points) and the best strategy's.
     */
    String gaps(Map<String, List<RunResult>> series, List<Integer> shown) {
        List<Integer> at = new ArrayList<>();
        for (int c : new int[] {1000, 2000}) {
            if (shown.contains(c)) {
                at.add(c);
            }
        }
        if (at.isEmpty() && !shown.isEmpty()) {
            at.add(shown.get(shown.size() - 1));
        }
        StringBuilder sb = new StringBuilder();
        List<RunResult> random = series.get(Strategy.RANDOM.label());
        for (String y : YARDSTICKS) {
            List<RunResult> ys = series.get(y);
            if (ys == null) {
                continue;
            }
            if (sb.length() == 0) {
                sb.append("\nThe streaming learner against the offline yardsticks (accuracy points, streaming minus offline; "
                        + "mean curves):\n\n| yardstick | labels | yardstick | random | random's gap | best strategy | its gap |\n"
                        + "|---|---|---|---|---|---|---|\n");
            }
            for (int c : at) {
                double off = meanStd(ys, c)[0];
                double rnd = random == null ? Double.NaN : meanStd(random, c)[0];
                String best = null;
                double bestAcc = Double.NaN;
                for (Map.Entry<String, List<RunResult>> e : series.entrySet()) {
                    String learner = e.getValue().get(0).learner();
                    if (learner.equals("alstream") || learner.equals("alstream-pipeline")) {
                        double a = meanStd(e.getValue(), c)[0];
                        if (!Double.isNaN(a) && (best == null || a > bestAcc)) {
                            best = e.getKey();
                            bestAcc = a;
                        }
                    }
                }
                sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s |%n", y, c, acc(off), acc(rnd),
                        points(rnd - off), best == null ? "-" : best + " " + acc(bestAcc), points(bestAcc - off)));
            }
        }
        return sb.toString();
    }

    private static String acc(double a) {
        return Double.isNaN(a) ? "-" : String.format(Locale.ROOT, "%.3f", a);
    }

    private static String points(double d) {
        return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%+.1f", 100 * d);
    }

    private static String maxReached(List<RunResult> rs) {
        int most = 0;
        for (RunResult r : rs) {
            for (CurvePoint p : r.points()) {
                most = Math.max(most, p.labels());
            }
        }
        return most + " labels";
    }

    /**
     * The MOA base learner whose variable-uncertainty series has the best mean accuracy at reference labels
     * (or, if none reached it, at the largest count all of them reached); null without MOA runs.
     */
    public String bestMoaBase(int reference) {
        Map<String, List<RunResult>> moa = new LinkedHashMap<>();
        for (RunResult r : runs) {
            if (r.learner().startsWith("moa-") && r.strategy().equals("var-uncertainty")) {
                moa.computeIfAbsent(r.learner(), k -> new ArrayList<>()).add(r);
            }
        }
        int at = reference;
        for (List<RunResult> rs : moa.values()) {
            if (meanStd(rs, reference)[2] == 0) {
                at = 0;
                for (int c : labelCounts) {
                    if (moa.values().stream().allMatch(x -> meanStd(x, c)[2] > 0)) {
                        at = c;
                    }
                }
                break;
            }
        }
        String best = null;
        double bestAcc = -1;
        for (Map.Entry<String, List<RunResult>> e : moa.entrySet()) {
            double a = meanStd(e.getValue(), at)[0];
            if (a > bestAcc) {
                bestAcc = a;
                best = e.getKey();
            }
        }
        return best;
    }

    /** The chart: every series (all = true), or alstream's and the best MOA base learner's only. */
    public void writePng(Path file, String title, boolean all, int reference) {
        String bestMoa = bestMoaBase(reference);
        LineChart chart = new LineChart(title, "labels", "held-out accuracy", true);
        for (Map.Entry<String, List<RunResult>> e : bySeries().entrySet()) {
            RunResult first = e.getValue().get(0);
            if (!all && first.learner().startsWith("moa-") && !first.learner().equals(bestMoa)) {
                continue;
            }
            for (int c : labelCounts) {
                double[] ms = meanStd(e.getValue(), c);
                if (ms[2] > 0) {
                    chart.point(legend(e.getKey()), c, ms[0], ms[1]);
                }
            }
        }
        chart.writePng(file, 1000, 600);
    }

    /** Short legend names (the chart's legend column is narrow). */
    static String legend(String series) {
        return series.replace("var-uncertainty", "var-unc").replace("naive-bayes", "NB").replace("hoeffding-tree", "HT")
                .replace("sgd-logistic", "SGD").replace("moa-knn", "moa-kNN").replace("moa-arf", "moa-ARF")
                .replace("alstream-pipeline", "pipeline");
    }

    /** Writes points.csv, summary.md and learning-curve.png into dir. */
    public void writeAll(Path dir, String title, int reference, List<String> notes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeCsv(dir.resolve("points.csv"));
        writeRunsCsv(dir.resolve("runs.csv"));
        write(dir.resolve("summary.md"), markdown(title, reference, notes));
        writePng(dir.resolve("learning-curve.png"), title, false, reference);
        writePng(dir.resolve("learning-curve-all.png"), title + " (every series)", true, reference);
    }

    /** Reads a points.csv (and the runs.csv beside it, if any) back: to merge runs made by separate commands. */
    public static List<RunResult> readCsv(Path file) {
        Map<String, List<CurvePoint>> points = new LinkedHashMap<>();
        Map<String, String[]> keys = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                String key = f[0] + "," + f[1] + "," + f[2];
                keys.putIfAbsent(key, f);
                points.computeIfAbsent(key, k -> new ArrayList<>()).add(new CurvePoint(Integer.parseInt(f[3]),
                        Long.parseLong(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String[]> totals = new LinkedHashMap<>();
        Path runsFile = file.resolveSibling("runs.csv");
        if (Files.exists(runsFile)) {
            try {
                List<String> lines = Files.readAllLines(runsFile);
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.split(",");
                    if (f.length >= 6) {
                        totals.put(f[0] + "," + f[1] + "," + f[2], f);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + runsFile, e);
            }
        }
        List<RunResult> out = new ArrayList<>();
        for (Map.Entry<String, List<CurvePoint>> e : points.entrySet()) {
            String[] f = keys.get(e.getKey());
            List<CurvePoint> ps = e.getValue();
            CurvePoint last = ps.get(ps.size() - 1);
            String[] t = totals.get(e.getKey());
            out.add(t == null
                    ? new RunResult(f[0], f[1], Long.parseLong(f[2]), ps, last.labels(), last.events(), last.seconds())
                    : new RunResult(f[0], f[1], Long.parseLong(f[2]), ps, Long.parseLong(t[3]), Long.parseLong(t[4]),
                            Double.parseDouble(t[5]), t.length >= 10 ? Integer.parseInt(t[7]) : 0,
                            t.length >= 10 ? Double.parseDouble(t[8]) : 0, t.length >= 10 ? Long.parseLong(t[9]) : 0));
        }
        return out;
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
