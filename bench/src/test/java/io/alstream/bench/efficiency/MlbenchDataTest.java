package io.alstream.bench.efficiency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The UCI sets read from Debian's r-cran-mlbench: with the package installed, the shapes and class counts the
 * report states; without it (as in CI), exit code 2 and the package to install.
 */
class MlbenchDataTest {
    private static boolean installed(String rdata) {
        return Files.exists(BenchData.MLBENCH_DIR.resolve(rdata + ".rda"));
    }

    @Test
    void shuttleHasTheImbalanceTheReportStates(@TempDir Path out) {
        if (!installed("Shuttle")) {
            StringWriter err = new StringWriter();
            int exit = BenchCommand.execute(new PrintWriter(err, true), "--data", "shuttle", "--out", out.toString());
            assertEquals(2, exit, err.toString());
            assertTrue(err.toString().contains("apt-get install r-cran-mlbench"), err.toString());
            assertEquals(1, err.toString().strip().lines().count(), err.toString());
            return;
        }
        BenchData d = BenchData.mlbench("shuttle", 0.2, 1);
        assertEquals(58_000, d.stream().size() + d.heldOut().size());
        assertEquals(46_400, d.stream().size());
        assertEquals(9, d.featureDim());
        assertEquals(7, d.numClasses());
        int[] counts = new int[7];
        for (int[] ys : new int[][] {d.stream().labels(), d.heldOut().labels()}) {
            for (int y : ys) {
                counts[y]++;
            }
        }
        int[] sorted = Arrays.stream(counts).sorted().toArray();
        assertEquals("[10, 13, 50, 171, 3267, 8903, 45586]", Arrays.toString(sorted));
        assertTrue(sorted[6] >= 10 * sorted[4], "at least 10:1 between the largest class and the third largest");
    }

    @Test
    void letterAndSatelliteHaveTheirShapes() {
        // skipped (not passed) without the package; the missing-package path is tested above
        assumeTrue(installed("LetterRecognition") && installed("Satellite"), "r-cran-mlbench is not installed");
        BenchData letter = BenchData.mlbench("letter", 0.2, 1);
        assertEquals(16_000, letter.stream().size());
        assertEquals(16, letter.featureDim());
        assertEquals(26, letter.numClasses());
        BenchData sat = BenchData.mlbench("satellite", 0.2, 1);
        assertEquals(6_435, sat.stream().size() + sat.heldOut().size());
        assertEquals(36, sat.featureDim());
        assertEquals(6, sat.numClasses());
        // the same split seed gives the same split
        assertEquals(Arrays.toString(sat.heldOut().labels()), Arrays.toString(BenchData.mlbench("satellite", 0.2, 1).heldOut().labels()));
        assertFalse(Arrays.equals(sat.heldOut().labels(), BenchData.mlbench("satellite", 0.2, 2).heldOut().labels()));
    }
}
