package io.alstream.connectors.limits;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.alstream.schemas.ConsolidatedLabel;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.LabelRequest;
import io.alstream.schemas.UnlabeledEvent;

/**
 * The documented bound of every variable-length field of the records alstream reads, checked where a record is
 * validated (the job's validators and the label broker alike), so that no field that passed can grow state, a
 * checkpoint, an output record or a log line without limit. A record over a bound is refused with one of the
 * shared reason codes below; the job and the broker use the same words.
 *
 * <p>Ids (event, request and worker ids, registry subjects) are also refused when they hold characters that make
 * them print as something they are not: control characters (NUL included), bidirectional controls (the marks and
 * overrides of U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069), unpaired surrogates and U+FFFD (what a
 * malformed UTF-8 sequence decodes to).
 */
public final class InputLimits {
    /** Event, request and worker ids, in UTF-8 bytes (the model keeps event ids in its checkpointed state). */
    public static final int MAX_ID_BYTES = 1024;
    /** Short names: strategy, method, close reason, stream, feature space, class names, map keys. */
    public static final int MAX_NAME_BYTES = 256;
    /** A payload URI. */
    public static final int MAX_URI_BYTES = 4096;
    /** A payload text, and each attribute value. */
    public static final int MAX_TEXT_BYTES = 64 * 1024;
    /** Entries of a map (attributes, scores). */
    public static final int MAX_MAP_ENTRIES = 64;
    /** Classes of a label request (numClasses and classNames). */
    public static final int MAX_CLASSES = 1000;
    /** Features of a label request or label the broker handles (the job's own inputs must have data.feature-dim). */
    public static final int MAX_FEATURES = 100_000;
    /**
     * A whole record value, in bytes: Kafka's default message size (1 MiB) less room for headers and batch framing,
     * so whatever passed can be copied into an internal topic or a state changelog by a producer with default
     * settings.
     */
    public static final int MAX_VALUE_BYTES = 1_000_000;
    /** A record key, in bytes (keys are ids). */
    public static final int MAX_KEY_BYTES = 4096;
    /** The headers of a record read from an input topic, all together, in bytes. */
    public static final int MAX_HEADER_BYTES = 64 * 1024;
    /** The copy of a rejected value a dead letter keeps (the rest is cut; the message gives the original size). */
    public static final int DEAD_LETTER_VALUE_BYTES = 256 * 1024;
    /** The copy of a rejected key a dead letter keeps. */
    public static final int DEAD_LETTER_KEY_BYTES = 1024;
    /** A dead letter's message. */
    public static final int DEAD_LETTER_MESSAGE_CHARS = 4096;

    /** Shared reason codes (the job's {@code DeadLetterRecord.Reasons} and the broker's {@code RejectReason}). */
    public static final String MISSING_ID = "missing-id";
    public static final String ID_TOO_LONG = "id-too-long";
    public static final String INVALID_ID = "invalid-id";
    public static final String FIELD_TOO_LONG = "field-too-long";
    public static final String OUT_OF_RANGE = "out-of-range";
    /** A record whose value, key or headers are over {@link #MAX_VALUE_BYTES}, {@link #MAX_KEY_BYTES}, {@link #MAX_HEADER_BYTES}. */
    public static final String TOO_LARGE = "too-large";

    private InputLimits() {
    }

    /** Why a record was refused: a reason code and a sentence. */
    public record Problem(String reason, String message) {
    }

    /** Null when the id is present, at most {@link #MAX_ID_BYTES} bytes and printable as itself; else the problem. */
    public static Problem id(String id, String what) {
        if (id == null || id.isBlank()) {
            return new Problem(MISSING_ID, what + " is empty");
        }
        int bytes = utf8Length(id);
        if (bytes > MAX_ID_BYTES) {
            return new Problem(ID_TOO_LONG, what + " has " + bytes + " UTF-8 bytes (at most " + MAX_ID_BYTES
                    + "), starting '" + printable(id, 32) + "'");
        }
        String bad = badCharacter(id);
        if (bad != null) {
            return new Problem(INVALID_ID, what + " '" + printable(id, 64) + "' holds " + bad);
        }
        return null;
    }

    /** Null when a record's value and key are within {@link #MAX_VALUE_BYTES} and {@link #MAX_KEY_BYTES}. */
    public static Problem recordSize(byte[] key, byte[] value) {
        if (value != null && value.length > MAX_VALUE_BYTES) {
            return new Problem(TOO_LARGE, "the value has " + value.length + " bytes (at most " + MAX_VALUE_BYTES + ")");
        }
        if (key != null && key.length > MAX_KEY_BYTES) {
            return new Problem(TOO_LARGE, "the key has " + key.length + " bytes (at most " + MAX_KEY_BYTES + ")");
        }
        return null;
    }

    /** Null when an optional string is absent or at most {@code maxBytes} UTF-8 bytes. */
    public static Problem text(CharSequence value, String field, int maxBytes) {
        if (value == null) {
            return null;
        }
        int bytes = utf8Length(value);
        return bytes <= maxBytes ? null
                : new Problem(FIELD_TOO_LONG, field + " has " + bytes + " UTF-8 bytes (at most " + maxBytes + ")");
    }

    /** Null when a list has at most {@code max} items. */
    public static Problem size(List<?> list, String field, int max) {
        return list == null || list.size() <= max ? null
                : new Problem(FIELD_TOO_LONG, field + " has " + list.size() + " items (at most " + max + ")");
    }

    /** Null when a string map has at most {@link #MAX_MAP_ENTRIES} entries, short keys and values of at most {@code maxValueBytes}. */
    public static Problem map(Map<? extends CharSequence, ?> map, String field, int maxValueBytes) {
        if (map == null) {
            return null;
        }
        if (map.size() > MAX_MAP_ENTRIES) {
            return new Problem(FIELD_TOO_LONG, field + " has " + map.size() + " entries (at most " + MAX_MAP_ENTRIES + ")");
        }
        for (Map.Entry<? extends CharSequence, ?> e : map.entrySet()) {
            Problem p = text(e.getKey(), field + " key", MAX_NAME_BYTES);
            if (p == null && e.getValue() instanceof CharSequence v) {
                p = text(v, field + "[" + printable(e.getKey().toString(), 32) + "]", maxValueBytes);
            }
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** Every bound of an event, its id first. */
    public static Problem event(UnlabeledEvent e) {
        return first(id(e.getId(), "event id"),
                size(e.getFeatures(), "features", MAX_FEATURES),
                text(e.getFeatureSpace(), "featureSpace", MAX_NAME_BYTES),
                text(e.getPayloadUri(), "payloadUri", MAX_URI_BYTES),
                text(e.getPayloadText(), "payloadText", MAX_TEXT_BYTES),
                text(e.getStream(), "stream", MAX_NAME_BYTES),
                map(e.getAttributes(), "attributes", MAX_TEXT_BYTES));
    }

    /** Every bound of a label request, its ids first. */
    public static Problem request(LabelRequest r) {
        Problem p = first(id(r.getRequestId(), "request id"), id(r.getEventId(), "event id"),
                size(r.getFeatures(), "features", MAX_FEATURES),
                text(r.getPayloadUri(), "payloadUri", MAX_URI_BYTES),
                text(r.getPayloadText(), "payloadText", MAX_TEXT_BYTES),
                text(r.getStrategy(), "strategy", MAX_NAME_BYTES),
                map(r.getScores(), "scores", MAX_NAME_BYTES),
                size(r.getClassNames(), "classNames", MAX_CLASSES),
                text(r.getStream(), "stream", MAX_NAME_BYTES),
                map(r.getAttributes(), "attributes", MAX_TEXT_BYTES));
        if (p != null) {
            return p;
        }
        for (CharSequence name : r.getClassNames()) {
            p = text(name, "a class name", MAX_NAME_BYTES);
            if (p != null) {
                return p;
            }
        }
        if (r.getNumClasses() > MAX_CLASSES) {
            return new Problem(OUT_OF_RANGE, "numClasses " + r.getNumClasses() + " is over " + MAX_CLASSES);
        }
        return null;
    }

    /** Every bound of a worker's answer. */
    public static Problem answer(LabelAnswer a) {
        Problem p = first(id(a.getRequestId(), "request id"), id(a.getWorkerId(), "worker id"));
        if (p != null) {
            return p;
        }
        if (a.getEventId() != null && !a.getEventId().isEmpty()) {
            p = id(a.getEventId(), "event id");
            if (p != null) {
                return p;
            }
        }
        Double c = a.getConfidence();
        if (c != null && !(c >= 0 && c <= 1)) {
            return new Problem(OUT_OF_RANGE, "confidence " + c + " is outside [0, 1]");
        }
        return null;
    }

    /** Every bound of a consolidated label. */
    public static Problem label(ConsolidatedLabel c) {
        Problem p = first(id(c.getEventId(), "event id"),
                size(c.getFeatures(), "features", MAX_FEATURES),
                text(c.getMethod(), "method", MAX_NAME_BYTES),
                text(c.getCloseReason(), "closeReason", MAX_NAME_BYTES));
        if (p == null && c.getRequestId() != null) {
            p = id(c.getRequestId(), "request id");
        }
        return p;
    }

    /** The first non-null problem. */
    public static Problem first(Problem... problems) {
        for (Problem p : problems) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** UTF-8 length without encoding (an unpaired surrogate counts as the 3 bytes of its replacement). */
    public static int utf8Length(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** A description of the first character an id may not hold, or null. */
    static String badCharacter(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            String what = null;
            if (Character.getType(cp) == Character.CONTROL) {
                what = "a control character";
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                what = "an unpaired surrogate";
            } else if (cp == 0xFFFD) {
                what = "U+FFFD (malformed UTF-8)";
            } else if (cp == 0x200E || cp == 0x200F || cp == 0x061C || (cp >= 0x202A && cp <= 0x202E)
                    || (cp >= 0x2066 && cp <= 0x2069)) {
                what = "a bidirectional control";
            }
            if (what != null) {
                return what + String.format(" (U+%04X at index %d)", cp, i);
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    /** At most {@code max} characters, anything unprintable as \\uXXXX, for messages and logs. */
    public static String printable(String s, int max) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == 0xFFFD || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.CONTROL) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > max) {
            b.append("...");
        }
        return b.toString();
    }
}
