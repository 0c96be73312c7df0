package io.alstream.connectors.broker.topology;

/**
 * A worker's request that changes broker state, written by the HTTP API to the commands topic and
 * applied by the topology, which answers on the replies topic under {@code commandId}.
 */
public class BrokerCommand {
    public static final String LEASE = "lease";
    public static final String RELEASE = "release";
    /** The HTTP API handed the leased task to its worker: the lease runs in full. Not replied to. */
    public static final String CONFIRM = "confirm";
    /** The HTTP API refused an answer itself (it never reached the topology): count it in the worker's stats. Not replied to. */
    public static final String REJECTED = "rejected";

    public String type;
    public String commandId;
    public String workerId;
    /** The task to release; unset for a lease. */
    public String requestId;
    /** For {@link #REJECTED}: the reject code. */
    public String reason;
    /** When the HTTP API sent it (epoch millis): older than the command timeout means its caller gave up. */
    public long sentAt;

    public BrokerCommand() {
    }

    public static BrokerCommand lease(String commandId, String workerId, long sentAt) {
        BrokerCommand c = new BrokerCommand();
        c.type = LEASE;
        c.commandId = commandId;
        c.workerId = workerId;
        c.sentAt = sentAt;
        return c;
    }

    public static BrokerCommand release(String commandId, String workerId, String requestId, long sentAt) {
        BrokerCommand c = lease(commandId, workerId, sentAt);
        c.type = RELEASE;
        c.requestId = requestId;
        return c;
    }

    public static BrokerCommand confirm(String commandId, String workerId, String requestId, long sentAt) {
        BrokerCommand c = release(commandId, workerId, requestId, sentAt);
        c.type = CONFIRM;
        return c;
    }

    public static BrokerCommand rejected(String commandId, String workerId, String requestId, String reason, long sentAt) {
        BrokerCommand c = release(commandId, workerId, requestId, sentAt);
        c.type = REJECTED;
        c.reason = reason;
        return c;
    }
}
