package io.alstream.flink.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

import io.alstream.flink.records.EventRecord;
import io.alstream.flink.records.ModelBroadcast;
import io.alstream.flink.records.RequestRecord;
import io.alstream.flink.train.ModelPublisher;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.OnlineModel;
import io.alstream.learner.nn.MlpWeights;

/**
 * The scoring operator's side of model distribution, on Flink's broadcast operator harness: requests are
 * scored by the version the snapshot plus its deltas make; a restored task holds no model (the checkpoint carries
 * none) until a full snapshot arrives, and meanwhile scores nothing by a model; a delta after a missed one is skipped (the task keeps its last complete version) until the
 * next full snapshot; requests carry the shard's budget counts.
 */
class ScoringReplicaTest {
    private static final int BATCH = 4;
    private static final LearnerConfig CONFIG = LearnerConfig.builder().inputDim(4).numClasses(2).hiddenWidths(8)
            .warmupLabels(0).refreshGrowth(0).kernelCap(1000).budget(1.0).build();
    private static final RequestSettings SETTINGS = new RequestSettings(BATCH, 60_000, 60_000, 1, 2, List.of(), 1, 16);

    private static KeyedBroadcastOperatorTestHarness<Integer, EventRecord, ModelBroadcast, RequestRecord> harness() throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new ScoringFunction(CONFIG, SETTINGS), List.of(ScoringFunction.MODEL_STATE)),
                e -> 0, Types.INT, 128, 1, 0);
    }

    private static float[] x(int i) {
        return new float[] {i * 0.1f, 1 - i * 0.05f, (i % 3) * 0.25f, -i * 0.2f};
    }

    private static int next;

    /** A batch of events; returns the versions of the models that scored the requests it produced. */
    private static List<RequestRecord> batch(KeyedBroadcastOperatorTestHarness<Integer, EventRecord, ModelBroadcast, RequestRecord> h)
            throws Exception {
        int before = h.extractOutputValues().size();
        for (int i = 0; i < BATCH; i++) {
            EventRecord e = new EventRecord();
            e.id = "e" + next;
            e.features = x(next++);
            h.processElement(e, 0);
        }
        List<RequestRecord> all = h.extractOutputValues();
        List<RequestRecord> fresh = all.subList(before, all.size());
        assertFalse(fresh.isEmpty(), "a budget of 1.0 requests every event");
        return fresh;
    }

    private static void assertScoredBy(long version, List<RequestRecord> requests) {
        for (RequestRecord r : requests) {
            assertEquals(version, r.modelVersion, "request " + r.eventId);
        }
    }

    @Test
    void snapshotPlusDeltasRestoreAndGaps() throws Exception {
        int[] widths = MlpWeights.widths(4, new int[] {8}, 2);
        try (OnlineModel model = OnlineModel.createWithWeights(CONFIG, MlpWeights.initialise(widths, CONFIG.activation(), 5), true)) {
            ModelPublisher publisher = new ModelPublisher(60_000);
            OperatorSubtaskState checkpoint;
            long v2;
            try (var h = harness()) {
                h.open();
                model.fold("l0", x(100), 0);
                ModelBroadcast full = publisher.next(model, 0);
                assertFalse(full.delta);
                h.processBroadcastElement(full, 0);
                model.fold("l1", x(101), 1);
                ModelBroadcast d1 = publisher.next(model, 1);
                model.addPending("p", x(102));
                ModelBroadcast d2 = publisher.next(model, 2);
                assertTrue(d1.delta && d2.delta);
                h.processBroadcastElement(d1, 1);
                h.processBroadcastElement(d2, 2);
                v2 = model.version();
                List<RequestRecord> requests = batch(h);
                assertScoredBy(v2, requests);
                RequestRecord r = requests.get(requests.size() - 1);
                assertEquals(Integer.valueOf(0), r.shard);
                assertEquals(Long.valueOf(BATCH), r.shardEventsSeen);
                assertNotNull(r.shardLabelsRequested);
                assertTrue(r.shardLabelsRequested >= 1 && r.shardLabelsRequested <= BATCH);
                checkpoint = h.snapshot(1, 10);
            }

            try (var restored = harness()) {
                restored.setup();
                restored.initializeState(checkpoint);
                restored.open();
                // the checkpoint holds no model: until the restored trainer's full snapshot arrives, events take the
                // cold path (no request scored by a model; they wait in the cold backlog)
                int before = restored.extractOutputValues().size();
                for (int i = 0; i < BATCH; i++) {
                    EventRecord e = new EventRecord();
                    e.id = "cold" + i;
                    e.features = x(next++);
                    restored.processElement(e, 0);
                }
                List<RequestRecord> cold = restored.extractOutputValues().subList(before, restored.extractOutputValues().size());
                // the shard scored with a warm model before the checkpoint: no second warm-up, the batch waits in the
                // cold backlog for the model
                assertEquals(List.of(), cold.stream().map(r -> r.eventId + ":" + r.strategy).toList(),
                        "a restored shard that was warm asks for no label at random");
                // the restored trainer publishes its model in full at once (TrainerPublishTest); with it, scoring resumes at v2
                restored.processBroadcastElement(new ModelPublisher(0).next(model, 3), 3);
                assertScoredBy(v2, batch(restored));

                model.fold("l2", x(103), 0);
                publisher.next(model, 3);                       // this delta never arrives (the publisher's base stays v2)
                model.fold("l3", x(104), 1);
                ModelBroadcast afterGap = publisher.next(model, 4);
                assertTrue(afterGap.delta);
                restored.processBroadcastElement(afterGap, 4);  // skipped: it starts at a version the task lacks
                assertScoredBy(v2, batch(restored));

                ModelBroadcast full = new ModelPublisher(0).next(model, 5);
                assertFalse(full.delta);
                restored.processBroadcastElement(full, 5);
                assertScoredBy(model.version(), batch(restored));
            }
        }
    }
}
