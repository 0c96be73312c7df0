package io.alstream.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.learner.data.LabelledDataset;
import io.alstream.local.cluster.chaos.FailureChecks;
import io.alstream.local.cluster.chaos.FailureReport;
import io.alstream.local.cluster.chaos.FailureRun;

/**
 * The short failure run of {@code mvn verify} (the full one, ten failures on Fashion-MNIST, is
 * {@code alstream bench failures}): digits events streaming through a real Kafka broker, the registry and the label
 * broker as processes of their own, a simulated crowd over HTTP, the job on a JobManager and two TaskManagers (each
 * its own JVM). Three failures: a poisoned record, a TaskManager {@code kill -9}, a label-broker {@code kill -9}.
 * Each must be recovered from, and the read_committed outputs must hold every invariant of {@link FailureChecks}.
 */
class ClusterFailureTest {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterFailureTest.class);

    @Test
    void threeFailuresOnAMultiProcessClusterLoseNothingAndRepeatNothing(@TempDir Path tmp) throws Exception {
        LabelledDataset digits = LabelledDataset.digits().scaled(16f);
        FailureRun.Settings settings = new FailureRun.Settings(tmp.resolve("run"), digits.features(), digits.labels(), 10,
                25, List.of(FailureRun.Kind.POISON_UNDECODABLE, FailureRun.Kind.TASK_MANAGER_KILL, FailureRun.Kind.LABEL_BROKER_KILL),
                Duration.ofSeconds(150), Duration.ofSeconds(8), Duration.ofSeconds(20), Duration.ofSeconds(240),
                Duration.ofSeconds(90), 0.1, Duration.ofSeconds(45), 4, 0.95, 2, "768m", "1280m", "320m",
                Map.ofEntries(Map.entry("learner.warmup-labels", "20"), Map.entry("learner.hidden-widths", "32"),
                        Map.entry("learner.train-epochs", "20"), Map.entry("learner.reference-pool", "64"),
                        Map.entry("learner.posterior-samples", "8"), Map.entry("job.batch-size", "16"),
                        Map.entry("job.batch-max-delay-ms", "100"), Map.entry("job.model-broadcast-interval-ms", "500"),
                        Map.entry("job.checkpoint-interval-ms", "1000")),
                System.getProperty("java.class.path"), LOG::info);
        FailureRun.Result r = new FailureRun(settings).run();
        FailureReport.write(tmp.resolve("report"), r, "ClusterFailureTest", "mvn verify");
        for (FailureRun.Injected f : r.failures()) {
            LOG.info("failure {} {}: recovered {} in {} s; {}", f.n(), f.kind(), f.recovered(), f.recoverySeconds(), f.detail());
        }
        r.verdict().checks().forEach(c -> LOG.info("{}: {} ({})", c.passed() ? "held" : "BROKEN", c.name(), c.detail()));
        r.verdict().counts().forEach((k, v) -> LOG.info("{}: {}", k, v));
        assertEquals(3, r.failures().size());
        for (FailureRun.Injected f : r.failures()) {
            assertTrue(f.recovered(), "not recovered from " + f.kind() + ": " + f.detail() + "\n" + String.join("\n", r.timeline()));
        }
        assertTrue(r.verdict().passed(), "invariants broken: " + r.verdict().failed() + "\n" + String.join("\n", r.timeline()));
        assertEquals("RUNNING", r.finalJobState());
    }
}
