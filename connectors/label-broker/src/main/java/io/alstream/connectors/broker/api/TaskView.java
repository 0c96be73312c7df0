package io.alstream.connectors.broker.api;

import java.util.List;
import java.util.Map;

/**
 * What a worker sees of a leased task: what to label and until when it holds it. Never the other
 * workers' answers, the scores that selected it, or a gold label.
 */
public class TaskView {
    public String requestId;
    public String eventId;
    public int numClasses;
    public List<String> classNames;
    public float[] features;
    public String payloadUri;
    public String payloadText;
    public String stream;
    public Map<String, String> attributes;
    public double priority;
    public long createdAt;
    public long deadline;
    /** Epoch millis after which an answer to this lease is refused. */
    public long leaseExpiresAt;
}
