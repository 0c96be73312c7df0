package io.alstream.flink.records;

import java.util.HashMap;
import java.util.Map;

/** A label request chosen by the selection step; written to the label-requests topic as LabelRequest. */
public class RequestRecord {
    public String requestId;
    public String eventId;
    public float[] features;
    public String payloadUri;
    public String payloadText;
    public String strategy;
    public double score;
    public Map<String, Double> scores = new HashMap<>();
    public long modelVersion;
    public double priority;
    public long createdAt;
    public long deadline;
    public int redundancy;
    public String stream;
    public Map<String, String> attributes = new HashMap<>();
    /** The scoring shard's key and its budget counts when it made this request (this request included). */
    public Integer shard;
    public Long shardEventsSeen;
    public Long shardLabelsRequested;

    public RequestRecord() {
    }
}
