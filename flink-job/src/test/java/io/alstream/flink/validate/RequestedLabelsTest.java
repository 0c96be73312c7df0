package io.alstream.flink.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.LabelRecord;
import io.alstream.flink.records.TrainerInput;

/**
 * Provenance before the trainer: labels pass only for events the job requested; one whose request is read back a
 * little later waits and passes with it; one never requested becomes an unrequested-label dead letter; and with
 * job.accept-external-labels every label passes.
 */
class RequestedLabelsTest {
    private static final long GRACE = 60_000;

    private static TrainerInput pending(String id) {
        return TrainerInput.pending(id, new float[] {1, 2}, 0L);
    }

    private static TrainerInput label(String id, Integer cls) {
        LabelRecord l = new LabelRecord();
        l.eventId = id;
        l.label = cls;
        l.features = new float[] {1, 2};
        l.labelledAt = 1L;
        return TrainerInput.label(l);
    }

    private static TrainerInput pending(String id, long createdAt) {
        return TrainerInput.pending(id, new float[] {1, 2}, createdAt);
    }

    private static TrainerInput label(String id, Integer cls, Long requestedAt) {
        TrainerInput t = label(id, cls);
        t.requestedAt = requestedAt;
        return t;
    }

    private static List<String> refused(KeyedOneInputStreamOperatorTestHarness<String, TrainerInput, TrainerInput> h) {
        List<String> ids = new ArrayList<>();
        if (h.getSideOutput(DeadLetters.TAG) != null) {
            h.getSideOutput(DeadLetters.TAG).forEach(r -> ids.add(new String(r.getValue().key)));
        }
        ids.sort(null);
        return ids;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainerInput, TrainerInput> harness(boolean acceptExternal)
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new RequestedLabels(acceptExternal, GRACE, "labels"),
                t -> t.eventId, TypeInformation.of(String.class));
    }

    private static List<String> passed(KeyedOneInputStreamOperatorTestHarness<String, TrainerInput, TrainerInput> h) {
        List<String> out = new ArrayList<>();
        for (TrainerInput t : h.extractOutputValues()) {
            out.add(t.kind + ":" + t.eventId);
        }
        return out;
    }

    @Test
    void onlyLabelsOfRequestedEventsReachTheTrainer() throws Exception {
        try (var h = harness(false)) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(pending("asked")));
            h.processElement(new StreamRecord<>(label("asked", 1)));
            h.processElement(new StreamRecord<>(label("asked", 1))); // a second copy: the trainer folds it once
            h.processElement(new StreamRecord<>(label("never-asked", 2)));
            h.processElement(new StreamRecord<>(label("closed-unlabelled", null)));
            h.processElement(new StreamRecord<>(label("late-request", 0)));
            h.setProcessingTime(GRACE / 2);
            h.processElement(new StreamRecord<>(pending("late-request")));
            assertEquals(List.of("PENDING:asked", "LABEL:asked", "LABEL:asked", "LABEL:closed-unlabelled", "PENDING:late-request",
                    "LABEL:late-request"), passed(h), "the late request's label follows it");
            assertTrue(h.getSideOutput(DeadLetters.TAG) == null || h.getSideOutput(DeadLetters.TAG).isEmpty(), "nothing refused yet");

            h.setProcessingTime(GRACE + 1);
            assertEquals(6, passed(h).size(), "the unrequested label is not folded");
            List<DeadLetterRecord> dead = new ArrayList<>();
            h.getSideOutput(DeadLetters.TAG).forEach(r -> dead.add(r.getValue()));
            assertEquals(1, dead.size());
            assertEquals("unrequested-label", dead.get(0).errorClass);
            assertEquals("never-asked", new String(dead.get(0).key));
            assertEquals("labels", dead.get(0).sourceTopic);
            assertTrue(dead.get(0).errorMessage.contains("never asked"), dead.get(0).errorMessage);

            // a request that comes after the label was refused does not bring it back (it is in the dead letters)
            h.processElement(new StreamRecord<>(pending("never-asked")));
            assertEquals(7, passed(h).size());
            assertEquals("PENDING:never-asked", passed(h).get(6));
        }
    }

    /**
     * The second full failure matrix dead-lettered 5 labels of requested events as unrequested-label: they were waiting
     * for their requests to be read back (the job was catching up after a JobManager loss) when Kafka went down for
     * 64 s; the job restored from its checkpoint after the outage with 42 s of their 120 s grace left, and the request
     * read-back, behind after the outage, did not reach their requests in that time. Time the job was not running must
     * not count against the grace: after a restore each waiting label gets a full grace of running time.
     */
    @Test
    void aLabelWaitingAcrossARestoreGetsAFullGraceAfterIt() throws Exception {
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (var h = harness(false)) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(label("requested-later", 1)));
            h.processElement(new StreamRecord<>(label("never-asked", 2)));
            h.setProcessingTime(GRACE / 2);
            snapshot = h.snapshot(1, GRACE / 2);
        }
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, TrainerInput, TrainerInput>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(new RequestedLabels(false, GRACE, "labels")),
                t -> t.eventId, TypeInformation.of(String.class))) {
            h.setProcessingTime(10 * GRACE); // the job was down for a while; restored now
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(10 * GRACE + 1); // the restored timers are overdue: they fire at once
            assertTrue(h.getSideOutput(DeadLetters.TAG) == null || h.getSideOutput(DeadLetters.TAG).isEmpty(),
                    "no label refused for time the job was down");
            h.processElement(new StreamRecord<>(pending("requested-later"))); // read back again after the restore
            assertEquals(List.of("PENDING:requested-later", "LABEL:requested-later"), passed(h));

            h.setProcessingTime(11 * GRACE + 2); // a full grace of running time: now the unrequested one is refused
            List<DeadLetterRecord> dead = new ArrayList<>();
            h.getSideOutput(DeadLetters.TAG).forEach(r -> dead.add(r.getValue()));
            assertEquals(1, dead.size());
            assertEquals("never-asked", new String(dead.get(0).key));
        }
    }

    /**
     * The grace alone bounds how far the request read-back may lag the labels' read-back. While this task has read back
     * no request created at or after a label's requestedAt, its request may still be ahead, and the grace starts over;
     * once the read-back has passed that time, a full grace later the label is refused. Labels that claim a request the
     * read-back has passed, one from the future, or none, wait the grace alone.
     */
    @Test
    void aLabelWaitsWhileTheRequestReadBackHasNotReachedItsRequest() throws Exception {
        try (var h = harness(false)) {
            long t0 = 10 * GRACE;
            h.setProcessingTime(t0);
            h.processElement(new StreamRecord<>(pending("earlier", t0 - 5_000))); // the read-back is at t0 - 5 s
            h.processElement(new StreamRecord<>(label("behind", 1, t0 - 1_000))); // its request is later than that
            h.processElement(new StreamRecord<>(label("comes-late", 5, t0 - 500)));
            h.processElement(new StreamRecord<>(label("forged-passed", 2, t0 - 60_000)));
            h.processElement(new StreamRecord<>(label("forged-future", 3, t0 + 100 * GRACE)));
            h.processElement(new StreamRecord<>(label("no-time", 4, null)));

            h.setProcessingTime(t0 + GRACE + 1);
            assertEquals(List.of("forged-future", "forged-passed", "no-time"), refused(h));
            h.setProcessingTime(t0 + 4 * GRACE);
            assertEquals(3, refused(h).size(), "the labels whose requests the read-back has not reached still wait");
            h.processElement(new StreamRecord<>(pending("comes-late", t0 - 500))); // its request, read back at last
            assertEquals(List.of("PENDING:earlier", "PENDING:comes-late", "LABEL:comes-late"), passed(h));

            // the read-back passes the time of behind's request, but its request never comes
            h.processElement(new StreamRecord<>(pending("later", t0 + 2 * GRACE)));
            h.setProcessingTime(t0 + 4 * GRACE + GRACE / 2);
            assertEquals(3, refused(h).size(), "a grace counts from the last check that found the read-back behind");
            h.setProcessingTime(t0 + 5 * GRACE + 1);
            assertEquals(List.of("behind", "forged-future", "forged-passed", "no-time"), refused(h));
            assertEquals(4, passed(h).size());
        }
    }

    /** A read-back that never moves holds a label no longer than the job remembers a request (2 graces + 1 h). */
    @Test
    void aStalledReadBackHoldsALabelOnlyAsLongAsARequestIsRemembered() throws Exception {
        try (var h = harness(false)) {
            long t0 = 10 * GRACE;
            h.setProcessingTime(t0);
            h.processElement(new StreamRecord<>(label("stuck", 1, t0 - 1_000)));
            long remembered = t0 - 1_000 + 2 * GRACE + 3_600_000L;
            h.setProcessingTime(remembered - 1);
            assertEquals(List.of(), refused(h), "held while its request could still be read back");
            h.setProcessingTime(remembered + GRACE + 1);
            assertEquals(List.of("stuck"), refused(h));
        }
    }

    @Test
    void externalLabelsPassWhenAllowed() throws Exception {
        try (var h = harness(true)) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(label("from-a-platform", 1)));
            h.setProcessingTime(GRACE * 3);
            assertEquals(List.of("LABEL:from-a-platform"), passed(h));
            assertTrue(h.getSideOutput(DeadLetters.TAG) == null || h.getSideOutput(DeadLetters.TAG).isEmpty());
        }
    }
}
