package io.alstream.connectors.broker.state;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counters per worker, kept in a state store: what the stats endpoint reports besides the model
 * estimates. Agreement is counted when an item the worker answered is labelled by the crowd.
 */
public final class WorkerStats {
    private String workerId;
    private long leases;
    private long answersAccepted;
    private long leasesExpired;
    private long leasesReleased;
    private long agreedWithLabel;
    private long scoredAgainstLabel;
    private long goldAnswers;
    private long goldCorrect;
    private long lastAnswerAt;
    /** When the worker last asked for a task or answered (epoch millis, to {@link #SEEN_GRANULARITY_MS}). */
    private long lastSeenAt;
    private Map<String, Long> rejected = new TreeMap<>();

    private WorkerStats() {
    }

    public WorkerStats(String workerId) {
        this.workerId = workerId;
    }

    public String workerId() {
        return workerId;
    }

    /** lastSeenAt is rewritten at most this often, so an idle worker polling for tasks does not write state each time. */
    public static final long SEEN_GRANULARITY_MS = 5_000;

    /**
     * The worker showed up at {@code now}.
     *
     * @return whether the stored record changed (and should be written)
     */
    public boolean seen(long now) {
        if (now - lastSeenAt < SEEN_GRANULARITY_MS) {
            return false;
        }
        lastSeenAt = now;
        return true;
    }

    public long lastSeenAt() {
        return Math.max(lastSeenAt, lastAnswerAt);
    }

    public void leaseGranted() {
        leases++;
    }

    public void leaseExpired() {
        leasesExpired++;
    }

    public void leaseReleased() {
        leasesReleased++;
    }

    public void answerAccepted(long at) {
        answersAccepted++;
        lastAnswerAt = Math.max(lastAnswerAt, at);
    }

    public void answerRejected(RejectReason reason) {
        rejected.merge(reason.code(), 1L, Long::sum);
    }

    public void goldAnswer(boolean correct) {
        goldAnswers++;
        if (correct) {
            goldCorrect++;
        }
    }

    public void scoredAgainstLabel(boolean agreed) {
        scoredAgainstLabel++;
        if (agreed) {
            agreedWithLabel++;
        }
    }

    public long leases() {
        return leases;
    }

    public long answersAccepted() {
        return answersAccepted;
    }

    public long leasesExpired() {
        return leasesExpired;
    }

    public long leasesReleased() {
        return leasesReleased;
    }

    public long agreedWithLabel() {
        return agreedWithLabel;
    }

    public long scoredAgainstLabel() {
        return scoredAgainstLabel;
    }

    public long goldAnswers() {
        return goldAnswers;
    }

    public long goldCorrect() {
        return goldCorrect;
    }

    public long lastAnswerAt() {
        return lastAnswerAt;
    }

    public Map<String, Long> rejected() {
        return Map.copyOf(rejected);
    }
}
