package io.alstream.connectors.broker.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Record headers the broker relies on. Inputs are funnelled into one partition before the broker
 * processor sees them, so the kind of record and where it was first read travel as headers (a dead
 * letter must name the original topic and offset, not the internal repartition topic).
 */
public final class BrokerHeaders {
    /** request | answer | command */
    public static final String KIND = "alstream.broker.kind";
    public static final String ORIGIN_TOPIC = "alstream.origin.topic";
    public static final String ORIGIN_PARTITION = "alstream.origin.partition";
    public static final String ORIGIN_OFFSET = "alstream.origin.offset";
    /** Set by the HTTP API on an answer it writes: the topology replies under this id. */
    public static final String CORRELATION = "alstream.correlation";

    /**
     * Set by the tagger on a record over the input bounds (InputLimits): why. The value was cut to what a dead letter
     * keeps, the key too, and the record's own headers dropped, so the record fits the repartition topic and the
     * processor dead-letters it as {@code too-large}.
     */
    public static final String OVERSIZE = "alstream.oversize";

    public static final String KIND_REQUEST = "request";
    public static final String KIND_ANSWER = "answer";
    public static final String KIND_COMMAND = "command";

    private BrokerHeaders() {
    }

    public static String string(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    public static long longValue(Headers headers, String key, long otherwise) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null || h.value().length != Long.BYTES ? otherwise : ByteBuffer.wrap(h.value()).getLong();
    }

    public static void putString(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    public static void putLong(Headers headers, String key, long value) {
        headers.remove(key);
        headers.add(key, ByteBuffer.allocate(Long.BYTES).putLong(value).array());
    }
}
