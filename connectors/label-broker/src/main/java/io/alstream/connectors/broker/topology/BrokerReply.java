package io.alstream.connectors.broker.topology;

import io.alstream.connectors.broker.api.TaskView;

/** The topology's answer to a command or to an answer that carried a correlation header. */
public class BrokerReply {
    /** A lease was granted; {@link #task} holds it. */
    public static final String GRANTED = "granted";
    /** No task for this worker now. */
    public static final String EMPTY = "empty";
    public static final String RELEASED = "released";
    public static final String ACCEPTED = "accepted";
    /** Refused; {@link #reason} is the reject code. */
    public static final String REJECTED = "rejected";
    /** The command arrived after its caller's timeout and was dropped. */
    public static final String STALE = "stale";

    public String correlationId;
    public String outcome;
    public String reason;
    public String message;
    public TaskView task;

    public BrokerReply() {
    }

    public BrokerReply(String correlationId, String outcome, String reason, String message, TaskView task) {
        this.correlationId = correlationId;
        this.outcome = outcome;
        this.reason = reason;
        this.message = message;
        this.task = task;
    }
}
