package io.alstream.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs JMH with the given command-line options (same syntax as JMH's own main), then prints a summary:
 * the matmul yardstick in GFLOP/s, events scored per second, label-update costs, and each result as a
 * multiple of the same run's float64 1024^2 matmul time.
 */
public final class BenchMain {
    private BenchMain() { }

    public static void main(String[] args) throws Exception {
        CommandLineOptions opts = new CommandLineOptions(args);
        Collection<RunResult> results = new Runner(opts).run();
        double matmul64Ms = Double.NaN;
        Map<String, String> lines = new TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replace("io.alstream.bench.", "");
            double score = r.getPrimaryResult().getScore();
            String unit = r.getPrimaryResult().getScoreUnit();
            Map<String, String> p = new TreeMap<>();
            for (String k : r.getParams().getParamsKeys()) {
                p.put(k, r.getParams().getParam(k));
            }
            if (name.endsWith("matmul") && "FLOAT64".equals(p.get("type"))) {
                matmul64Ms = score;
            }
            lines.put(name + " " + p, String.format("%.4f %s", score, unit));
        }
        System.out.println();
        System.out.println("==== alstream learner benchmark summary ====");
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replace("io.alstream.bench.", "");
            double ms = r.getPrimaryResult().getScore();
            String unit = r.getPrimaryResult().getScoreUnit();
            StringBuilder p = new StringBuilder();
            for (String k : r.getParams().getParamsKeys()) {
                p.append(k).append('=').append(r.getParams().getParam(k)).append(' ');
            }
            String extra = "";
            if (name.endsWith("matmul")) {
                int n = Integer.parseInt(r.getParams().getParam("n"));
                extra = String.format("  -> %.1f GFLOP/s", 2.0 * n * n * n / (ms * 1e-3) / 1e9);
            } else if (name.contains("ScoringBenchmark")) {
                int batch = Integer.parseInt(r.getParams().getParam("batch"));
                extra = String.format("  -> %.0f events/s, %.2f matmul64-equivalents", batch / (ms * 1e-3), ms / matmul64Ms);
            } else if (unit.startsWith("ms")) {
                extra = String.format("  -> %.2f matmul64-equivalents", ms / matmul64Ms);
            }
            System.out.printf("%-45s %-60s %10.4f %s%s%n", name, p, ms, unit, extra);
        }
    }
}
