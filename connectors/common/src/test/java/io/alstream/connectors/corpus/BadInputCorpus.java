package io.alstream.connectors.corpus;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.alstream.connectors.limits.InputLimits;
import io.alstream.connectors.registry.SchemaRegistryClient;
import io.alstream.connectors.serde.AvroWireCodec;
import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.UnlabeledEvent;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Bad input of every kind alstream's doors are known to face, each with the reason it must be refused for: the
 * records for each input topic (events, labels, request feedback, answers) as the raw bytes a producer could write,
 * and the HTTP calls for the worker API and the registry. Tests feed a door its cases, then check that every case
 * came back as a dead letter (matched by its key, {@code corpus-<kind>}) or an HTTP 4xx carrying its reason, and that
 * the door still serves.
 *
 * <p>The byte-level kinds are the same for every topic: tombstone, empty, four bytes, wrong magic byte, unknown schema
 * id, garbage after the header, a valid record with trailing bytes, Avro length prefixes of 2³¹−1 and negative, a
 * writer schema the reader cannot resolve, values of 1 MiB and 10 MiB. The record-level kinds follow each record's
 * fields: empty, blank, 100 KB, NUL, right-to-left-override and lone-surrogate ids, then the fields the door checks.
 */
public final class BadInputCorpus {
    /** One bad record: its kind (the key is {@code corpus-<kind>}), the value bytes (null = tombstone), the reason. */
    public record RecordCase(String kind, byte[] value, String reason) {
        public byte[] key() {
            return keyOf(kind);
        }

        @Override
        public String toString() {
            return kind + " -> " + reason + " (" + (value == null ? "null" : value.length + " bytes") + ")";
        }
    }

    /** One bad HTTP call and the status and JSON reason it must get (reason null: the status is enough). */
    public record HttpCase(String kind, String method, String path, Map<String, String> headers, byte[] body, int status,
                           String reason) {
        @Override
        public String toString() {
            return kind + ": " + method + " " + (path.length() > 80 ? path.substring(0, 80) + "..." : path) + " -> " + status
                    + " " + reason;
        }
    }

    /** The input topics: who reads them decides a few reasons (the job checks dimensions, the broker classes). */
    public enum Door {
        /** events read by the job */
        EVENTS,
        /** consolidated labels read by the job */
        LABELS,
        /** label requests read back by the job (pending entries) */
        JOB_REQUESTS,
        /** label requests read by the broker */
        BROKER_REQUESTS,
        /** answers read by the broker */
        ANSWERS
    }

    public static final int MIB = 1024 * 1024;
    static final String KEY_PREFIX = "corpus-";

    private BadInputCorpus() {
    }

    public static byte[] keyOf(String kind) {
        return (KEY_PREFIX + kind).getBytes(StandardCharsets.UTF_8);
    }

    /** The kind a dead letter's key names, or null when the key is not a corpus key. */
    public static String kindOf(byte[] key) {
        if (key == null) {
            return null;
        }
        String k = new String(key, StandardCharsets.UTF_8);
        return k.startsWith(KEY_PREFIX) ? k.substring(KEY_PREFIX.length()) : null;
    }

    /** What the answers door needs to know of the broker's state for its cases. */
    public record AnswerTargets(String openRequestId, String openEventId, int numClasses, String closedRequestId,
                                String closedEventId, String workerWhoAnsweredOpen) {
    }

    /**
     * The cases of one topic door.
     *
     * @param topic      the topic the values are for (their subject is {@code <topic>-value})
     * @param featureDim the job's data.feature-dim (EVENTS, LABELS, JOB_REQUESTS)
     * @param numClasses the job's data.num-classes (LABELS)
     * @param answers    what the ANSWERS door aims at (null for the other doors)
     */
    public static List<RecordCase> records(Door door, SchemaRegistryClient registry, String topic, int featureDim,
                                           int numClasses, AnswerTargets answers) {
        return switch (door) {
            case EVENTS -> events(registry, topic, featureDim);
            case LABELS -> labels(registry, topic, featureDim, numClasses);
            case JOB_REQUESTS -> jobRequests(registry, topic, featureDim);
            case BROKER_REQUESTS -> brokerRequests(registry, topic);
            case ANSWERS -> answers(registry, topic, answers);
        };
    }

    // ------------------------------------------------------------------ record builders

    static List<Float> features(int n) {
        Float[] a = new Float[n];
        Arrays.fill(a, 0.5f);
        return Arrays.asList(a);
    }

    static UnlabeledEvent.Builder event(String id, int dim) {
        return UnlabeledEvent.newBuilder().setId(id).setEventTime(Instant.parse("2026-01-01T00:00:00Z")).setFeatures(features(dim));
    }

    static ConsolidatedLabel.Builder label(String eventId, int dim) {
        return ConsolidatedLabel.newBuilder().setEventId(eventId).setRequestId("req-" + eventId).setLabel(0).setConfidence(0.9)
                .setNumAnswers(3).setMethod("majority").setFeatures(features(dim)).setLabelledAt(Instant.now());
    }

    static LabelRequest.Builder request(String requestId, String eventId, int dim) {
        Instant now = Instant.now();
        return LabelRequest.newBuilder().setRequestId(requestId).setEventId(eventId).setFeatures(features(dim))
                .setStrategy("entropy").setScore(1.0).setModelVersion(1L).setCreatedAt(now)
                .setDeadline(now.plus(Duration.ofHours(1))).setNumClasses(3);
    }

    static LabelAnswer.Builder answer(String requestId, String eventId, String worker, int label) {
        return LabelAnswer.newBuilder().setRequestId(requestId).setEventId(eventId).setWorkerId(worker).setLabel(label)
                .setAnsweredAt(Instant.now());
    }

    static String repeat(char c, int bytes) {
        char[] a = new char[bytes];
        Arrays.fill(a, c);
        return new String(a);
    }

    // ------------------------------------------------------------------ the doors

    private static List<RecordCase> events(SchemaRegistryClient registry, String topic, int dim) {
        Encoder<UnlabeledEvent> enc = new Encoder<>(UnlabeledEvent.class, registry, topic);
        List<RecordCase> out = new ArrayList<>(bytesLevel(registry, enc.encode(event("ok", dim).build()), enc,
                n -> event("big", dim).setPayloadText(repeat('p', n)).build()));
        ids(out, enc, id -> event(id, dim).build(), InputLimits.MISSING_ID);
        out.add(enc.of("wrong-dimension", event("e1", dim + 1).build(), "wrong-dimension"));
        out.add(enc.of("features-400kb", event("e2", InputLimits.MAX_FEATURES + 1).build(), "wrong-dimension"));
        List<Float> nan = new ArrayList<>(features(dim));
        nan.set(0, Float.NaN);
        out.add(enc.of("feature-nan", event("e3", dim).setFeatures(nan).build(), "non-finite"));
        List<Float> inf = new ArrayList<>(features(dim));
        inf.set(dim - 1, Float.NEGATIVE_INFINITY);
        out.add(enc.of("feature-infinite", event("e4", dim).setFeatures(inf).build(), "non-finite"));
        out.add(enc.of("payload-uri-too-long", event("e5", dim).setPayloadUri("https://x/" + repeat('u', InputLimits.MAX_URI_BYTES)).build(),
                InputLimits.FIELD_TOO_LONG));
        out.add(enc.of("payload-text-too-long", event("e6", dim).setPayloadText(repeat('t', InputLimits.MAX_TEXT_BYTES + 1)).build(),
                InputLimits.FIELD_TOO_LONG));
        Map<String, String> attrs = new HashMap<>();
        for (int i = 0; i <= InputLimits.MAX_MAP_ENTRIES; i++) {
            attrs.put("a" + i, "v");
        }
        out.add(enc.of("attributes-too-many", event("e7", dim).setAttributes(attrs).build(), InputLimits.FIELD_TOO_LONG));
        out.add(enc.of("stream-too-long", event("e8", dim).setStream(repeat('s', InputLimits.MAX_NAME_BYTES + 1)).build(),
                InputLimits.FIELD_TOO_LONG));
        return out;
    }

    private static List<RecordCase> labels(SchemaRegistryClient registry, String topic, int dim, int numClasses) {
        Encoder<ConsolidatedLabel> enc = new Encoder<>(ConsolidatedLabel.class, registry, topic);
        List<RecordCase> out = new ArrayList<>(bytesLevel(registry, enc.encode(label("ok", dim).build()), enc,
                n -> label("big", dim).setMethod(repeat('m', n)).build()));
        ids(out, enc, id -> label(id, dim).build(), InputLimits.MISSING_ID);
        out.add(enc.of("label-negative", label("l1", dim).setLabel(-1).build(), "unknown-label"));
        out.add(enc.of("label-too-high", label("l2", dim).setLabel(numClasses).build(), "unknown-label"));
        out.add(enc.of("label-max-int", label("l3", dim).setLabel(Integer.MAX_VALUE).build(), "unknown-label"));
        out.add(enc.of("wrong-dimension", label("l4", dim).setFeatures(features(dim + 3)).build(), "wrong-dimension"));
        List<Float> nan = new ArrayList<>(features(dim));
        nan.set(0, Float.NaN);
        out.add(enc.of("feature-nan", label("l5", dim).setFeatures(nan).build(), "non-finite"));
        out.add(enc.of("method-too-long", label("l6", dim).setMethod(repeat('m', InputLimits.MAX_NAME_BYTES + 1)).build(),
                InputLimits.FIELD_TOO_LONG));
        out.add(enc.of("request-id-nul", label("l7", dim).setRequestId("req\u0000l7").build(), InputLimits.INVALID_ID));
        return out;
    }

    private static List<RecordCase> jobRequests(SchemaRegistryClient registry, String topic, int dim) {
        Encoder<LabelRequest> enc = new Encoder<>(LabelRequest.class, registry, topic);
        List<RecordCase> out = new ArrayList<>(bytesLevel(registry, enc.encode(request("req-ok", "ok", dim).build()), enc,
                n -> request("req-big", "big", dim).setPayloadText(repeat('p', n)).build()));
        // the job reads the event id of a request (its pending entry), then the rest of the request's bounds
        ids(out, enc, id -> request(id, id, dim).build(), InputLimits.MISSING_ID);
        out.add(enc.of("wrong-dimension", request("req-r1", "r1", dim - 1).build(), "wrong-dimension"));
        List<Float> nan = new ArrayList<>(features(dim));
        nan.set(1, Float.POSITIVE_INFINITY);
        out.add(enc.of("feature-infinite", request("req-r2", "r2", dim).setFeatures(nan).build(), "non-finite"));
        out.add(enc.of("request-id-100kb", request(repeat('q', 100_000), "r3", dim).build(), InputLimits.ID_TOO_LONG));
        out.add(enc.of("payload-text-too-long", request("req-r4", "r4", dim).setPayloadText(repeat('t', InputLimits.MAX_TEXT_BYTES + 1)).build(),
                InputLimits.FIELD_TOO_LONG));
        out.add(enc.of("class-names-too-many", request("req-r5", "r5", dim).setClassNames(Collections.nCopies(InputLimits.MAX_CLASSES + 1, "c"))
                .build(), InputLimits.FIELD_TOO_LONG));
        return out;
    }

    private static List<RecordCase> brokerRequests(SchemaRegistryClient registry, String topic) {
        Encoder<LabelRequest> enc = new Encoder<>(LabelRequest.class, registry, topic);
        List<RecordCase> out = new ArrayList<>(bytesLevel(registry, enc.encode(request("req-ok", "ok", 2).build()), enc,
                n -> request("req-big", "big", 2).setPayloadText(repeat('p', n)).build()));
        // the broker reads the request id first
        ids(out, enc, id -> request(id, "ev", 2).build(), InputLimits.MISSING_ID);
        out.add(enc.of("event-id-100kb", request("req-b1", repeat('e', 100_000), 2).build(), InputLimits.ID_TOO_LONG));
        out.add(enc.of("num-classes-one", request("req-b2", "b2", 2).setNumClasses(1).build(), "invalid-request"));
        out.add(enc.of("num-classes-huge", request("req-b3", "b3", 2).setNumClasses(Integer.MAX_VALUE).build(), InputLimits.OUT_OF_RANGE));
        out.add(enc.of("gold-out-of-range", request("req-b4", "b4", 2).setGoldLabel(7).build(), "invalid-request"));
        out.add(enc.of("class-names-mismatch", request("req-b5", "b5", 2).setClassNames(List.of("a", "b")).build(), "invalid-request"));
        out.add(enc.of("features-400kb", request("req-b6", "b6", InputLimits.MAX_FEATURES + 1).build(), InputLimits.FIELD_TOO_LONG));
        out.add(enc.of("payload-text-too-long", request("req-b7", "b7", 2).setPayloadText(repeat('t', InputLimits.MAX_TEXT_BYTES + 1)).build(),
                InputLimits.FIELD_TOO_LONG));
        out.add(enc.of("strategy-too-long", request("req-b8", "b8", 2).setStrategy(repeat('s', 10_000)).build(), InputLimits.FIELD_TOO_LONG));
        Map<String, Double> scores = new HashMap<>();
        for (int i = 0; i <= InputLimits.MAX_MAP_ENTRIES; i++) {
            scores.put("s" + i, 1.0);
        }
        out.add(enc.of("scores-too-many", request("req-b9", "b9", 2).setScores(scores).build(), InputLimits.FIELD_TOO_LONG));
        return out;
    }

    private static List<RecordCase> answers(SchemaRegistryClient registry, String topic, AnswerTargets t) {
        Encoder<LabelAnswer> enc = new Encoder<>(LabelAnswer.class, registry, topic);
        List<RecordCase> out = new ArrayList<>(bytesLevel(registry, enc.encode(answer("r", "e", "w", 0).build()), enc,
                n -> answer(t.openRequestId(), t.openEventId(), repeat('w', n), 0).build()));
        // the broker reads the request id first (an unknown, well-formed one is unknown-request)
        ids(out, enc, id -> answer(id, t.openEventId(), "w-ids", 0).build(), InputLimits.MISSING_ID);
        out.add(enc.of("worker-id-empty", answer(t.openRequestId(), t.openEventId(), "", 0).build(), InputLimits.MISSING_ID));
        out.add(enc.of("worker-id-rtl", answer(t.openRequestId(), t.openEventId(), "w\u202Eevil", 0).build(), InputLimits.INVALID_ID));
        out.add(enc.of("worker-id-100kb", answer(t.openRequestId(), t.openEventId(), repeat('w', 100_000), 0).build(), InputLimits.ID_TOO_LONG));
        out.add(enc.of("label-out-of-range", answer(t.openRequestId(), t.openEventId(), "w-range", t.numClasses()).build(), "label-out-of-range"));
        out.add(enc.of("label-negative", answer(t.openRequestId(), t.openEventId(), "w-neg", -1).build(), "label-out-of-range"));
        out.add(enc.of("confidence-nan", answer(t.openRequestId(), t.openEventId(), "w-nan", 0).setConfidence(Double.NaN).build(),
                InputLimits.OUT_OF_RANGE));
        out.add(enc.of("confidence-above-one", answer(t.openRequestId(), t.openEventId(), "w-conf", 0).setConfidence(1.5).build(),
                InputLimits.OUT_OF_RANGE));
        out.add(enc.of("unknown-request", answer("req-nobody-sent-this", "ev-none", "w-unknown", 0).build(), "unknown-request"));
        out.add(enc.of("closed-request", answer(t.closedRequestId(), t.closedEventId(), "w-late", 0).build(), "request-closed"));
        out.add(enc.of("duplicate-answer", answer(t.openRequestId(), t.openEventId(), t.workerWhoAnsweredOpen(), 0).build(),
                "duplicate-answer"));
        out.add(enc.of("event-mismatch", answer(t.openRequestId(), "ev-another", "w-mismatch", 0).build(), "event-mismatch"));
        return out;
    }

    /**
     * The id kinds: empty and blank (the door's missing-id reason), 100 KB, NUL, a right-to-left override, and bytes
     * that are not UTF-8 (a lone surrogate's encoding, which Avro decodes to U+FFFD).
     */
    private static <T extends SpecificRecord> void ids(List<RecordCase> out, Encoder<T> enc, Function<String, T> withId,
                                                       String missingReason) {
        out.add(enc.of("id-empty", withId.apply(""), missingReason));
        out.add(enc.of("id-blank", withId.apply("   "), missingReason));
        out.add(enc.of("id-100kb", withId.apply(repeat('i', 100_000)), InputLimits.ID_TOO_LONG));
        out.add(enc.of("id-nul", withId.apply("id\u0000nul"), InputLimits.INVALID_ID));
        out.add(enc.of("id-rtl-override", withId.apply("id\u202Etxt.exe"), InputLimits.INVALID_ID));
        out.add(enc.of("id-lrm-mark", withId.apply("\u200Eid"), InputLimits.INVALID_ID));
        // the first field of every record is a string id: write "abc", then put a lone surrogate's bytes there
        byte[] v = enc.encode(withId.apply("abc"));
        int at = 5 + 1; // header, then the length varint of a 3-byte string (0x06)
        if (v[5] != 6 || v[at] != 'a') {
            throw new IllegalStateException("the record's first field is not the id");
        }
        v[at] = (byte) 0xED;
        v[at + 1] = (byte) 0xA0;
        v[at + 2] = (byte) 0x80;
        out.add(new RecordCase("id-lone-surrogate", v, InputLimits.INVALID_ID));
    }

    /** The kinds below the record: framing, the registry, Avro itself, size. */
    private static <T extends SpecificRecord> List<RecordCase> bytesLevel(SchemaRegistryClient registry, byte[] valid, Encoder<T> enc,
                                                                          Function<Integer, T> ofSize) {
        List<RecordCase> out = new ArrayList<>();
        out.add(new RecordCase("null-value", null, "null-value"));
        out.add(new RecordCase("empty-value", new byte[0], "too-short"));
        out.add(new RecordCase("four-bytes", new byte[] {0, 0, 0, 1}, "too-short"));
        byte[] magic = valid.clone();
        magic[0] = 1;
        out.add(new RecordCase("bad-magic-byte", magic, "bad-magic-byte"));
        byte[] json = "{\"id\": \"e1\", \"features\": [1, 2]}".getBytes(StandardCharsets.UTF_8);
        out.add(new RecordCase("json-instead-of-avro", json, "bad-magic-byte"));
        byte[] unknownId = valid.clone();
        ByteBuffer.wrap(unknownId).putInt(1, 0x7ffffff0);
        out.add(new RecordCase("unknown-schema-id", unknownId, "unknown-schema-id"));
        byte[] garbage = new byte[64 + 5];
        System.arraycopy(valid, 0, garbage, 0, 5);
        Arrays.fill(garbage, 5, garbage.length, (byte) 0xFF);
        out.add(new RecordCase("garbage-after-header", garbage, "undecodable"));
        byte[] trailing = Arrays.copyOf(valid, valid.length + 3);
        trailing[valid.length] = 1;
        out.add(new RecordCase("trailing-garbage", trailing, "undecodable"));
        out.add(new RecordCase("avro-length-2^31-1", withHeader(valid, zigzag(Integer.MAX_VALUE), 16), "undecodable"));
        out.add(new RecordCase("avro-length-negative", withHeader(valid, zigzag(-7), 16), "undecodable"));
        out.add(new RecordCase("avro-length-long-overflow", withHeader(valid, zigzag(Long.MAX_VALUE), 16), "undecodable"));
        out.add(new RecordCase("incompatible-schema", incompatible(registry, enc.topic), "incompatible-schema"));
        out.add(enc.of("value-1mib", ofSize.apply(MIB), InputLimits.TOO_LARGE));
        out.add(enc.of("value-10mib", ofSize.apply(10 * MIB), InputLimits.TOO_LARGE));
        return out;
    }

    /** The header of {@code valid}, then {@code prefix}, then {@code pad} bytes of 'x'. */
    private static byte[] withHeader(byte[] valid, byte[] prefix, int pad) {
        byte[] out = new byte[5 + prefix.length + pad];
        System.arraycopy(valid, 0, out, 0, 5);
        System.arraycopy(prefix, 0, out, 5, prefix.length);
        Arrays.fill(out, 5 + prefix.length, out.length, (byte) 'x');
        return out;
    }

    /** Avro's zig-zag varint of a long. */
    static byte[] zigzag(long v) {
        long z = (v << 1) ^ (v >> 63);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while ((z & ~0x7FL) != 0) {
            b.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        b.write((int) z);
        return b.toByteArray();
    }

    /** A record of a schema registered under another subject that the reader cannot resolve (no id, no defaults). */
    private static byte[] incompatible(SchemaRegistryClient registry, String topic) {
        Schema other = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"NotThis\",\"namespace\":\"corpus\","
                + "\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
        int id = registry.register("corpus-incompatible-" + topic + "-value", other);
        ByteBuffer b = ByteBuffer.allocate(5 + 1);
        b.put((byte) 0).putInt(id).put((byte) 2); // x = 1
        return b.array();
    }

    /** Encodes records of one type for one topic through the real registry. */
    private static final class Encoder<T extends SpecificRecord> {
        final AvroWireCodec<T> codec;
        final String topic;

        Encoder(Class<T> type, SchemaRegistryClient registry, String topic) {
            this.codec = AvroWireCodec.specific(type, registry);
            this.topic = topic;
        }

        byte[] encode(T record) {
            return codec.encode(topic, record);
        }

        RecordCase of(String kind, T record, String reason) {
            return new RecordCase(kind, encode(record), reason);
        }
    }

    // ------------------------------------------------------------------ HTTP

    /**
     * The worker API's bad calls, for worker {@code worker} holding {@code token}; {@code openRequestId} is a request the
     * broker knows and the worker holds no lease on, {@code closedRequestId} one that is closed, {@code revokedToken} a
     * token of {@code worker}'s that is on the broker's deny list.
     */
    public static List<HttpCase> workerApi(String worker, String token, String openRequestId, String closedRequestId,
                                           String revokedToken) {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + token);
        String answer = "/v1/workers/" + worker + "/tasks/" + openRequestId + "/answer";
        List<HttpCase> out = new ArrayList<>();
        out.add(json("label-float", answer, auth, "{\"label\": 1.9}", 400, "invalid-body"));
        out.add(json("label-float-integral", answer, auth, "{\"label\": 1.0}", 400, "invalid-body"));
        out.add(json("label-string", answer, auth, "{\"label\": \"2\"}", 400, "invalid-body"));
        out.add(json("label-bool", answer, auth, "{\"label\": true}", 400, "invalid-body"));
        out.add(json("label-null", answer, auth, "{\"label\": null}", 400, "invalid-body"));
        out.add(json("label-huge-number", answer, auth, "{\"label\": 99999999999999999999999}", 400, "invalid-body"));
        out.add(json("duplicate-key", answer, auth, "{\"label\": 0, \"label\": 1}", 400, "invalid-body"));
        out.add(json("trailing-garbage", answer, auth, "{\"label\": 0} xyz", 400, "invalid-body"));
        out.add(json("trailing-object", answer, auth, "{\"label\": 0}{\"label\": 1}", 400, "invalid-body"));
        out.add(json("unknown-field", answer, auth, "{\"label\": 0, \"worker\": \"x\"}", 400, "invalid-body"));
        out.add(json("not-an-object", answer, auth, "[0]", 400, "invalid-body"));
        out.add(json("empty-body", answer, auth, "", 400, "invalid-body"));
        out.add(json("lone-surrogate-in-json", answer, auth, "{\"label\": 0, \"confidence\": \"\\ud800\"}", 400, "invalid-body"));
        out.add(json("nul-in-json", answer, auth, "{\"label\u0000\": 0}", 400, "invalid-body"));
        out.add(json("deeply-nested", answer, auth, "[".repeat(5_000) + "]".repeat(5_000), 400, "invalid-body"));
        out.add(json("huge-json", answer, auth, "{\"label\": 0, \"confidence\": 0." + "1".repeat(100_000) + "}", 413, "too-large"));
        out.add(json("nested-under-limit", answer, auth, "{\"label\": " + "[".repeat(20) + "0" + "]".repeat(20) + "}", 400, "invalid-body"));
        out.add(json("confidence-out-of-range", answer, auth, "{\"label\": 0, \"confidence\": 7}", 400, "invalid-body"));
        out.add(json("confidence-nan", answer, auth, "{\"label\": 0, \"confidence\": NaN}", 400, "invalid-body"));
        out.add(new HttpCase("body-1mib", "POST", answer, auth, new byte[MIB], 413, "too-large"));
        out.add(new HttpCase("body-10mib", "POST", answer, auth, new byte[10 * MIB], 413, "too-large"));
        out.add(json("label-out-of-range", answer, auth, "{\"label\": 99}", 422, "label-out-of-range"));
        out.add(json("unknown-request", "/v1/workers/" + worker + "/tasks/req-nobody-sent-this/answer", auth, "{\"label\": 0}", 404,
                "unknown-request"));
        out.add(json("closed-request", "/v1/workers/" + worker + "/tasks/" + closedRequestId + "/answer", auth, "{\"label\": 0}", 409,
                "request-closed"));
        out.add(json("no-lease", answer, auth, "{\"label\": 0}", 409, "no-lease"));
        out.add(json("request-id-100kb", "/v1/workers/" + worker + "/tasks/" + repeat('r', 100_000) + "/answer", auth, "{\"label\": 0}",
                400, InputLimits.ID_TOO_LONG));
        out.add(json("request-id-lone-surrogate", "/v1/workers/" + worker + "/tasks/req%ED%A0%80x/answer", auth, "{\"label\": 0}", 400,
                InputLimits.INVALID_ID));
        out.add(json("request-id-nul", "/v1/workers/" + worker + "/tasks/req%00x/answer", auth, "{\"label\": 0}", 400,
                InputLimits.INVALID_ID));
        out.add(json("request-id-rtl", "/v1/workers/" + worker + "/tasks/req%E2%80%AEx/answer", auth, "{\"label\": 0}", 400,
                InputLimits.INVALID_ID));
        out.add(json("release-unknown", "/v1/workers/" + worker + "/tasks/req-nobody-sent-this/release", auth, "", 404, null));
        out.add(json("worker-id-too-long", "/v1/workers/" + repeat('w', 200) + "/stats", auth, null, 400, InputLimits.INVALID_ID));
        out.add(json("worker-id-nul", "/v1/workers/w%00x/stats", auth, null, 400, InputLimits.INVALID_ID));
        out.add(json("no-token", answer, Map.of(), "{\"label\": 0}", 401, "missing-token"));
        out.add(json("revoked-token", answer, Map.of("Authorization", "Bearer " + revokedToken), "{\"label\": 0}", 401,
                "revoked-token"));
        out.add(json("token-100kb", answer, Map.of("Authorization", "Bearer " + repeat('t', 100_000)), "{\"label\": 0}", 401,
                "unknown-token"));
        out.add(json("basic-instead-of-bearer", answer, Map.of("Authorization", "Basic eDp5"), "{\"label\": 0}", 401, "missing-token"));
        out.add(json("path-traversal", "/worker/../../etc/passwd", Map.of(), null, 404, "no-such-route"));
        out.add(json("page-with-token-in-query", "/worker?token=" + token, Map.of(), null, 400, "unexpected-query"));
        out.add(new HttpCase("wrong-method", "DELETE", answer, auth, null, 405, "method-not-allowed"));
        return out;
    }

    /**
     * The registry's bad calls (Confluent's error body {@code {"error_code": .., "message": ..}}: the reason is the
     * error code as text). {@code subject} is a subject that exists.
     */
    public static List<HttpCase> registry(String subject) {
        String versions = "/subjects/" + subject + "/versions";
        Map<String, String> h = Map.of("Content-Type", "application/vnd.schemaregistry.v1+json");
        List<HttpCase> out = new ArrayList<>();
        out.add(json("not-json", versions, h, "schema please", 400, null));
        out.add(json("trailing-garbage", versions, h, "{\"schema\": \"\\\"int\\\"\"} xyz", 400, null));
        out.add(json("duplicate-key", versions, h, "{\"schema\": \"\\\"int\\\"\", \"schema\": \"\\\"long\\\"\"}", 400, null));
        out.add(json("not-an-object", versions, h, "[\"int\"]", 400, null));
        out.add(json("empty-body", versions, h, "", 400, null));
        out.add(json("deeply-nested-json", versions, h, "{\"schema\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}", 400, null));
        String nestedSchema = "{\\\"type\\\":\\\"array\\\",\\\"items\\\":".repeat(5_000) + "\\\"int\\\"" + "}".repeat(5_000);
        out.add(json("deeply-nested-schema", versions, h, "{\"schema\": \"" + nestedSchema + "\"}", 422, "42201"));
        out.add(json("schema-not-avro", versions, h, "{\"schema\": \"{\\\"type\\\": \\\"nope\\\"}\"}", 422, "42201"));
        out.add(json("schema-type-protobuf", versions, h, "{\"schema\": \"syntax = \\\"proto3\\\";\", \"schemaType\": \"PROTOBUF\"}", 422,
                "42201"));
        out.add(new HttpCase("body-10mib", "POST", versions, h, new byte[10 * MIB], 413, null));
        out.add(json("subject-100kb", "/subjects/" + repeat('s', 100_000) + "/versions", h, "{\"schema\": \"\\\"int\\\"\"}", 400, null));
        out.add(json("subject-nul", "/subjects/a%00b/versions", h, "{\"schema\": \"\\\"int\\\"\"}", 400, null));
        out.add(json("subject-rtl", "/subjects/a%E2%80%AEb/versions", h, "{\"schema\": \"\\\"int\\\"\"}", 400, null));
        out.add(json("subject-lone-surrogate", "/subjects/a%ED%A0%80b/versions", h, "{\"schema\": \"\\\"int\\\"\"}", 400, null));
        out.add(json("schema-id-not-a-number", "/schemas/ids/abc", h, null, 404, "40403"));
        out.add(json("schema-id-huge", "/schemas/ids/99999999999999999999", h, null, 404, "40403"));
        out.add(json("version-not-a-number", versions + "/abc", h, null, 422, null));
        out.add(json("unknown-subject", "/subjects/nobody-registered-this/versions", h, null, 404, "40401"));
        out.add(json("bad-compatibility", "/config/" + subject, h, "{\"compatibility\": \"SOMETIMES\"}", 422, null));
        out.add(json("wrong-method", "/schemas/types", h, "{}", 405, null));
        return out;
    }

    private static HttpCase json(String kind, String path, Map<String, String> headers, String body, int status, String reason) {
        String method = body == null ? "GET" : "POST";
        if (kind.equals("bad-compatibility")) {
            method = "PUT";
        }
        return new HttpCase(kind, method, path, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8), status, reason);
    }
}
