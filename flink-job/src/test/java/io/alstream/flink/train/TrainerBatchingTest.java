package io.alstream.flink.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

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
 * The trainer with batching under Flink's keyed operator test harness (real state backend, timers on the test's
 * processing time): inputs wait in the buffer until it is full or its delay has passed, a checkpoint taken with
 * inputs in the buffer holds them (the restored trainer has folded them without a replay), and the batched
 * trainer ends with the model of a trainer that takes each input at once.
 */
class TrainerBatchingTest {
    private static final int DIM = 16;

    private static LearnerConfig config() {
        return LearnerConfig.builder().inputDim(DIM).numClasses(3).hiddenWidths(32).ridgeLambda(1e-2)
                .warmupLabels(0).refreshGrowth(0).trainEpochs(5).referencePoolSize(16)
                .acquisitionFunctions(List.of("entropy")).selectBy("entropy").build();
    }

    /** Requests and labels as they reach the trainer: each request's label arrives three inputs later. */
    private static List<TrainerInput> inputs(int requests) {
        SplitMix64 rng = new SplitMix64(8);
        List<float[]> xs = new ArrayList<>();
        List<TrainerInput> out = new ArrayList<>();
        for (int i = 0; i < requests + 3; i++) {
            if (i < requests) {
                float[] x = new float[DIM];
                for (int j = 0; j < DIM; j++) {
                    x[j] = (float) rng.nextGaussian();
                }
                xs.add(x);
                out.add(TrainerInput.pending("e" + i, x, 1_000 + i));
            }
            int answered = i - 3;
            if (answered >= 0 && answered < requests) {
                TrainerInput t = new TrainerInput();
                t.kind = TrainerInput.Kind.LABEL;
                t.eventId = "e" + answered;
                t.features = xs.get(answered);
                // every fifth request closes unlabelled (its pending entry is dropped)
                t.label = answered % 5 == 4 ? null : answered % 3;
                t.at = 2_000 + i;
                out.add(t);
            }
        }
        return out;
    }

    private static KeyedOneInputStreamOperatorTestHarness<Byte, TrainerInput, ModelBroadcast> harness(TrainerFunction f)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new TrainerOperator(f), t -> TrainerFunction.KEY,
                TypeInformation.of(Byte.class));
    }

    private static double maxRelDiff(double[] a, double[] b) {
        assertEquals(b.length, a.length);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    private static void assertSameModel(OnlineModel expected, OnlineModel actual) {
        assertEquals(expected.stats().toString(), actual.stats().toString());
        assertEquals(expected.kernelState().entries().stream().map(e -> e.id() + e.pending()).toList(),
                actual.kernelState().entries().stream().map(e -> e.id() + e.pending()).toList());
        double err = maxRelDiff(actual.kernelState().inverseToDoubles(), expected.kernelState().inverseToDoubles());
        assertTrue(err < 1e-9, "A^-1 differs by " + err);
    }

    @Test
    void batchesWaitForSizeOrDelayAndCheckpointsHoldTheBuffer() throws Exception {
        LearnerConfig cfg = config();
        List<TrainerInput> in = inputs(20);
        TrainerFunction single = new TrainerFunction(cfg, 50, 0.98, null, "test");
        TrainerFunction batched = new TrainerFunction(cfg, 50, 0.98, null, "test").batching(8, 30);
        OperatorSubtaskState checkpoint;
        try (var one = harness(single); var h = harness(batched)) {
            one.setProcessingTime(0);
            one.open();
            h.setProcessingTime(0);
            h.open();
            for (int i = 0; i < 7; i++) {
                one.processElement(new StreamRecord<>(in.get(i), i));
                h.processElement(new StreamRecord<>(in.get(i), i));
            }
            assertEquals(0, batched.model().version(), "7 inputs wait for an 8th or the delay");
            assertTrue(single.model().version() > 0);
            one.processElement(new StreamRecord<>(in.get(7), 7));
            h.processElement(new StreamRecord<>(in.get(7), 7));
            assertSameModel(single.model(), batched.model()); // the 8th fills the batch: applied at once
            one.processElement(new StreamRecord<>(in.get(8), 8));
            h.processElement(new StreamRecord<>(in.get(8), 8));
            h.setProcessingTime(29);
            assertEquals(single.model().version() - 1, batched.model().version(), "not before the delay");
            h.setProcessingTime(30);
            assertSameModel(single.model(), batched.model()); // the delay's timer applied it
            for (int i = 9; i < 12; i++) {
                one.processElement(new StreamRecord<>(in.get(i), i));
                h.processElement(new StreamRecord<>(in.get(i), i));
            }
            checkpoint = h.snapshot(1, 31); // three inputs in the buffer, already consumed from the input
            assertSameModel(single.model(), batched.model());
            for (int i = 12; i < in.size(); i++) {
                one.processElement(new StreamRecord<>(in.get(i), i));
                h.processElement(new StreamRecord<>(in.get(i), i));
            }
            h.setProcessingTime(1_000);
            assertSameModel(single.model(), batched.model());
            assertTrue(batched.model().stats().labelsFolded() >= 12, batched.model().stats().toString());
        }

        // the restored trainer has the buffered inputs: the source resumes after them and they are not replayed
        TrainerFunction restored = new TrainerFunction(cfg, 50, 0.98, null, "test").batching(8, 30);
        TrainerFunction reference = new TrainerFunction(cfg, 50, 0.98, null, "test");
        try (var h = harness(restored); var one = harness(reference)) {
            h.setProcessingTime(0);
            h.initializeState(checkpoint);
            h.open();
            one.setProcessingTime(0);
            one.open();
            for (int i = 0; i < 12; i++) {
                one.processElement(new StreamRecord<>(in.get(i), i));
            }
            assertSameModel(reference.model(), restored.model());
        }
    }
}
