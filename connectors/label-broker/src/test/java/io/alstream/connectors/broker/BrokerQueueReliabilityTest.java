package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.alstream.connectors.broker.state.Lease;
import io.alstream.connectors.broker.state.RequestState;
import io.alstream.connectors.broker.state.WorkerStats;
import io.alstream.connectors.broker.topology.BrokerCommand;
import io.alstream.connectors.broker.topology.BrokerReply;
import io.alstream.connectors.broker.topology.BrokerStores;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelAnswer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queue that does not strand work (issue 11): leases whose reply never reached the worker come back
 * after the short delivery lease; items whose every active worker answered or released close instead
 * of waiting for the deadline, but never while a worker could still be asked; and dead letters carry
 * the job's reason codes.
 */
class BrokerQueueReliabilityTest {
    @TempDir
    Path stateDir;

    private static BrokerConfig.Builder config() {
        return BrokerConfig.builder().inMemoryStores(true).leaseDuration(Duration.ofMinutes(5))
                .deliveryLease(Duration.ofSeconds(20)).punctuateInterval(Duration.ofSeconds(1));
    }

    private BrokerDriver driver(BrokerConfig.Builder config) {
        return new BrokerDriver(config.build(), stateDir);
    }

    @Test
    void aLeaseWhoseReplyNeverArrivedFreesItsTaskAfterTheDeliveryLeaseNotTheWholeLease() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("r1").build());
            BrokerReply lost = b.leaseUndelivered("ghost");
            assertEquals(BrokerReply.GRANTED, lost.outcome);
            // the worker is shown the full lease (it would hold it in full once it got it)
            assertEquals(b.now().plus(Duration.ofMinutes(5)).toEpochMilli(), lost.task.leaseExpiresAt);
            assertEquals(BrokerReply.EMPTY, b.lease("other").outcome, "the only slot is leased");

            b.advance(Duration.ofSeconds(21));
            assertEquals("r1", b.leaseId("other"), "21 s later, not 5 minutes, the undelivered lease is gone");
            assertEquals(1.0, b.metrics.count("alstream.broker.leases", "result", "expired"));
        }
    }

    @Test
    void aConfirmedLeaseHoldsItsTaskForTheWholeLease() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals("r1", b.leaseId("w")); // leased and confirmed, as through the HTTP API
            b.advance(Duration.ofSeconds(21));
            assertEquals(BrokerReply.EMPTY, b.lease("other").outcome, "a delivered lease is not cut short");
            Lease l = b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1").lease("w");
            assertTrue(l.isActive() && l.confirmed());
            b.advance(Duration.ofMinutes(5));
            assertEquals("r1", b.leaseId("other"), "after the full lease it expires as before");
        }
    }

    @Test
    void aConfirmationLateButBeforeAnyoneElseTookTheTaskRevivesTheLeaseAndTheAnswerCounts() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals(BrokerReply.GRANTED, b.leaseUndelivered("slow").outcome);
            b.advance(Duration.ofSeconds(25));
            b.confirm("slow", "r1");
            Lease l = b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1").lease("slow");
            assertTrue(l.isActive(), "nobody took the slot: the worker who got the task keeps it");
            assertEquals(BrokerReply.EMPTY, b.lease("other").outcome);
            b.answer("slow", "r1", 2);
            assertEquals(2, b.labels().get(0).getLabel());
            assertTrue(b.deadLetters().isEmpty());
        }
    }

    @Test
    void anAnswerWithinTheLeaseTheWorkerWasShownIsKeptEvenIfItsDeliveryLeaseRanOut() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals(BrokerReply.GRANTED, b.leaseUndelivered("w").outcome); // the confirmation was lost
            b.advance(Duration.ofMinutes(2));
            b.answer("w", "r1", 3);
            assertTrue(b.deadLetters().isEmpty(), "the worker answered within the 5 minutes it was shown");
            assertEquals(3, b.labels().get(0).getLabel());

            b.send(BrokerDriver.request("r2").build());
            assertEquals(BrokerReply.GRANTED, b.leaseUndelivered("late").outcome);
            b.advance(Duration.ofMinutes(6));
            b.answer("late", "r2", 1);
            assertEquals("lease-expired", b.deadLetters().get(0).getErrorClass(), "after the promised end it is late");
        }
    }

    /** Two workers, k=2, cap 5: they disagree, so a third answer is wanted that nobody active can give. */
    private static void disagreeingPair(BrokerDriver b) {
        b.send(BrokerDriver.request("r1").setNumClasses(2).build());
        assertEquals("r1", b.leaseId("a"));
        assertEquals("r1", b.leaseId("b"));
        b.answer("a", "r1", 0);
        b.answer("b", "r1", 1);
        assertTrue(b.labels().isEmpty(), "0 vs 1 does not reach the agreement");
        assertEquals(3, b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1").wanted());
    }

    @Test
    void whenEveryActiveWorkerHasAnsweredADisagreeingItemClosesWithItsBestGuessBeforeTheDeadline() {
        try (BrokerDriver b = driver(config().minAnswers(2).maxAnswers(5).agreement(0.99))) {
            disagreeingPair(b);
            b.advance(Duration.ofSeconds(6));
            List<ConsolidatedLabel> labels = b.labels();
            assertEquals(1, labels.size(), "closed now, not at the deadline an hour away");
            assertNotNull(labels.get(0).getLabel(), "label-best: the best guess is emitted");
            assertEquals(2, labels.get(0).getNumAnswers());
            assertTrue(labels.get(0).getLabelledAt().isBefore(BrokerDriver.T0.plusSeconds(60)));
            assertEquals(1.0, b.metrics.count("alstream.broker.crowd.exhausted"));
        }
    }

    @Test
    void withCloseUnlabelledTheExhaustedItemClosesUnlabelledWithItsReason() {
        try (BrokerDriver b = driver(config().minAnswers(2).maxAnswers(5).agreement(0.99)
                .noAgreement(BrokerConfig.NoAgreementPolicy.CLOSE_UNLABELLED))) {
            disagreeingPair(b);
            b.advance(Duration.ofSeconds(6));
            ConsolidatedLabel l = b.labels().get(0);
            assertNull(l.getLabel());
            assertEquals("crowd-exhausted", l.getCloseReason());
        }
    }

    @Test
    void noItemClosesWhileAnActiveWorkerCouldStillBeAskedOrHoldsALease() {
        try (BrokerDriver b = driver(config().minAnswers(2).maxAnswers(5).agreement(0.99)
                .workerIdleAfter(Duration.ofMinutes(2)))) {
            assertEquals(BrokerReply.EMPTY, b.lease("c").outcome); // c is around, asking for work
            disagreeingPair(b);
            b.advance(Duration.ofSeconds(10));
            assertTrue(b.labels().isEmpty(), "c has not been asked yet: the item waits for c");

            assertEquals("r1", b.leaseId("c"));
            b.advance(Duration.ofSeconds(10));
            assertTrue(b.labels().isEmpty(), "c holds a lease: the item waits for its answer");
            assertEquals(BrokerReply.RELEASED, b.release("c", "r1").outcome);
            b.advance(Duration.ofSeconds(6));
            assertEquals(1, b.labels().size(), "c skipped it: nobody left to ask, it closes");
        }
    }

    @Test
    void aWorkerGoneIdleNoLongerKeepsAnItemOpen() {
        try (BrokerDriver b = driver(config().minAnswers(2).maxAnswers(5).agreement(0.99)
                .workerIdleAfter(Duration.ofMinutes(2)))) {
            assertEquals(BrokerReply.EMPTY, b.lease("c").outcome);
            disagreeingPair(b);
            b.advance(Duration.ofSeconds(60));
            assertTrue(b.labels().isEmpty());
            b.advance(Duration.ofSeconds(70)); // c last seen 130 s ago
            assertEquals(1, b.labels().size());
        }
    }

    @Test
    void anItemShortOfItsFirstAnswersIsLeftForWorkersToCome() {
        try (BrokerDriver b = driver(config().minAnswers(3).maxAnswers(5))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals("r1", b.leaseId("a"));
            b.answer("a", "r1", 0);
            b.advance(Duration.ofMinutes(10));
            assertTrue(b.labels().isEmpty(), "one answer of three and no disagreement: not the crowd's limit, wait");
        }
    }

    @Test
    void deadLettersCarryTheJobsReasonCodes() {
        try (BrokerDriver b = driver(config())) {
            b.sendRawRequest(null);
            b.sendRawAnswer("k", null);
            b.send(BrokerDriver.request("").build());
            b.send(BrokerDriver.request("r1").build());
            b.sendAnswer(LabelAnswer.newBuilder().setRequestId("r1").setEventId("ev-r1").setWorkerId("")
                    .setLabel(1).setAnsweredAt(b.now()).build());
            List<String> reasons = b.deadLetters().stream().map(DeadLetter::getErrorClass).toList();
            assertEquals(List.of("null-value", "null-value", "missing-id", "missing-id"), reasons);
        }
    }

    @Test
    void anAnswerTheHttpApiRefusedItselfIsCountedInTheWorkersStats() {
        try (BrokerDriver b = driver(config())) {
            b.sendCommand(BrokerCommand.rejected(UUID.randomUUID().toString(), "w", "r9", "label-out-of-range",
                    b.now().toEpochMilli()));
            b.sendCommand(BrokerCommand.rejected(UUID.randomUUID().toString(), "w", "r9", "label-out-of-range",
                    b.now().toEpochMilli()));
            b.sendCommand(BrokerCommand.rejected(UUID.randomUUID().toString(), "w", "r9", "no-lease",
                    b.now().toEpochMilli()));
            WorkerStats ws = b.<WorkerStats>store(BrokerStores.WORKER_STATS).get("w");
            assertEquals(2L, ws.rejected().get("label-out-of-range"));
            assertEquals(1L, ws.rejected().get("no-lease"));
            assertTrue(b.replies().isEmpty(), "notes are not replied to");
        }
    }

    @Test
    void answersThroughTheHttpApiNeedALeaseByDefaultWhileTopicAnswersDoNot() {
        try (BrokerDriver b = driver(config().minAnswers(2))) {
            b.send(BrokerDriver.request("r1").build());
            BrokerReply viaHttp = b.answerWithReply("intruder", "r1", 1);
            assertEquals(BrokerReply.REJECTED, viaHttp.outcome);
            assertEquals("no-lease", viaHttp.reason);
            b.answer("platform-worker", "r1", 1);
            assertEquals(1, b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1").answers().size());
        }
        try (BrokerDriver b = driver(config().minAnswers(2).acceptUnleasedHttpAnswers(true))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals(BrokerReply.ACCEPTED, b.answerWithReply("w", "r1", 1).outcome);
        }
    }
}
