package io.alstream.flink.records;

import java.util.HashMap;
import java.util.Map;

/** A validated UnlabeledEvent, as it travels between operators (a Flink POJO, not Avro). */
public class EventRecord {
    public String id;
    public long eventTime;
    public float[] features;
    public String payloadUri;
    public String payloadText;
    public String stream;
    public Map<String, String> attributes = new HashMap<>();
    /** Where it came from, for tracing. */
    public String source;

    public EventRecord() {
    }
}
