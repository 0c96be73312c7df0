package io.alstream.connectors.broker.state;

/** One worker's hold on one request. Kept after it ends so late or repeated input can be judged. */
public final class Lease {
    /** ACTIVE counts against the answers an item still wants; the others only remember what happened. */
    public enum Status { ACTIVE, ANSWERED, EXPIRED, RELEASED }

    private long grantedAt;
    private long expiresAt;
    private Status status;

    private Lease() {
    }

    public Lease(long grantedAt, long expiresAt) {
        this.grantedAt = grantedAt;
        this.expiresAt = expiresAt;
        this.status = Status.ACTIVE;
    }

    public long grantedAt() {
        return grantedAt;
    }

    public long expiresAt() {
        return expiresAt;
    }

    public Status status() {
        return status;
    }

    public boolean isActive() {
        return status == Status.ACTIVE;
    }

    void end(Status how) {
        this.status = how;
    }
}
