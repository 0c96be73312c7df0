package io.alstream.connectors.broker.state;

/** Which lease: a worker's on a request. */
public record LeaseKey(String requestId, String workerId) implements Comparable<LeaseKey> {
    @Override
    public int compareTo(LeaseKey o) {
        int c = requestId.compareTo(o.requestId);
        return c != 0 ? c : workerId.compareTo(o.workerId);
    }
}
