package io.alstream.flink.io;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import io.alstream.flink.records.DeadLetterRecord;
import io.alstream.flink.records.EventRecord;
import io.alstream.flink.records.ModelUpdateRecord;
import io.alstream.flink.records.RequestRecord;
import io.alstream.schemas.DeadLetter;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.ModelUpdate;
import io.alstream.schemas.UnlabeledEvent;

/** From the job's records to the Avro records of DESIGN section 3. */
public final class AvroConversions {
    private AvroConversions() {
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static List<Float> floats(float[] a) {
        List<Float> l = new ArrayList<>(a.length);
        for (float v : a) {
            l.add(v);
        }
        return l;
    }

    /** The validated event as it came in (the passthrough job's output), keyed by event id. */
    public static final class Events implements AvroSinkSerializer.Conversion<EventRecord, UnlabeledEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public UnlabeledEvent toAvro(EventRecord e) {
            return UnlabeledEvent.newBuilder()
                    .setId(e.id)
                    .setEventTime(Instant.ofEpochMilli(e.eventTime))
                    .setFeatures(floats(e.features))
                    .setPayloadUri(e.payloadUri)
                    .setPayloadText(e.payloadText)
                    .setStream(e.stream)
                    .setAttributes(new HashMap<>(e.attributes))
                    .build();
        }

        @Override
        public byte[] key(EventRecord e) {
            return utf8(e.id);
        }
    }

    /** LabelRequest, keyed by event id. */
    public static final class Requests implements AvroSinkSerializer.Conversion<RequestRecord, LabelRequest> {
        private static final long serialVersionUID = 1L;
        private final int numClasses;
        private final List<String> classNames;

        public Requests(int numClasses, List<String> classNames) {
            this.numClasses = numClasses;
            this.classNames = new ArrayList<>(classNames);
        }

        @Override
        public LabelRequest toAvro(RequestRecord r) {
            return LabelRequest.newBuilder()
                    .setRequestId(r.requestId)
                    .setEventId(r.eventId)
                    .setFeatures(floats(r.features))
                    .setPayloadUri(r.payloadUri)
                    .setPayloadText(r.payloadText)
                    .setStrategy(r.strategy)
                    .setScore(r.score)
                    .setScores(new HashMap<>(r.scores))
                    .setModelVersion(r.modelVersion)
                    .setPriority(r.priority)
                    .setCreatedAt(Instant.ofEpochMilli(r.createdAt))
                    .setDeadline(Instant.ofEpochMilli(r.deadline))
                    .setRedundancy(r.redundancy)
                    .setNumClasses(numClasses)
                    .setClassNames(classNames)
                    .setGoldLabel(null)
                    .setStream(r.stream)
                    .setAttributes(r.attributes == null ? new HashMap<>() : new HashMap<>(r.attributes))
                    .setShard(r.shard)
                    .setShardEventsSeen(r.shardEventsSeen)
                    .setShardLabelsRequested(r.shardLabelsRequested)
                    .build();
        }

        @Override
        public byte[] key(RequestRecord r) {
            return utf8(r.eventId);
        }
    }

    /** ModelUpdate, keyed by model id. */
    public static final class Updates implements AvroSinkSerializer.Conversion<ModelUpdateRecord, ModelUpdate> {
        private static final long serialVersionUID = 1L;

        @Override
        public ModelUpdate toAvro(ModelUpdateRecord u) {
            return ModelUpdate.newBuilder()
                    .setModelId(u.modelId)
                    .setVersion(u.version)
                    .setLabelsFolded(u.labelsFolded)
                    .setKernelSize(u.kernelSize)
                    .setPending(u.pending)
                    .setRefreshCount(u.refreshCount)
                    .setPrequentialAccuracy(u.prequentialAccuracy)
                    .setBudgetSpent(u.budgetSpent)
                    .setTrigger(u.trigger)
                    .setCreatedAt(Instant.ofEpochMilli(u.createdAt))
                    .setLastLabelAt(u.lastLabelAt == null ? null : Instant.ofEpochMilli(u.lastLabelAt))
                    .setFoldedEventIds(new ArrayList<>(u.foldedEventIds))
                    .setMetrics(new HashMap<>(u.metrics))
                    .build();
        }

        @Override
        public byte[] key(ModelUpdateRecord u) {
            return utf8(u.modelId);
        }
    }

    /** DeadLetter, keyed by the original key. */
    public static final class DeadLetters implements AvroSinkSerializer.Conversion<DeadLetterRecord, DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public DeadLetter toAvro(DeadLetterRecord d) {
            return DeadLetter.newBuilder()
                    .setSourceTopic(d.sourceTopic)
                    .setPartition(d.partition)
                    .setOffset(d.offset)
                    .setKey(d.key == null ? null : ByteBuffer.wrap(d.key))
                    .setValue(d.value == null ? null : ByteBuffer.wrap(d.value))
                    .setErrorClass(d.errorClass)
                    .setErrorMessage(d.errorMessage == null ? "" : d.errorMessage)
                    .setStage(d.stage)
                    .setFailedAt(Instant.ofEpochMilli(d.failedAt))
                    .build();
        }

        @Override
        public byte[] key(DeadLetterRecord d) {
            return d.key;
        }
    }
}
