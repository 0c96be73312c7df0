package io.alstream.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.alstream.connectors.Topics;
import io.alstream.connectors.broker.BrokerConfig;
import io.alstream.connectors.broker.client.SimulatedCrowd;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.flink.AlstreamJob;
import io.alstream.flink.config.JobConfig;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.local.demo.EventReplayer;
import io.alstream.local.demo.LoopMonitor;
import io.alstream.schemas.ModelUpdate;

/**
 * The acceptance test of the whole loop on the embedded stack: real Kafka, real registry and Avro
 * bytes, the real label broker served over HTTP to a simulated crowd, the job on a Flink MiniCluster
 * whose TaskManager is killed half way. Everything is checked on what the exactly-once sinks
 * committed (read_committed).
 */
class EndToEndTest {
    private static final Logger LOG = LoggerFactory.getLogger(EndToEndTest.class);
    private static final int EVENTS = 800;
    private static final double BUDGET = 0.1;
    private static final int BAD = 5;

    @Test
    void theLoopLearnsFromTheCrowdExactlyOnceAcrossARestart(@TempDir Path tmp) throws Exception {
        LabelledDataset.Split split = LabelledDataset.digits().scaled(16f).split(0.2, 11);
        LabelledDataset all = split.stream();
        LabelledDataset stream = new LabelledDataset("digits", java.util.Arrays.copyOf(all.features(), EVENTS),
                java.util.Arrays.copyOf(all.labels(), EVENTS), 10);
        BrokerConfig broker = BrokerConfig.builder().minAnswers(3).maxAnswers(5).leaseDuration(Duration.ofSeconds(20)).build();

        // one slot per TaskManager at parallelism 2: killing one fails running tasks for sure
        try (EmbeddedStack stack = EmbeddedStack.start(tmp.resolve("data"), 2, 2, 1, broker)) {
            Path heldOut = tmp.resolve("held-out.csv");
            split.heldOut().writeCsv(heldOut);
            Map<String, String> s = new TreeMap<>();
            s.put("kafka.bootstrap-servers", stack.kafka().bootstrapServers());
            s.put("registry.url", stack.registry().url());
            s.put("data.feature-dim", "64");
            s.put("data.num-classes", "10");
            s.put("data.held-out-path", heldOut.toString());
            s.put("job.parallelism", "2");
            s.put("job.checkpoint-interval-ms", "1000");
            s.put("job.batch-size", "16");
            s.put("job.batch-max-delay-ms", "150");
            s.put("job.redundancy", "3");
            s.put("learner.budget", Double.toString(BUDGET));
            s.put("learner.warmup-labels", "25");
            s.put("learner.hidden-widths", "64");
            s.put("learner.train-epochs", "60");
            s.put("learner.reference-pool", "128");
            s.put("learner.posterior-samples", "8");
            AlstreamJob job = AlstreamJob.onKafka(JobConfig.of(s));
            double untrained;
            try (OnlineModel m = OnlineModel.create(job.learnerConfig())) {
                untrained = m.accuracy(split.heldOut().features(), split.heldOut().labels());
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            job.configure(env);
            job.build(env);
            JobID id = stack.flink().submit(env, "alstream-e2e");
            stack.flink().awaitRunning(id, Duration.ofSeconds(90));

            EventReplayer replayer = new EventReplayer(stack.kafka().bootstrapServers(), stack.registryClient(), Topics.EVENTS,
                    stream, "e2e", 40, BAD);
            Map<String, Integer> truth = new HashMap<>();
            for (int i = 0; i < EVENTS; i++) {
                truth.put(replayer.id(i), stream.labels()[i]);
            }
            SimulatedCrowd.Builder crowd = SimulatedCrowd.builder().baseUri(stack.broker().httpUri())
                    .truth(t -> truth.get(t.eventId)).seed(5).thinkTime(Duration.ofMillis(20), Duration.ofMillis(120));
            for (int w = 0; w < 6; w++) {
                String wid = "w" + w;
                crowd.worker(wid, WorkerTokens.derive(EmbeddedStack.DEMO_TOKEN_SECRET, wid), 0.75 + 0.04 * w);
            }
            LoopMonitor.Snapshot snap;
            try (LoopMonitor monitor = new LoopMonitor(stack.kafka().bootstrapServers(), stack.registryClient(), truth);
                 SimulatedCrowd workers = crowd.build().start()) {
                Thread m = new Thread(monitor, "monitor");
                m.setDaemon(true);
                m.start();
                Thread r = new Thread(replayer, "events");
                r.start();
                while (replayer.produced() < EVENTS / 2) {
                    Thread.sleep(100);
                }
                stack.flink().killTaskManager(0);
                stack.flink().startTaskManager();
                r.join();
                assertEquals(null, replayer.failure());

                // complete: the model is warm (so the labels saved during its cold start have been asked for),
                // every request is answered and folded, and it stays so for five seconds
                long deadline = System.currentTimeMillis() + 150_000;
                long quietSince = -1;
                while (true) {
                    snap = monitor.snapshot();
                    boolean complete = snap.requests() > 0 && snap.labels() >= snap.requests()
                            && snap.foldedDistinct() >= snap.labels() && snap.deadLetterCount() >= BAD
                            && snap.lastUpdate() != null && snap.lastUpdate().getRefreshCount() > 0;
                    if (!complete) {
                        quietSince = -1;
                    } else if (quietSince < 0) {
                        quietSince = System.currentTimeMillis();
                    } else if (System.currentTimeMillis() - quietSince > 5000) {
                        break;
                    }
                    if (System.currentTimeMillis() > deadline) {
                        break;
                    }
                    Thread.sleep(500);
                }
                snap = monitor.snapshot();
            }
            LOG.info("{} events, {} requests {}, {} labels ({} correct), folded {} ({} distinct), dead letters {}, held-out {}",
                    EVENTS, snap.requests(), snap.requestsByStrategy(), snap.labels(), snap.labelsCorrect(),
                    snap.foldedTotal(), snap.foldedDistinct(), snap.deadLetters(), snap.heldOutAccuracy());

            // label requests: only for real events, none twice, within the budget
            assertEquals(0, snap.duplicateRequests(), "an event was requested twice");
            double expected = EVENTS * BUDGET;
            assertTrue(Math.abs(snap.requests() - expected) <= 0.1 * expected,
                    snap.requests() + " requests, budget " + expected + " +-10%");
            // the crowd's answers came back as labels for every request, and each was folded exactly once
            assertEquals(snap.requests(), snap.labels(), "every request answered by the crowd");
            assertEquals(snap.labels(), snap.foldedDistinct(), "every label folded");
            assertEquals(snap.foldedDistinct(), snap.foldedTotal(), "no label folded twice");
            assertTrue(snap.labelsCorrect() >= 0.85 * snap.labels(), "aggregated labels mostly right: " + snap.labelsCorrect());
            // the model learned
            ModelUpdate first = snap.updates().get(0);
            ModelUpdate last = snap.lastUpdate();
            assertTrue(last.getVersion() > first.getVersion(), "model version did not rise");
            Double warm = snap.firstHeldOut().get("accuracy");
            Double end = snap.heldOutAccuracy();
            assertNotNull(end);
            LOG.info("held-out accuracy: untrained {}, warm-up {}, after {} labels {}", untrained, warm, snap.labels(), end);
            assertTrue(end > untrained + 0.3, "held-out accuracy " + end + " vs untrained " + untrained);
            assertTrue(end > warm, "held-out accuracy after the labels " + end + " not above warm-up " + warm);
            // bad input: dead-lettered with its reason, and the job kept running through a restart
            assertEquals(Set.of("bad-magic-byte", "too-short", "unknown-schema-id", "wrong-dimension", "non-finite"),
                    snap.deadLetters().keySet());
            assertEquals(BAD, snap.deadLetterCount());
            assertEquals(JobStatus.RUNNING, stack.flink().status(id));
            assertTrue(stack.flink().restarts(id) >= 1, "the TaskManager kill did not restart the job");
            stack.flink().cancel(id);
        }
    }
}
