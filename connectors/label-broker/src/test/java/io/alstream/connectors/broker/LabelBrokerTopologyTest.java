package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.alstream.connectors.broker.aggregation.AggregationMethod;
import io.alstream.connectors.broker.aggregation.WorkerModel;
import io.alstream.connectors.broker.state.Json;
import io.alstream.connectors.broker.state.RequestState;
import io.alstream.connectors.broker.state.WorkerStats;
import io.alstream.connectors.broker.topology.BrokerCommand;
import io.alstream.connectors.broker.topology.BrokerReply;
import io.alstream.connectors.broker.topology.BrokerStores;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's lifecycle on a TopologyTestDriver: assign, answer, aggregate, expire, close, reject. */
class LabelBrokerTopologyTest {
    @TempDir
    Path stateDir;

    private BrokerDriver driver(BrokerConfig.Builder config) {
        return new BrokerDriver(config.build(), stateDir);
    }

    private static BrokerConfig.Builder config() {
        // In-memory stores: the driver flushes the stores after every record, which on RocksDB costs
        // tens of milliseconds; the RocksDB path is what the integration test runs.
        return BrokerConfig.builder().inMemoryStores(true).leaseDuration(Duration.ofMinutes(1)).punctuateInterval(Duration.ofSeconds(1));
    }

    @Test
    void leaseServesHighestPriorityFirstThenOldestAndShowsNoGoldNorScores() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("low").setPriority(0.1).build());
            b.send(BrokerDriver.request("old").setPriority(0.5).setGoldLabel(2).build());
            b.send(BrokerDriver.request("new").setPriority(0.5).setCreatedAt(BrokerDriver.T0.plusSeconds(5)).build());

            BrokerReply first = b.lease("w1");
            assertEquals(BrokerReply.GRANTED, first.outcome);
            assertEquals("old", first.task.requestId);
            assertEquals("ev-old", first.task.eventId);
            assertArrayEquals(new float[] {1.5f, -2.0f}, first.task.features);
            assertEquals("what is this?", first.task.payloadText);
            assertEquals(BrokerDriver.T0.plus(Duration.ofMinutes(1)).toEpochMilli(), first.task.leaseExpiresAt);
            String json = new String(Json.write(first.task), StandardCharsets.UTF_8);
            assertFalse(json.contains("gold"), json);
            assertFalse(json.contains("balent"), "the scores that chose the item must not bias the worker: " + json);

            assertEquals("new", b.leaseId("w2"));
            assertEquals("low", b.leaseId("w3"));
            assertEquals(BrokerReply.EMPTY, b.lease("w4").outcome, "k=1 and every task is leased");
        }
    }

    @Test
    void agreeingAnswersEmitOneLabelCarryingTheRequestsContext() {
        try (BrokerDriver b = driver(config().minAnswers(3))) {
            b.send(BrokerDriver.request("r1").build());
            for (String w : List.of("a", "b", "c")) {
                assertEquals("r1", b.leaseId(w));
            }
            b.answer("a", "r1", 2);
            b.answer("b", "r1", 2);
            assertTrue(b.labels().isEmpty(), "two answers of three wanted: no label yet");
            b.advance(Duration.ofSeconds(3));
            b.answer("c", "r1", 2);

            List<ConsolidatedLabel> labels = b.labels();
            assertEquals(1, labels.size());
            ConsolidatedLabel l = labels.get(0);
            assertEquals("ev-r1", l.getEventId());
            assertEquals("r1", l.getRequestId());
            assertEquals(2, l.getLabel());
            assertEquals(3, l.getNumAnswers());
            assertEquals("dawid-skene", l.getMethod());
            assertTrue(l.getConfidence() >= 0.9 && l.getConfidence() <= 1.0, "confidence " + l.getConfidence());
            assertEquals(List.of(1.5f, -2.0f), l.getFeatures());
            assertEquals(42L, l.getModelVersion());
            assertEquals(BrokerDriver.T0, l.getRequestedAt());
            assertEquals(BrokerDriver.T0.plusSeconds(3), l.getLabelledAt());
            assertNull(l.getCloseReason());
            assertEquals(List.of("a", "b", "c"), l.getWorkerIds(), "provenance: who answered, in order");
            assertEquals("label-broker/" + b.config.applicationId(), l.getSource());

            // the item is gone from the queue, and a late answer is refused, not folded
            assertEquals(BrokerReply.EMPTY, b.lease("d").outcome);
            b.answer("d", "r1", 2);
            assertTrue(b.labels().isEmpty());
            assertEquals("request-closed", b.deadLetters().get(0).getErrorClass());
            assertEquals(1.0, b.metrics.count("alstream.broker.labels", "outcome", "labelled"));
        }
    }

    @Test
    void aWorkerNeverGetsATaskItHoldsAnsweredOrReleased() {
        try (BrokerDriver b = driver(config().minAnswers(3))) {
            b.send(BrokerDriver.request("r1").build());
            b.send(BrokerDriver.request("r2").setCreatedAt(BrokerDriver.T0.plusSeconds(1)).build());
            assertEquals("r1", b.leaseId("a"));
            assertEquals("r2", b.leaseId("a"), "a holds r1, so it gets the next one");
            assertEquals(BrokerReply.EMPTY, b.lease("a").outcome);
            b.answer("a", "r1", 0);
            assertEquals(BrokerReply.EMPTY, b.lease("a").outcome, "a answered r1 and holds r2");
            assertEquals(BrokerReply.RELEASED, b.release("a", "r2").outcome);
            assertEquals(BrokerReply.EMPTY, b.lease("a").outcome, "a skipped r2: it is not offered to a again");
            assertEquals("r1", b.leaseId("b"));
            assertEquals("r2", b.leaseId("b"));
        }
    }

    @Test
    void anExpiredLeaseGoesBackToTheQueueAndTheLateAnswerIsRejected() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals("r1", b.leaseId("slow"));
            assertEquals(BrokerReply.EMPTY, b.lease("fast").outcome, "the only slot is leased");

            b.advance(Duration.ofSeconds(61));
            assertEquals("r1", b.leaseId("fast"), "the expired lease put the task back");
            assertEquals(1.0, b.metrics.count("alstream.broker.leases", "result", "expired"));

            b.answer("slow", "r1", 1);
            DeadLetter dl = b.deadLetters().get(0);
            assertEquals("lease-expired", dl.getErrorClass());
            assertTrue(b.labels().isEmpty(), "a late answer is not folded");

            b.answer("fast", "r1", 3);
            ConsolidatedLabel l = b.labels().get(0);
            assertEquals(3, l.getLabel());
            assertEquals(1, l.getNumAnswers());
            WorkerStats slow = b.<WorkerStats>store(BrokerStores.WORKER_STATS).get("slow");
            assertEquals(1, slow.leasesExpired());
            assertEquals(1L, slow.rejected().get("lease-expired"));
        }
    }

    @Test
    void anAnswerGivenInTimeIsKeptEvenWhenReadAfterItsLeaseRanOut() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals("r1", b.leaseId("w"));
            java.time.Instant answeredAt = b.now().plusSeconds(59);
            b.advance(Duration.ofSeconds(90));
            b.answer("w", "r1", 1, answeredAt);
            assertTrue(b.deadLetters().isEmpty());
            assertEquals(1, b.labels().get(0).getLabel());
        }
    }

    @Test
    void aRequestPastItsDeadlineIsClosedUnlabelledAndReported() {
        try (BrokerDriver b = driver(config().minAnswers(2))) {
            b.send(BrokerDriver.request("r1").setDeadline(BrokerDriver.T0.plusSeconds(30)).build());
            assertEquals("r1", b.leaseId("a"));
            b.answer("a", "r1", 1);
            b.advance(Duration.ofSeconds(10));
            assertTrue(b.labels().isEmpty());
            b.advance(Duration.ofSeconds(25));

            ConsolidatedLabel l = b.labels().get(0);
            assertNull(l.getLabel());
            assertEquals("deadline", l.getCloseReason());
            assertEquals(1, l.getNumAnswers());
            assertEquals(List.of(1.5f, -2.0f), l.getFeatures());
            assertEquals(1.0, b.metrics.count("alstream.broker.labels", "outcome", "unlabelled", "reason", "deadline"));
            assertEquals(BrokerReply.EMPTY, b.lease("b").outcome);
            b.answer("b", "r1", 1);
            assertEquals("request-closed", b.deadLetters().get(0).getErrorClass());

            // a request that arrives already past its deadline is closed at once
            b.send(BrokerDriver.request("r2").setDeadline(BrokerDriver.T0).build());
            ConsolidatedLabel l2 = b.labels().get(0);
            assertEquals("r2", l2.getRequestId());
            assertEquals("deadline", l2.getCloseReason());
        }
    }

    @Test
    void disagreementRaisesTheAnswersWantedUntilTheyAgree() {
        try (BrokerDriver b = driver(config().method(AggregationMethod.MAJORITY).minAnswers(3).maxAnswers(5).agreement(0.7))) {
            b.send(BrokerDriver.request("r1").build());
            for (String w : List.of("a", "b", "c")) {
                assertEquals("r1", b.leaseId(w));
            }
            assertEquals(BrokerReply.EMPTY, b.lease("d").outcome);
            b.answer("a", "r1", 0);
            b.answer("b", "r1", 0);
            b.answer("c", "r1", 1);
            assertTrue(b.labels().isEmpty(), "2 of 3 is 0.67 < 0.7");
            assertEquals(4, b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1").wanted());
            assertEquals("r1", b.leaseId("d"), "k was raised: the item wants a fourth worker");
            assertEquals(BrokerReply.EMPTY, b.lease("e").outcome, "only one more");
            b.answer("d", "r1", 0);
            ConsolidatedLabel l = b.labels().get(0);
            assertEquals(0, l.getLabel());
            assertEquals(4, l.getNumAnswers());
            assertEquals(0.75, l.getConfidence(), 1e-12);
            assertEquals("majority", l.getMethod());
            assertEquals(1.0, b.metrics.count("alstream.broker.redundancy.raised"));
        }
    }

    @Test
    void atTheCapWithoutAgreementTheBestGuessIsLabelledOrTheItemClosedAsConfigured() {
        for (BrokerConfig.NoAgreementPolicy policy : BrokerConfig.NoAgreementPolicy.values()) {
            try (BrokerDriver b = driver(config().method(AggregationMethod.MAJORITY).minAnswers(2).maxAnswers(3)
                    .agreement(0.9).noAgreement(policy).applicationId("cap-" + policy))) {
                b.send(BrokerDriver.request("r1").build());
                int[] answers = {1, 2, 1};
                String[] workers = {"a", "b", "c"};
                for (int i = 0; i < 3; i++) {
                    assertEquals("r1", b.leaseId(workers[i]), "lease " + i);
                    b.answer(workers[i], "r1", answers[i]);
                }
                List<ConsolidatedLabel> labels = b.labels();
                assertEquals(1, labels.size(), policy.name());
                ConsolidatedLabel l = labels.get(0);
                assertEquals(3, l.getNumAnswers());
                if (policy == BrokerConfig.NoAgreementPolicy.LABEL_BEST) {
                    assertEquals(1, l.getLabel());
                    assertEquals(2.0 / 3, l.getConfidence(), 1e-12);
                    assertNull(l.getCloseReason());
                } else {
                    assertNull(l.getLabel());
                    assertEquals("max-answers-no-agreement", l.getCloseReason());
                }
                assertEquals(BrokerReply.EMPTY, b.lease("d").outcome, "the cap was reached");
            }
        }
    }

    @Test
    void aRequestsOwnRedundancyWinsOverASmallerK() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(3))) {
            b.send(BrokerDriver.request("r1").setRedundancy(5).build());
            RequestState s = b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1");
            assertEquals(5, s.wanted());
            assertEquals(5, s.maxAnswers());
        }
    }

    @Test
    void duplicateAnswersAreRejectedAndNeverFoldedTwice() {
        try (BrokerDriver b = driver(config().minAnswers(2))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals("r1", b.leaseId("a"));
            assertEquals("r1", b.leaseId("b"));
            b.answer("a", "r1", 3);
            b.answer("a", "r1", 3);
            b.answer("a", "r1", 0);
            List<DeadLetter> dls = b.deadLetters();
            assertEquals(2, dls.size());
            assertEquals("duplicate-answer", dls.get(0).getErrorClass());
            assertEquals(1, b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1").answers().size());
            assertTrue(b.labels().isEmpty(), "one worker's repeated answer does not reach k=2");
            b.answer("b", "r1", 3);
            assertEquals(2, b.labels().get(0).getNumAnswers());
            assertEquals(2.0, b.metrics.count("alstream.broker.answers", "result", "rejected", "reason", "duplicate-answer"));
        }
    }

    @Test
    void answersForUnknownRequestsAreDeadLetteredWithTheirOriginAndBytesAfterTheGrace() {
        try (BrokerDriver b = driver(config().unknownAnswerGrace(Duration.ofMinutes(2)))) {
            b.answer("a", "nope", 1);
            assertTrue(b.deadLetters().isEmpty(), "parked: its request may still be on its way");
            b.advance(Duration.ofSeconds(121));
            DeadLetter dl = b.deadLetters().get(0);
            assertEquals("unknown-request", dl.getErrorClass());
            assertEquals(b.config.answersTopic(), dl.getSourceTopic(), "the original topic, not the repartition topic");
            assertEquals(0, dl.getPartition());
            assertEquals(0L, dl.getOffset());
            assertEquals("nope", StandardCharsets.UTF_8.decode(dl.getKey()).toString());
            assertNotNull(dl.getValue());
            assertEquals("label-broker", dl.getStage());
            var decoded = new AvroBinarySerde<>(io.alstream.schemas.LabelAnswer.class).deserializer()
                    .deserialize("t", toBytes(dl.getValue()));
            assertEquals("nope", decoded.getRequestId(), "the dead letter keeps the raw bytes as read");
        }
    }

    @Test
    void anAnswerThatOvertakesItsRequestIsFoldedWhenTheRequestArrives() {
        try (BrokerDriver b = driver(config().minAnswers(2).maxAnswers(2))) {
            b.answer("early", "r1", 2);
            b.answer("early", "r1", 2); // parked twice: the second is still a duplicate once judged
            assertTrue(b.deadLetters().isEmpty());
            b.send(BrokerDriver.request("r1").build());
            assertEquals(List.of("duplicate-answer"), b.deadLetters().stream().map(DeadLetter::getErrorClass).toList());
            assertEquals(1, b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1").answers().size());
            assertEquals("r1", b.leaseId("late"));
            b.answer("late", "r1", 2);
            assertEquals(2, b.labels().get(0).getNumAnswers());
            b.advance(Duration.ofMinutes(11));
            assertTrue(b.deadLetters().isEmpty(), "nothing left parked to expire");
        }
    }

    @Test
    void withoutGraceAnAnswerForAnUnknownRequestIsRefusedAtOnce() {
        try (BrokerDriver b = driver(config().unknownAnswerGrace(Duration.ZERO))) {
            b.answer("a", "nope", 1);
            assertEquals("unknown-request", b.deadLetters().get(0).getErrorClass());
        }
    }

    @Test
    void labelsOutsideTheClassSetAreRejected() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals("r1", b.leaseId("a"));
            b.answer("a", "r1", -1);
            b.answer("a", "r1", 4);
            List<DeadLetter> dls = b.deadLetters();
            assertEquals(List.of("label-out-of-range", "label-out-of-range"), dls.stream().map(DeadLetter::getErrorClass).toList());
            assertTrue(b.labels().isEmpty());
            b.answer("a", "r1", 3);
            assertEquals(3, b.labels().get(0).getLabel(), "the rejected answers did not use up the worker's turn");
        }
    }

    @Test
    void answersAfterReleaseOrWithoutLeaseOrForAnotherEventAreRejected() {
        try (BrokerDriver b = driver(config().minAnswers(3).acceptUnleasedAnswers(false))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals("r1", b.leaseId("a"));
            b.release("a", "r1");
            b.answer("a", "r1", 1);
            b.answer("stranger", "r1", 1);
            assertEquals("r1", b.leaseId("c"));
            b.sendRawAnswer("r1", new AvroBinarySerde<>(io.alstream.schemas.LabelAnswer.class).serializer().serialize("t",
                    io.alstream.schemas.LabelAnswer.newBuilder().setRequestId("r1").setEventId("ev-other").setWorkerId("c")
                            .setLabel(1).setAnsweredAt(b.now()).build()));
            assertEquals(List.of("lease-released", "no-lease", "event-mismatch"),
                    b.deadLetters().stream().map(DeadLetter::getErrorClass).toList());
            assertEquals(0, b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1").answers().size());
        }
    }

    @Test
    void unleasedAnswersStraightOnTheTopicAreAcceptedByDefault() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("r1").build());
            b.answer("platform-worker", "r1", 2);
            assertTrue(b.deadLetters().isEmpty());
            assertEquals(2, b.labels().get(0).getLabel());
        }
    }

    @Test
    void undecodableAndInvalidInputIsDeadLetteredAndTheBrokerCarriesOn() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            byte[] junk = "not avro".getBytes(StandardCharsets.UTF_8);
            b.sendRawAnswer("k", junk);
            b.sendRawRequest(junk);
            b.send(BrokerDriver.request("bad").setNumClasses(1).build());
            b.send(BrokerDriver.request("bad-gold").setGoldLabel(7).build());
            List<DeadLetter> dls = b.deadLetters();
            assertEquals(List.of("undecodable", "undecodable", "invalid-request", "invalid-request"),
                    dls.stream().map(DeadLetter::getErrorClass).toList());
            assertArrayEquals(junk, toBytes(dls.get(0).getValue()));
            assertEquals(b.config.requestsTopic(), dls.get(1).getSourceTopic());

            b.send(BrokerDriver.request("good").build());
            assertEquals("good", b.leaseId("w"));
        }
    }

    @Test
    void aResentRequestIsNotDuplicatedAndIsLabelledAtMostOnce() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1))) {
            b.send(BrokerDriver.request("r1").build());
            b.send(BrokerDriver.request("r1").setPriority(9).build());
            assertEquals("r1", b.leaseId("a"));
            assertEquals(BrokerReply.EMPTY, b.lease("b").outcome, "one request, one slot");
            b.answer("a", "r1", 1);
            b.send(BrokerDriver.request("r1").build());
            assertEquals(BrokerReply.EMPTY, b.lease("b").outcome, "a closed request re-sent stays closed");
            assertEquals(1, b.labels().size());
            assertEquals(2.0, b.metrics.count("alstream.broker.requests", "result", "duplicate"));
        }
    }

    @Test
    void aClosedRequestIsRememberedForItsRetentionThenForgotten() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1).closedRetention(Duration.ofHours(1))
                .unknownAnswerGrace(Duration.ZERO))) {
            b.send(BrokerDriver.request("r1").setDeadline(BrokerDriver.T0.plus(Duration.ofDays(1))).build());
            assertEquals("r1", b.leaseId("a"));
            b.answer("a", "r1", 0);
            assertEquals(1, b.labels().size());
            b.advance(Duration.ofMinutes(59));
            b.answer("b", "r1", 0);
            assertEquals("request-closed", b.deadLetters().get(0).getErrorClass());
            b.advance(Duration.ofMinutes(2));
            assertNull(b.<RequestState>store(BrokerStores.REQUEST_STATE).get("r1"), "forgotten after its retention");
            b.answer("c", "r1", 0);
            assertEquals("unknown-request", b.deadLetters().get(0).getErrorClass());
        }
    }

    @Test
    void answersWithACorrelationIdGetAVerdictOnTheRepliesTopic() {
        try (BrokerDriver b = driver(config().minAnswers(2))) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals("r1", b.leaseId("a"));
            assertEquals(BrokerReply.ACCEPTED, b.answerWithReply("a", "r1", 1).outcome);
            BrokerReply dup = b.answerWithReply("a", "r1", 1);
            assertEquals(BrokerReply.REJECTED, dup.outcome);
            assertEquals("duplicate-answer", dup.reason);
        }
    }

    @Test
    void releaseOfATaskNotHeldIsRefused() {
        try (BrokerDriver b = driver(config())) {
            b.send(BrokerDriver.request("r1").build());
            assertEquals("unknown-request", b.release("a", "nope").reason);
            assertEquals("no-lease", b.release("a", "r1").reason);
        }
    }

    @Test
    void aCommandOlderThanItsCallersTimeoutIsDroppedAsStale() {
        try (BrokerDriver b = driver(config().minAnswers(1).maxAnswers(1).commandTimeout(Duration.ofSeconds(5)))) {
            b.send(BrokerDriver.request("r1").build());
            BrokerReply r = b.command(BrokerCommand.lease("old", "a", b.now().minusSeconds(6).toEpochMilli()));
            assertEquals(BrokerReply.STALE, r.outcome);
            assertEquals("r1", b.leaseId("b"), "the stale command took no lease");
        }
    }

    @Test
    void goldAnswersSeedTheWorkerModelAndTheGoldLabelIsEmitted() {
        try (BrokerDriver b = driver(config().minAnswers(2))) {
            b.send(BrokerDriver.request("g1").setGoldLabel(3).build());
            assertEquals("g1", b.leaseId("good"));
            assertEquals("g1", b.leaseId("bad"));
            b.answer("good", "g1", 3);
            b.answer("bad", "g1", 0);
            KeyValueStoreView models = new KeyValueStoreView(b);
            WorkerModel good = models.model("good");
            WorkerModel bad = models.model("bad");
            assertEquals(1, good.goldAnswers());
            double priorDiag = WorkerModel.prior(4, b.config.workerPrior()).confusion(3, 3);
            assertTrue(good.confusion(3, 3) > priorDiag, "a right gold answer raises θ[3][3]");
            assertTrue(bad.confusion(3, 0) > WorkerModel.prior(4, b.config.workerPrior()).confusion(3, 0),
                    "a wrong gold answer raises θ[3][0]");
            assertEquals(good.confusion(0, 0), priorDiag, 1e-12, "rows of other classes are untouched");

            ConsolidatedLabel l = b.labels().get(0);
            assertEquals(3, l.getLabel());
            assertEquals("gold", l.getMethod());
            assertEquals(1.0, l.getConfidence());
            WorkerStats gs = b.<WorkerStats>store(BrokerStores.WORKER_STATS).get("good");
            assertEquals(1, gs.goldCorrect());
        }
    }

    @Test
    void workerModelsLearnOnlineFromEachLabelledItem() {
        try (BrokerDriver b = driver(config().minAnswers(3).maxAnswers(3))) {
            KeyValueStoreView models = new KeyValueStoreView(b);
            for (int i = 0; i < 20; i++) {
                String id = "r" + i;
                b.send(BrokerDriver.request(id).build());
                for (String w : List.of("x", "y", "z")) {
                    assertEquals(id, b.leaseId(w));
                }
                int truth = i % 4;
                b.answer("x", id, truth);
                b.answer("y", id, truth);
                b.answer("z", id, (truth + 1) % 4);
                if (i == 0) {
                    assertEquals(1, models.model("x").answers(), "the model changes with the first labelled item");
                }
            }
            assertEquals(20, b.labels().size());
            double[] pi = {0.25, 0.25, 0.25, 0.25};
            double x = models.model("x").accuracy(pi);
            double z = models.model("z").accuracy(pi);
            double prior = b.config.workerPrior().accuracy();
            assertTrue(x > 0.8 && x > prior, "x always agreed with the label: " + x);
            assertTrue(z < 0.45 && z < prior, "z was always off by one: " + z);
        }
    }

    private static byte[] toBytes(java.nio.ByteBuffer buf) {
        byte[] out = new byte[buf.remaining()];
        buf.duplicate().get(out);
        return out;
    }

    /** Reads worker models from the driver's store. */
    private record KeyValueStoreView(BrokerDriver b) {
        WorkerModel model(String worker) {
            return b.<WorkerModel>store(BrokerStores.WORKER_MODELS).get(BrokerStores.modelKey(4, worker));
        }
    }
}
