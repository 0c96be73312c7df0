package io.alstream.connectors.broker.state;

/**
 * One worker's hold on one request. Kept after it ends so late or repeated input can be judged.
 *
 * <p>A lease is granted short ({@code deliveryLease}) and becomes the full lease the worker was
 * promised only once the HTTP API confirms it handed the task over: a lease whose reply never reached
 * its worker (the broker crashed in between, the connection broke) returns the task to the queue
 * within seconds instead of holding it for the whole lease.
 */
public final class Lease {
    /** ACTIVE counts against the answers an item still wants; the others only remember what happened. */
    public enum Status { ACTIVE, ANSWERED, EXPIRED, RELEASED }

    private long grantedAt;
    private long expiresAt;
    private Status status;
    /** The expiry the worker was told; 0 in state written before leases were confirmed (then expiresAt is it). */
    private long promisedUntil;
    private boolean confirmed;

    private Lease() {
    }

    /** A lease held in full at once (already delivered). */
    public Lease(long grantedAt, long expiresAt) {
        this(grantedAt, expiresAt, expiresAt);
        this.confirmed = true;
    }

    /** A lease that ends at {@code expiresAt} unless confirmed, then at {@code promisedUntil}. */
    public Lease(long grantedAt, long expiresAt, long promisedUntil) {
        this.grantedAt = grantedAt;
        this.expiresAt = expiresAt;
        this.promisedUntil = promisedUntil;
        this.status = Status.ACTIVE;
    }

    /** The expiry the worker was shown: answers given until then are in time. */
    public long promisedUntil() {
        return Math.max(expiresAt, promisedUntil);
    }

    /** Whether the HTTP API confirmed that the worker got the task. */
    public boolean confirmed() {
        return confirmed;
    }

    /** The worker got the task: it holds it until the promised expiry. Active again if it ran out meanwhile. */
    void confirm() {
        confirmed = true;
        expiresAt = promisedUntil();
        if (status == Status.EXPIRED) {
            status = Status.ACTIVE;
        }
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
