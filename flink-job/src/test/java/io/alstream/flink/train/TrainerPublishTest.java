package io.alstream.flink.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.alstream.flink.records.ModelBroadcast;
import io.alstream.flink.records.ModelUpdateRecord;
import io.alstream.flink.records.TrainerInput;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.ModelDelta;
import io.alstream.learner.ModelReplica;
import io.alstream.learner.ModelSnapshot;

/**
 * The trainer's publish path on Flink's operator test harness: full snapshot first and after the warm-up
 * training, deltas in between that a replica applies without a gap; exactly one ModelUpdate per version
 * (a close for a request that is not pending changes nothing and writes nothing); budgetSpent from the
 * shards' counts; trigger values.
 */
class TrainerPublishTest {
    private static final long PUBLISH_MS = 100;

    private static final LearnerConfig CONFIG = LearnerConfig.builder().inputDim(4).numClasses(2).hiddenWidths(8)
            .warmupLabels(3).trainEpochs(2).refreshGrowth(0).kernelCap(1000).build();

    private static TrainerInput pending(String id, float[] x, int shard, long seen, long requested) {
        TrainerInput t = TrainerInput.pending(id, x, 0);
        t.shard = shard;
        t.shardEventsSeen = seen;
        t.shardLabelsRequested = requested;
        return t;
    }

    private static TrainerInput label(String id, float[] x, Integer label) {
        TrainerInput t = new TrainerInput();
        t.kind = TrainerInput.Kind.LABEL;
        t.eventId = id;
        t.features = x;
        t.label = label;
        t.closeReason = label == null ? "deadline" : null;
        return t;
    }

    private static float[] x(int i) {
        return new float[] {i, 1 - i * 0.5f, (i % 3) * 0.25f, -i};
    }

    @Test
    void oneUpdatePerVersionDeltasBetweenSnapshotsAndBudgetSpent() throws Exception {
        TrainerFunction fn = new TrainerFunction(CONFIG, PUBLISH_MS, 0.98, null, "default", 60_000);
        try (KeyedOneInputStreamOperatorTestHarness<Byte, TrainerInput, ModelBroadcast> h =
                     new KeyedOneInputStreamOperatorTestHarness<>(new TrainerOperator(fn), t -> TrainerFunction.KEY, Types.BYTE)) {
            h.open();
            long now = 0;
            h.setProcessingTime(now);

            h.processElement(new StreamRecord<>(pending("p1", x(1), 7, 10, 1)));
            h.setProcessingTime(now += 2 * PUBLISH_MS);                   // v1: a pending entry, the first publish
            h.processElement(new StreamRecord<>(label("ghost", x(9), null)));
            h.setProcessingTime(now += 2 * PUBLISH_MS);                   // a close for nothing pending: no new version
            h.processElement(new StreamRecord<>(pending("p2", x(2), 8, 30, 2)));
            h.setProcessingTime(now += 2 * PUBLISH_MS);                   // v2: another pending entry
            h.processElement(new StreamRecord<>(label("p1", x(1), null)));
            h.setProcessingTime(now += 2 * PUBLISH_MS);                   // v3: p1 closed unlabelled, dropped
            for (int i = 0; i < 3; i++) {
                h.processElement(new StreamRecord<>(label("l" + i, x(10 + i), i % 2)));
            }
            // the warm-up training runs on the retrain thread; once it is done, the next timer swaps it in
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!fn.model().retrainFinished()) {
                assertTrue(fn.model().isRetraining() && System.nanoTime() < deadline, "the warm-up retrain never finished");
                Thread.sleep(10);
            }
            h.setProcessingTime(now += 2 * PUBLISH_MS);                   // warm-up training: a new linearisation
            h.processElement(new StreamRecord<>(label("l3", x(20), 1)));
            h.processElement(new StreamRecord<>(label("p2", x(2), 0)));   // confirms the pending p2
            h.setProcessingTime(now += 2 * PUBLISH_MS);                   // labels folded

            List<ModelUpdateRecord> updates = new ArrayList<>();
            for (StreamRecord<ModelUpdateRecord> r : h.getSideOutput(TrainerFunction.MODEL_UPDATES)) {
                updates.add(r.getValue());
            }
            List<ModelBroadcast> broadcasts = h.extractOutputValues();

            List<String> triggers = new ArrayList<>();
            for (int i = 0; i < updates.size(); i++) {
                triggers.add(updates.get(i).trigger);
                if (i > 0) {
                    assertTrue(updates.get(i).version > updates.get(i - 1).version, "versions repeat: " + triggers);
                }
            }
            assertEquals(List.of("pending", "pending", "pending", "warmup", "label"), triggers);
            assertEquals(updates.size(), broadcasts.size(), "one broadcast per published version");
            for (int i = 0; i < updates.size(); i++) {
                assertEquals(updates.get(i).version, broadcasts.get(i).version);
                assertEquals((double) broadcasts.get(i).snapshot.length, updates.get(i).metrics.get("broadcast_bytes"));
                assertEquals(broadcasts.get(i).delta ? 1.0 : 0.0, updates.get(i).metrics.get("broadcast_delta"));
            }

            // budget: shard 7 saw 10 events and asked 1 label, shard 8 saw 30 and asked 2
            assertEquals(0.1, updates.get(0).budgetSpent, 1e-12);
            assertEquals(3.0 / 40, updates.get(1).budgetSpent, 1e-12);
            assertEquals(3.0 / 40, updates.get(4).budgetSpent, 1e-12);

            // full snapshot first and at the warm-up; deltas between, applied in place by a replica without a gap
            List<Boolean> isDelta = new ArrayList<>();
            for (ModelBroadcast b : broadcasts) {
                isDelta.add(b.delta);
            }
            assertEquals(List.of(false, true, true, false, true), isDelta);
            assertEquals(broadcasts.get(0).version, broadcasts.get(1).baseVersion);
            try (ModelReplica replica = new ModelReplica(CONFIG)) {
                for (ModelBroadcast b : broadcasts) {
                    ModelReplica.Outcome o = b.delta ? replica.offer(ModelDelta.fromBytes(b.snapshot))
                            : replica.offer(ModelSnapshot.fromBytes(b.snapshot));
                    assertEquals(ModelReplica.Outcome.APPLIED, o, "version " + b.version);
                }
                assertEquals(3, replica.deltasApplied());
                assertEquals(0, replica.deltasSkipped());
                assertEquals(updates.get(updates.size() - 1).version, replica.version());
                assertTrue(replica.scorer().isWarm());
            }
            ModelDelta last = ModelDelta.fromBytes(broadcasts.get(4).snapshot);
            assertEquals(1, last.appended().size(), "l3 appended");
            assertEquals(1, last.confirmed().size(), "p2 confirmed");
            assertFalse(last.confirmed().get(0).pending());
            assertTrue(broadcasts.get(4).snapshot.length < broadcasts.get(3).snapshot.length,
                    "a delta is smaller than a snapshot: " + broadcasts.get(4).snapshot.length + " vs " + broadcasts.get(3).snapshot.length);
        }
    }

    @Test
    void aRestoredTrainerPublishesItsModelInFullAtOnceWithoutInput() throws Exception {
        // scorers keep no model in their checkpoints: after a restore they depend on this publish, and a scorer with
        // no model may never ask for the label that would otherwise trigger it
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState checkpoint;
        long published;
        long now = 1_000;
        try (KeyedOneInputStreamOperatorTestHarness<Byte, TrainerInput, ModelBroadcast> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new TrainerOperator(new TrainerFunction(CONFIG, PUBLISH_MS, 0.98, null, "default", 60_000)), t -> TrainerFunction.KEY, Types.BYTE)) {
            h.setProcessingTime(now);
            h.open();
            h.setProcessingTime(now += 2 * PUBLISH_MS);
            assertTrue(h.extractOutputValues().isEmpty(), "a fresh trainer with no input publishes nothing");
            h.processElement(new StreamRecord<>(pending("p1", x(1), 0, 10, 1)));
            h.processElement(new StreamRecord<>(pending("p2", x(2), 0, 20, 2)));
            h.setProcessingTime(now += 2 * PUBLISH_MS);
            List<ModelBroadcast> before = h.extractOutputValues();
            assertFalse(before.isEmpty());
            published = before.get(before.size() - 1).version;
            checkpoint = h.snapshot(1, now);
        }
        try (KeyedOneInputStreamOperatorTestHarness<Byte, TrainerInput, ModelBroadcast> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new TrainerOperator(new TrainerFunction(CONFIG, PUBLISH_MS, 0.98, null, "default", 60_000)), t -> TrainerFunction.KEY, Types.BYTE)) {
            h.setProcessingTime(now);
            h.initializeState(checkpoint);
            h.open();
            h.setProcessingTime(now + 1); // no input at all
            List<ModelBroadcast> after = h.extractOutputValues();
            assertEquals(1, after.size(), "the restored model goes out once, at once");
            assertFalse(after.get(0).delta, "in full: scorers restore without a model");
            assertEquals(published, after.get(0).version);
            try (ModelReplica replica = new ModelReplica(CONFIG)) {
                ModelSnapshot restored = ModelSnapshot.fromBytes(after.get(0).snapshot);
                assertEquals(2, restored.entries().size(), "both pending entries in T");
                assertEquals(ModelReplica.Outcome.APPLIED, replica.offer(restored));
                assertEquals(published, replica.version());
            }
            assertTrue(h.getSideOutput(TrainerFunction.MODEL_UPDATES) == null || h.getSideOutput(TrainerFunction.MODEL_UPDATES).isEmpty(),
                    "a restore writes no ModelUpdate: the version was written before");
        }
    }

    @Test
    void publisherSendsSnapshotsOnlyAtANewLinearisationOrAfterTheInterval() {
        try (io.alstream.learner.OnlineModel model = io.alstream.learner.OnlineModel.create(CONFIG)) {
            ModelPublisher p = new ModelPublisher(1000);
            model.addPending("a", x(1));
            ModelBroadcast first = p.next(model, 0);
            assertFalse(first.delta, "the first publish is full");
            assertNull(p.next(model, 10), "nothing new, nothing sent");
            model.addPending("b", x(2));
            ModelBroadcast second = p.next(model, 500);
            assertTrue(second.delta);
            model.addPending("c", x(3));
            ModelBroadcast third = p.next(model, 1000);
            assertFalse(third.delta, "the interval since the last full snapshot has passed");
            assertNotNull(third.snapshot);
            assertEquals(2, p.snapshotsSent());
            assertEquals(1, p.deltasSent());

            ModelPublisher everyVersionFull = new ModelPublisher(0);
            everyVersionFull.next(model, 0);
            model.addPending("d", x(4));
            assertFalse(everyVersionFull.next(model, 1).delta);
        }
    }
}
