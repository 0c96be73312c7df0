package io.alstream.flink.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

import io.alstream.flink.records.ModelBroadcast;
import io.alstream.flink.records.TrainerInput;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.OnlineModel;

/**
 * The trainer's state on Flink's operator test harness: the model in bounded pieces of operator state, the kept labels
 * in keyed chunks; the state of the version before (operator state only, committed as a fixture) restores and moves
 * into keyed chunks, and a checkpoint of this version restores into itself. {@code TrainerCheckpointSizeTest} runs the
 * trainer with RocksDB on a MiniCluster.
 */
class TrainerStateTest {
    /** Operator state written by the trainer of commit c90f3a5 (the model as one array, kept labels in operator state). */
    static final String FIXTURE = "trainer-operator-c90f3a5";

    static LearnerConfig fixtureConfig() {
        return LearnerConfig.builder().inputDim(8).numClasses(3).hiddenWidths(8).ridgeLambda(1e-2)
                .warmupLabels(10).kernelCap(200).refreshGrowth(0).trainEpochs(1).trainSteps(5).batchSize(8)
                .maxTrainingLabels(1_000).referencePoolSize(8)
                .acquisitionFunctions(List.of("entropy")).selectBy("entropy").build();
    }

    static KeyedOneInputStreamOperatorTestHarness<Byte, TrainerInput, ModelBroadcast> harness(TrainerFunction f) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new TrainerOperator(f), t -> TrainerFunction.KEY,
                TypeInformation.of(Byte.class));
    }

    static byte[] resource(String name) throws Exception {
        try (InputStream in = TrainerStateTest.class.getResourceAsStream("/state-fixtures/" + name)) {
            assertNotNull(in, "fixture missing: " + name);
            return in.readAllBytes();
        }
    }

    static long keyedBytes(OperatorSubtaskState s) {
        return s.getManagedKeyedState().stream().mapToLong(KeyedStateHandle::getStateSize).sum();
    }

    static long operatorBytes(OperatorSubtaskState s) {
        return s.getManagedOperatorState().stream().mapToLong(OperatorStateHandle::getStateSize).sum();
    }

    @Test
    void stateOfTheVersionBeforeKeyedChunksRestoresAndMovesIntoThem() throws Exception {
        URL url = TrainerStateTest.class.getResource("/state-fixtures/" + FIXTURE + ".snapshot");
        assertNotNull(url);
        OperatorSubtaskState old = OperatorSnapshotUtil.readStateHandle(Path.of(url.toURI()).toString());
        // the old trainer's model bytes (OnlineModel format 3), decoded and written again in the current format: what
        // the restored operator's model must equal byte for byte (a retrain in flight stays in flight: never run here)
        byte[] expected;
        try (OnlineModel m = OnlineModel.fromBytes(fixtureConfig(), resource(FIXTURE + ".model"), r -> { })) {
            expected = m.toBytes();
        }

        OperatorSubtaskState now;
        TrainerFunction f = new TrainerFunction(fixtureConfig(), 50, 0.98, null, "fixture");
        try (var h = harness(f)) {
            h.setProcessingTime(0);
            h.initializeState(old);
            h.open();
            assertEquals(1_000, f.model().keptLabelsEnd() - f.model().keptLabelsHead());
            assertArrayEquals(expected, f.model().toBytes(), "the model the old trainer checkpointed, kept labels included");
            now = h.snapshot(1, 0);
        }
        assertTrue(keyedBytes(now) > 1_000L * 8 * 4, "the kept labels are in keyed state now: " + keyedBytes(now));
        assertTrue(operatorBytes(now) < operatorBytes(old) - 1_000L * 8 * 4,
                "and no longer in operator state: " + operatorBytes(now) + " vs " + operatorBytes(old));

        TrainerFunction again = new TrainerFunction(fixtureConfig(), 50, 0.98, null, "fixture");
        try (var h = harness(again)) {
            h.setProcessingTime(0);
            h.initializeState(now);
            h.open();
            assertArrayEquals(expected, again.model().toBytes(), "this version's checkpoint restores into itself");
        }
    }
}
