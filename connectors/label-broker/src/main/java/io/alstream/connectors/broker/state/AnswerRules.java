package io.alstream.connectors.broker.state;

/**
 * Whether an answer may be folded into a request. One rule set, used twice: by the HTTP API on its
 * read of the store (to answer the worker at once, before anything is written) and by the topology,
 * whose verdict is the one that counts (it sees every answer in order, including those that raced).
 */
public final class AnswerRules {
    private final boolean acceptUnleasedAnswers;

    public AnswerRules(boolean acceptUnleasedAnswers) {
        this.acceptUnleasedAnswers = acceptUnleasedAnswers;
    }

    /**
     * @param state      the request's state, or null if the broker never saw it (or forgot it after retention)
     * @param answeredAt when the worker answered; compared with the lease's expiry, not with the time the
     *                   topology reads the answer, so an answer given in time but still in flight when the
     *                   lease ran out is kept
     * @param eventId    the answer's event id, or null when the caller takes it from the state
     * @return null if the answer is acceptable
     */
    public Rejection check(RequestState state, String workerId, String eventId, int label, long answeredAt) {
        if (state == null) {
            return new Rejection(RejectReason.UNKNOWN_REQUEST, "no such label request");
        }
        if (!state.isOpen()) {
            return new Rejection(RejectReason.REQUEST_CLOSED, "the request is closed ("
                    + (state.closeReason() != null ? state.closeReason() : "labelled") + ")");
        }
        if (eventId != null && !eventId.equals(state.eventId())) {
            return new Rejection(RejectReason.EVENT_MISMATCH, "event id " + eventId + " is not the request's " + state.eventId());
        }
        if (label < 0 || label >= state.numClasses()) {
            return new Rejection(RejectReason.LABEL_OUT_OF_RANGE,
                    "label " + label + " is outside [0, " + state.numClasses() + ")");
        }
        if (state.hasAnswerFrom(workerId)) {
            return new Rejection(RejectReason.DUPLICATE_ANSWER, "worker " + workerId + " already answered this request");
        }
        Lease lease = state.lease(workerId);
        if (lease == null) {
            return acceptUnleasedAnswers ? null
                    : new Rejection(RejectReason.NO_LEASE, "worker " + workerId + " holds no lease on this request");
        }
        if (lease.status() == Lease.Status.RELEASED) {
            return new Rejection(RejectReason.LEASE_RELEASED, "worker " + workerId + " released this request");
        }
        // Judged against the expiry the worker was shown: a lease not yet confirmed runs out early in the
        // queue (so an undelivered task comes back), but a worker who did get it keeps its full time.
        if (answeredAt > lease.promisedUntil()) {
            return new Rejection(RejectReason.LEASE_EXPIRED, "the lease expired at " + java.time.Instant.ofEpochMilli(lease.promisedUntil())
                    + ", the answer came at " + java.time.Instant.ofEpochMilli(answeredAt));
        }
        return null;
    }
}
