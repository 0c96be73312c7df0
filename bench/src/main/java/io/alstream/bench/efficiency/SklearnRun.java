package io.alstream.bench.efficiency;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The scikit-learn yardstick: {@code MLPClassifier} (one hidden layer as wide as the learner's first, Adam, its
 * own convergence test, at most 1,000 epochs) trained on the same random labels as {@link OfflineRun} (the first
 * N events of each seed's stream order) for each label count, by Debian's Python 3 with {@code python3-sklearn}
 * ({@code bench/sklearn_mlp.py} in the jar). Without scikit-learn the yardstick is skipped and the report says so.
 */
public final class SklearnRun {
    public static final String LEARNER = "sklearn";
    public static final String STRATEGY = "mlp-random";
    /** Debian's interpreter first: python3-sklearn installs for it, not for a python3 that shadows it on the PATH. */
    private static final List<String> PYTHONS = List.of("/usr/bin/python3", "python3");

    private SklearnRun() {
    }

    /** The Python 3 that imports scikit-learn, with its version; null if none does. */
    static String[] python(Path script) {
        for (String py : PYTHONS) {
            try {
                Process p = new ProcessBuilder(py, script.toString(), "--check").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return new String[] {py, out};
                }
            } catch (IOException e) {
                // not there: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /**
     * Runs the yardstick for seeds first .. first + seeds - 1; adds one sentence to notes (what ran, or why not).
     * Returns one run per seed (empty when skipped).
     */
    public static List<RunResult> run(BenchData data, long firstSeed, int seeds, RunSettings settings, int hidden,
                                      List<String> notes, java.io.PrintStream log) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("alstream-sklearn");
            Path script = dir.resolve("sklearn_mlp.py");
            try (InputStream in = SklearnRun.class.getResourceAsStream("/bench/sklearn_mlp.py")) {
                Files.copy(in, script);
            }
            String[] py = python(script);
            if (py == null) {
                notes.add("scikit-learn yardstick skipped: no Python 3 with scikit-learn (Debian: apt-get install python3-sklearn).");
                return List.of();
            }
            int[] counts = settings.reachable(data.stream().size());
            writeRows(dir.resolve("stream.csv"), data.stream().features(), data.stream().labels());
            writeRows(dir.resolve("held_out.csv"), data.heldOut().features(), data.heldOut().labels());
            int most = counts.length == 0 ? 0 : counts[counts.length - 1];
            try (Writer w = Files.newBufferedWriter(dir.resolve("orders.csv"))) {
                for (long s = firstSeed; s < firstSeed + seeds; s++) {
                    int[] order = data.streamOrder(s);
                    w.write(Long.toString(s));
                    for (int i = 0; i < Math.min(most, order.length); i++) {
                        w.write(',');
                        w.write(Integer.toString(order[i]));
                    }
                    w.write('\n');
                }
            }
            StringBuilder cs = new StringBuilder();
            for (int c : counts) {
                cs.append(c).append('\n');
            }
            Files.writeString(dir.resolve("counts.txt"), cs);
            ProcessBuilder pb = new ProcessBuilder(py[0], script.toString(), dir.toString(), Integer.toString(hidden))
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            // one BLAS thread, as the learner has one torch thread: the same footing, and no oversubscribed cores
            pb.environment().put("OMP_NUM_THREADS", "1");
            pb.environment().put("OPENBLAS_NUM_THREADS", "1");
            Process p = pb.start();
            Map<Long, List<CurvePoint>> points = new LinkedHashMap<>();
            Map<Long, Double> seconds = new LinkedHashMap<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.split(",");
                    if (f.length != 5) {
                        continue;
                    }
                    long seed = Long.parseLong(f[0]);
                    double secs = Double.parseDouble(f[3]);
                    points.computeIfAbsent(seed, k -> new ArrayList<>()).add(new CurvePoint(Integer.parseInt(f[1]),
                            Long.parseLong(f[4]), Double.parseDouble(f[2]), secs));
                    seconds.merge(seed, secs, Double::sum);
                    log.printf(java.util.Locale.ROOT, "sklearn MLP seed %s, %s labels: held-out %s (%s s, %s epochs)%n",
                            f[0], f[1], f[2], f[3], f[4]);
                }
            }
            if (p.waitFor() != 0) {
                throw new IllegalStateException("the scikit-learn yardstick failed (exit " + p.exitValue() + "; its error is above)");
            }
            notes.add("scikit-learn yardstick: MLPClassifier(hidden_layer_sizes=(" + hidden + ",), solver='adam', max_iter=1000, "
                    + "random_state=seed), defaults otherwise, scikit-learn " + py[1] + " (" + py[0] + "), on the same inputs "
                    + "and the same random labels as the offline network; its points.csv 'events' column holds its epochs.");
            List<RunResult> out = new ArrayList<>();
            for (Map.Entry<Long, List<CurvePoint>> e : points.entrySet()) {
                out.add(new RunResult(LEARNER, STRATEGY, e.getKey(), e.getValue(), most, most, seconds.get(e.getKey())));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (dir != null) {
                deleteQuietly(dir);
            }
        }
    }

    private static void writeRows(Path file, float[][] xs, int[] ys) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < xs.length; i++) {
                sb.setLength(0);
                for (float v : xs[i]) {
                    sb.append(v).append(',');
                }
                sb.append(ys[i]).append('\n');
                w.write(sb.toString());
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
