package io.alstream.bench.efficiency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CurveReportTest {
    private static RunResult run(String strategy, long seed, double... acc) {
        int[] counts = {100, 200, 500};
        List<CurvePoint> pts = new java.util.ArrayList<>();
        for (int i = 0; i < acc.length; i++) {
            pts.add(new CurvePoint(counts[i], counts[i] * 10L, acc[i], i + 1));
        }
        return new RunResult("alstream", strategy, seed, pts, counts[acc.length - 1], 5000, 10);
    }

    @Test
    void meanStdAndLabelsToReachFollowTheMeanCurve() {
        List<RunResult> runs = List.of(run("random", 1, 0.5, 0.6, 0.7), run("random", 2, 0.6, 0.7, 0.8),
                run("balent", 1, 0.6, 0.8, 0.9), run("balent", 2, 0.6, 0.8), run("margin", 1, 0.5, 0.55, 0.6));
        CurveReport r = new CurveReport(runs, new int[] {100, 200, 500});
        double[] ms = CurveReport.meanStd(r.bySeries().get("random"), 500);
        assertEquals(0.75, ms[0], 1e-12);
        assertEquals(Math.sqrt(0.005), ms[1], 1e-12);
        assertEquals(1, CurveReport.meanStd(r.bySeries().get("balent"), 500)[2]);
        // random's 500-label mean is 0.75; balent's mean is 0.6 at 100 and 0.8 at 200: 0.75 at 175
        assertEquals(175, r.labelsToReach(r.bySeries().get("balent"), 0.75), 1e-9);
        assertEquals(500, r.labelsToReach(r.bySeries().get("random"), 0.75), 1e-9);
        assertTrue(Double.isNaN(r.labelsToReach(r.bySeries().get("margin"), 0.75)));
        String md = r.markdown("t", 500, List.of());
        assertTrue(md.contains("| balent | 2 | 0.600 ± 0.000 | 0.800 ± 0.000 | 0.900 ± 0.000 (n=1) |"), md);
        assertTrue(md.contains("| margin | not reached within 500 labels |"), md);
    }

    @Test
    void csvRoundTripKeepsEveryPointAndRunTotal(@TempDir Path dir) {
        List<RunResult> runs = List.of(run("random", 1, 0.5, 0.6, 0.7), run("entropy", 3, 0.55, 0.65));
        new CurveReport(runs, new int[] {100, 200, 500}).writeAll(dir, "t", 200, List.of());
        List<RunResult> back = CurveReport.readCsv(dir.resolve("points.csv"));
        assertEquals(runs, back);
    }

    @Test
    void retrainCostIsReportedPerSeriesAndSurvivesTheCsv(@TempDir Path dir) {
        List<CurvePoint> pts = List.of(new CurvePoint(100, 1000, 0.5, 1));
        RunResult a = new RunResult("alstream", "random", 1, pts, 100, 1000, 10, 4, 2.0, 4000);
        RunResult b = new RunResult("alstream", "random", 2, pts, 100, 1000, 30, 6, 6.0, 8000);
        RunResult moa = new RunResult("moa-knn", "random", 1, pts, 100, 1000, 5);
        RunResult older = new RunResult("alstream", "random", 3, pts, 100, 1000, 99); // from a report without the columns
        CurveReport r = new CurveReport(List.of(a, b, older, moa), new int[] {100});
        String md = r.markdown("t", 100, List.of());
        // means over the two seeds that recorded it: 5 retrains, 4 s of training in 20 s of wall time, 0.8 s and
        // 1,200 steps a retrain
        assertTrue(md.contains("| random | 2 | 5.0 | 4.0 | 20% | 0.80 | 1200 |"), md);
        String cost = md.substring(md.indexOf("What retraining the network cost"));
        assertTrue(!cost.substring(0, cost.indexOf("\n\n", cost.indexOf("|---"))).contains("moa-knn"),
                "a series without retrains has no row in the cost table: " + md);
        r.writeAll(dir, "t", 100, List.of());
        assertEquals(List.of(a, b, older, moa), CurveReport.readCsv(dir.resolve("points.csv")));
    }
}
