package io.alstream.bench.efficiency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark end to end on a reduced digits configuration (the CI smoke run): every strategy and two seeds
 * in process plus MOA naive Bayes as the peer, through the command line, into a report folder.
 */
class DigitsSmokeTest {
    private static final List<String> STRATEGIES = List.of("random", "entropy", "margin", "bald", "balent",
            "lookahead-flip", "lookahead-mlmoc");
    private static final int[] COUNTS = {20, 50, 120};

    @Test
    void digitsBenchmarkWritesACompleteReport(@TempDir Path out) throws Exception {
        int exit = BenchCommand.execute("--data", "digits", "--seeds", "2", "--budget", "0.1", "--labels", "20,50,120",
                "--reference", "120", "--hidden", "64", "--epochs", "10", "--warmup-labels", "15", "--kernel-cap", "512",
                "--pool", "128", "--batch", "50", "--learner", "posterior-samples=10", "--moa", "naive-bayes",
                "--yardsticks", "none", "--progress-seconds", "1000", "--out", out.toString());
        assertEquals(0, exit);
        for (String f : List.of("points.csv", "runs.csv", "summary.md", "learning-curve.png", "learning-curve-all.png", "commands.txt")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f + " written");
        }
        BufferedImage png = ImageIO.read(out.resolve("learning-curve.png").toFile());
        assertNotNull(png, "learning-curve.png is a PNG");
        assertEquals(1000, png.getWidth());

        List<RunResult> runs = CurveReport.readCsv(out.resolve("points.csv"));
        Map<String, List<RunResult>> bySeries = new TreeMap<>();
        for (RunResult r : runs) {
            bySeries.computeIfAbsent(r.series(), k -> new ArrayList<>()).add(r);
            for (CurvePoint p : r.points()) {
                assertTrue(p.accuracy() >= 0 && p.accuracy() <= 1, "accuracy in [0,1]: " + p);
            }
            for (int c : COUNTS) {
                assertTrue(!Double.isNaN(r.accuracyAt(c)), r.series() + " seed " + r.seed() + " reached " + c + " labels");
            }
            assertTrue(r.labels() >= 120 && r.events() > 0 && r.seconds() > 0, "run totals: " + r);
        }
        List<String> expected = new ArrayList<>(STRATEGIES);
        expected.add("moa-naive-bayes var-uncertainty");
        expected.add("moa-naive-bayes random");
        for (String s : expected) {
            List<RunResult> rs = bySeries.get(s);
            assertNotNull(rs, "series " + s + " in the report");
            assertEquals(List.of(1L, 2L), rs.stream().map(RunResult::seed).sorted().toList(), s + " has both seeds");
        }
        assertEquals(expected.size(), bySeries.size());

        // random's mean accuracy rises with the labels it gets
        List<RunResult> random = bySeries.get("random");
        double first = CurveReport.meanStd(random, COUNTS[0])[0];
        double last = CurveReport.meanStd(random, COUNTS[COUNTS.length - 1])[0];
        assertTrue(last > first, "random: " + first + " at " + COUNTS[0] + " labels, " + last + " at " + COUNTS[COUNTS.length - 1]);
        assertTrue(last > 0.5, "120 digit labels give a usable classifier: " + last);

        String md = Files.readString(out.resolve("summary.md"));
        for (String s : expected) {
            assertTrue(md.contains("| " + s + " | 2 |"), "summary row for " + s);
        }
        assertTrue(md.contains("Labels needed to reach random's 120-label accuracy"));
        assertTrue(md.contains("Command: `alstream bench --data digits"));
        assertTrue(md.contains("Best MOA base learner (variable uncertainty"), "the peer's best base learner is named");
    }
}
