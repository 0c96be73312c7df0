package io.alstream.flink.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.alstream.flink.records.ModelBroadcast;
import io.alstream.flink.records.TrainerInput;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.util.SplitMix64;

/**
 * The trainer operator under Flink's keyed operator test harness (real state backend, real timers driven
 * by the test's processing time): the warm-up retrain runs on the trainer's retrain thread while labels keep
 * folding, a checkpoint is taken while it runs, and the restored operator redoes the retrain, folds each label
 * exactly once although the source replays some it already has, and ends with the model of the operator that
 * never stopped - which is the model the synchronous path gives.
 */
class TrainerRetrainCheckpointTest {
    private static final int DIM = 16;

    private static LearnerConfig config() {
        return LearnerConfig.builder().inputDim(DIM).numClasses(3).hiddenWidths(32).ridgeLambda(1e-2)
                .warmupLabels(10).refreshGrowth(0).trainEpochs(50).batchSize(4).referencePoolSize(16)
                .acquisitionFunctions(List.of("entropy")).selectBy("entropy").build();
    }

    private static List<float[]> rows() {
        SplitMix64 rng = new SplitMix64(4);
        List<float[]> xs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            float[] x = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) rng.nextGaussian();
            }
            xs.add(x);
        }
        return xs;
    }

    private static TrainerInput label(int i, List<float[]> xs) {
        TrainerInput t = new TrainerInput();
        t.kind = TrainerInput.Kind.LABEL;
        t.eventId = "e" + i;
        t.features = xs.get(i);
        t.label = i % 3;
        t.at = 1_000 + i;
        return t;
    }

    private static KeyedOneInputStreamOperatorTestHarness<Byte, TrainerInput, ModelBroadcast> harness(TrainerFunction f)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new TrainerOperator(f), t -> TrainerFunction.KEY,
                TypeInformation.of(Byte.class));
    }

    /** Advances processing time (the poll timer fires) until the running retrain has been swapped in. */
    private static long awaitSwap(KeyedOneInputStreamOperatorTestHarness<Byte, TrainerInput, ModelBroadcast> h,
                                  TrainerFunction f, long now) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (f.model().isRetraining()) {
            assertTrue(System.nanoTime() < deadline, "the retrain did not finish in 120 s");
            now += 100;
            h.setProcessingTime(now);
            Thread.sleep(10);
        }
        return now;
    }

    @Test
    void checkpointDuringARetrainRestoresRedoesItAndFoldsEachLabelOnce() throws Exception {
        LearnerConfig cfg = config();
        List<float[]> xs = rows();
        TrainerFunction live = new TrainerFunction(cfg, 50, 0.98, null, "test");
        OperatorSubtaskState checkpoint;
        byte[] liveModel;
        try (var h = harness(live)) {
            h.setProcessingTime(0);
            h.open();
            for (int i = 0; i < 10; i++) {
                h.processElement(new StreamRecord<>(label(i, xs), i));
            }
            // no timer has fired (processing time stands still), so the retrain cannot have been swapped in
            assertTrue(live.model().isRetraining(), "the 10th label started the warm-up retrain");
            assertFalse(live.model().isWarm());
            for (int i = 10; i < 13; i++) {
                h.processElement(new StreamRecord<>(label(i, xs), i));
            }
            checkpoint = h.snapshot(1, 5);
            assertTrue(live.model().isRetraining(), "the checkpoint was taken while the retrain ran");
            for (int i = 13; i < 20; i++) {
                h.processElement(new StreamRecord<>(label(i, xs), i));
            }
            long now = awaitSwap(h, live, 0);
            h.setProcessingTime(now + 1_000);
            assertTrue(live.model().isWarm());
            assertEquals(20, live.model().stats().labelsFolded());
            List<ModelBroadcast> published = new ArrayList<>();
            for (Object o : h.getOutput()) {
                if (o instanceof StreamRecord<?> r && r.getValue() instanceof ModelBroadcast b) {
                    published.add(b);
                }
            }
            assertTrue(published.get(published.size() - 1).warm, "the retrained model was published");
            liveModel = live.model().toBytes();
        }

        TrainerFunction restored = new TrainerFunction(cfg, 50, 0.98, null, "test");
        try (var h = harness(restored)) {
            h.setProcessingTime(0);
            h.initializeState(checkpoint);
            h.open();
            assertTrue(restored.model().isRetraining(), "the restore restarts the interrupted retrain");
            assertEquals(13, restored.model().stats().labelsFolded());
            // the source rewinds to the checkpoint's offsets; the broker also redelivers two older labels
            h.processElement(new StreamRecord<>(label(4, xs), 4));
            h.processElement(new StreamRecord<>(label(11, xs), 11));
            for (int i = 13; i < 20; i++) {
                h.processElement(new StreamRecord<>(label(i, xs), i));
            }
            awaitSwap(h, restored, 0);
            assertEquals(20, restored.model().stats().labelsFolded(), "each label folded once");
            assertArrayEquals(liveModel, restored.model().toBytes(), "the same model as the trainer that never stopped");
        }

        // and the model the synchronous path builds from the same labels
        try (OnlineModel sync = OnlineModel.create(cfg); OnlineModel back = OnlineModel.fromBytes(cfg, liveModel)) {
            for (int i = 0; i < 20; i++) {
                sync.fold("e" + i, xs.get(i), i % 3);
            }
            assertEquals(sync.stats().kernelSize(), back.stats().kernelSize());
            for (int i = 20; i < 30; i++) {
                double[] a = sync.predict(xs.get(i));
                double[] b = back.predict(xs.get(i));
                for (int c = 0; c < a.length; c++) {
                    assertEquals(a[c], b[c], 1e-9 * Math.max(1, Math.abs(a[c])));
                }
            }
        }
    }

    @Test
    void heldOutIsEvaluatedAfterARetrainAndOnceLabelsStopNotAtEveryVersion() throws Exception {
        LearnerConfig cfg = config();
        List<float[]> xs = rows();
        float[][] heldX = xs.subList(20, 30).toArray(new float[0][]);
        int[] heldY = new int[10];
        for (int i = 0; i < 10; i++) {
            heldY[i] = i % 3;
        }
        TrainerFunction f = new TrainerFunction(cfg, 50, 0.98, new HeldOutSet(heldX, heldY), "test").heldOutEvery(1_000);
        try (var h = harness(f)) {
            h.setProcessingTime(0);
            h.open();
            for (int i = 0; i < 10; i++) {
                h.processElement(new StreamRecord<>(label(i, xs), i));
            }
            long now = awaitSwap(h, f, 0);
            now += 100;
            h.setProcessingTime(now); // publishes the retrained model, evaluated
            for (int i = 10; i < 15; i++) {
                h.processElement(new StreamRecord<>(label(i, xs), i));
                now += 60;
                h.setProcessingTime(now); // a version per label, 60 ms apart: none evaluated
            }
            for (int step = 0; step < 30; step++) { // then quiet for 1.5 s: the newest model is evaluated once
                now += 50;
                h.setProcessingTime(now);
            }
            List<io.alstream.flink.records.ModelUpdateRecord> updates = new ArrayList<>();
            h.getSideOutput(TrainerFunction.MODEL_UPDATES).forEach(r -> updates.add(r.getValue()));
            List<Long> evaluatedAt = new ArrayList<>();
            for (var u : updates) {
                if (u.metrics.containsKey("heldout_accuracy")) {
                    evaluatedAt.add(u.labelsFolded);
                }
            }
            String seen = updates.stream().map(u -> u.labelsFolded + "/" + u.trigger + (u.metrics.containsKey("heldout_accuracy") ? "*" : ""))
                    .toList().toString();
            assertTrue(updates.size() >= 6, "a version per label after the retrain: " + seen);
            assertEquals(List.of(10L, 15L), evaluatedAt, "after the retrain, then the newest model once labels stopped");
            // the quiet-time evaluation is the one record that repeats a version, and says so
            var last = updates.get(updates.size() - 1);
            assertEquals("evaluation", last.trigger, seen);
            assertEquals(updates.get(updates.size() - 2).version, last.version, seen);
            assertTrue(last.foldedEventIds.isEmpty(), seen);
            for (int i = 1; i < updates.size() - 1; i++) {
                assertTrue(updates.get(i).version > updates.get(i - 1).version, "a version written twice: " + seen);
            }
        }
    }
}
