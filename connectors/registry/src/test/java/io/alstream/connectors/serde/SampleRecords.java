package io.alstream.connectors.serde;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;
import io.alstream.schemas.UnlabeledEvent;
import org.apache.avro.specific.SpecificRecord;

/** One realistic record of each type in {@code schemas/}, every optional field set. */
public final class SampleRecords {
    static final Instant T = Instant.parse("2025-03-04T05:06:07.123Z");

    private SampleRecords() {
    }

    public static UnlabeledEvent event() {
        return UnlabeledEvent.newBuilder().setId("evt-42").setEventTime(T).setFeatures(List.of(0.1f, -2.5f, 3.25f, 0f))
                .setFeatureSpace("raw").setPayloadUri("https://example.org/42.png").setPayloadText("a digit")
                .setStream("tenant-a").setAttributes(Map.of("source", "digits", "split", "stream")).build();
    }

    public static LabelRequest request() {
        return LabelRequest.newBuilder().setRequestId("req-42-3").setEventId("evt-42").setFeatures(List.of(0.1f, -2.5f))
                .setPayloadUri(null).setPayloadText("a digit").setStrategy("balent").setScore(0.87)
                .setScores(Map.of("balent", 0.87, "entropy", 1.2, "margin", 0.05)).setModelVersion(3L).setPriority(0.5)
                .setCreatedAt(T).setDeadline(T.plusSeconds(300)).setRedundancy(3).setNumClasses(10)
                .setClassNames(List.of("zero", "one")).setGoldLabel(7).setStream("tenant-a").setAttributes(Map.of("k", "v")).build();
    }

    public static LabelAnswer answer() {
        return LabelAnswer.newBuilder().setRequestId("req-42-3").setEventId("evt-42").setWorkerId("worker-9").setLabel(7)
                .setConfidence(0.9).setAnsweredAt(T.plusSeconds(12)).build();
    }

    public static ConsolidatedLabel label() {
        return ConsolidatedLabel.newBuilder().setEventId("evt-42").setRequestId("req-42-3").setLabel(7).setConfidence(0.97)
                .setNumAnswers(3).setMethod("dawid-skene").setFeatures(List.of(0.1f, -2.5f)).setModelVersion(3L)
                .setRequestedAt(T).setLabelledAt(T.plusSeconds(40)).setCloseReason(null).build();
    }

    public static ModelUpdate update() {
        return ModelUpdate.newBuilder().setModelId("default").setVersion(4L).setLabelsFolded(120L).setKernelSize(20).setPending(5)
                .setRefreshCount(2).setPrequentialAccuracy(0.81).setBudgetSpent(0.1).setTrigger("label").setCreatedAt(T)
                .setLastLabelAt(T.minusSeconds(1)).setMetrics(Map.of("loss", 0.3)).build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder().setSourceTopic("alstream.events.v1").setPartition(1).setOffset(99L)
                .setKey(ByteBuffer.wrap("evt-1".getBytes())).setValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setErrorClass("bad-magic-byte").setErrorMessage("first byte is 1").setStage("validate").setFailedAt(T).build();
    }

    public static List<SpecificRecord> all() {
        return List.of(event(), request(), answer(), label(), update(), deadLetter());
    }
}
