package io.alstream.bench.efficiency;

import io.alstream.learner.nn.LossPlateau;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The offline yardsticks beside the streaming learner: the network retrained from scratch to convergence on
 * random labels at each count, and scikit-learn's MLP where python3-sklearn is installed (a note otherwise),
 * with the gap table in summary.md.
 */
class YardstickTest {
    @Test
    void theOfflineNetworkConvergesAndTheReportStatesTheGap(@TempDir Path out) throws Exception {
        int exit = BenchCommand.execute("--data", "digits", "--seeds", "1", "--strategies", "random", "--budget", "0.2",
                "--labels", "30,120", "--hidden", "32", "--warmup-labels", "15", "--kernel-cap", "256", "--pool", "64",
                "--batch", "50", "--yardsticks", "network,sklearn", "--progress-seconds", "1000", "--out", out.toString());
        assertEquals(0, exit);
        List<RunResult> runs = CurveReport.readCsv(out.resolve("points.csv"));
        RunResult offline = runs.stream().filter(r -> r.learner().equals(OfflineRun.LEARNER)).findFirst().orElseThrow();
        assertEquals(2, offline.points().size());
        for (CurvePoint p : offline.points()) {
            // 'events' holds the steps the training took: at least the minimum, at most the cap
            assertTrue(p.events() >= OfflineRun.MIN_STEPS && p.events() <= OfflineRun.MAX_STEPS, "steps: " + p);
        }
        double at120 = offline.accuracyAt(120);
        assertTrue(at120 > 0.7, "120 random digit labels trained to convergence: " + at120);
        assertTrue(at120 > offline.accuracyAt(30), "more labels, better offline network: " + offline.points());

        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("| offline network-from-scratch | 120 | " + String.format(java.util.Locale.ROOT, "%.3f", at120)),
                "gap row at the largest count: " + md);
        assertTrue(md.contains("Offline yardstick (offline network-from-scratch)"), md);
        boolean sklearn = runs.stream().anyMatch(r -> r.learner().equals(SklearnRun.LEARNER));
        if (sklearn) {
            assertTrue(md.contains("| sklearn mlp-random | 120 |"), md);
            assertTrue(md.contains("scikit-learn yardstick: MLPClassifier"), md);
        } else {
            assertTrue(md.contains("scikit-learn yardstick skipped: no Python 3 with scikit-learn (Debian: apt-get install python3-sklearn)."), md);
        }
        assertFalse(md.contains("| random | 1 | - |"), "random reached its counts: " + md);
    }

    @Test
    void thePlateauRuleStopsWhenTheLossStopsFalling() {
        LossPlateau rule = yardsticksRule();
        // 100 steps an epoch; the loss halves until epoch 6, then stays flat
        int stoppedAt = -1;
        for (int epoch = 1; epoch <= 100; epoch++) {
            double loss = epoch <= 6 ? Math.pow(0.5, epoch) : Math.pow(0.5, 6) * 0.999;
            if (rule.stop(epoch, epoch * 100L, loss)) {
                stoppedAt = epoch;
                break;
            }
        }
        // best at epoch 6 (600 steps); the patience is 300 steps and 10 epochs: epoch 16
        assertEquals(16, stoppedAt);
        // never before the minimum steps, however flat
        LossPlateau flat = yardsticksRule();
        for (int epoch = 1; epoch <= 499; epoch++) {
            assertFalse(flat.stop(epoch, epoch, 1.0), "stopped at step " + epoch);
        }
    }

    private static LossPlateau yardsticksRule() {
        return new LossPlateau(OfflineRun.MIN_STEPS, OfflineRun.PATIENCE_STEPS, OfflineRun.PATIENCE_EPOCHS, OfflineRun.MIN_IMPROVEMENT);
    }
}
