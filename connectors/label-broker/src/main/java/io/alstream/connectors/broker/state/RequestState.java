package io.alstream.connectors.broker.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.alstream.connectors.broker.aggregation.Vote;

/**
 * The broker's mutable view of one label request: the answers accepted so far, the leases handed
 * out, how many answers it currently wants, and whether it is closed. The request itself (features,
 * payload) sits in its own store; this record is what every lease and answer reads and rewrites.
 * When closed it shrinks to the outcome and is kept for {@code closedRetention}, so a re-sent
 * request or a late answer is still recognised.
 */
public final class RequestState {
    public enum Status { OPEN, CLOSED }

    private String requestId;
    private String eventId;
    private int numClasses;
    private double priority;
    private long createdAt;
    private long deadline;
    private Integer goldLabel;
    private int wanted;
    private int maxAnswers;
    private List<AnswerEntry> answers = new ArrayList<>();
    private Map<String, Lease> leases = new LinkedHashMap<>();
    private Status status = Status.OPEN;
    private long closedAt;
    private Integer label;
    private String closeReason;
    private int numAnswers;
    /** Whether answers disagreed at least once, so more were asked for than at first. */
    private boolean disagreed;

    private RequestState() {
    }

    public RequestState(String requestId, String eventId, int numClasses, double priority, long createdAt,
                        long deadline, Integer goldLabel, int wanted, int maxAnswers) {
        this.requestId = requestId;
        this.eventId = eventId;
        this.numClasses = numClasses;
        this.priority = priority;
        this.createdAt = createdAt;
        this.deadline = deadline;
        this.goldLabel = goldLabel;
        this.wanted = wanted;
        this.maxAnswers = maxAnswers;
    }

    public String requestId() {
        return requestId;
    }

    public String eventId() {
        return eventId;
    }

    public int numClasses() {
        return numClasses;
    }

    public double priority() {
        return priority;
    }

    public long createdAt() {
        return createdAt;
    }

    public long deadline() {
        return deadline;
    }

    public Integer goldLabel() {
        return goldLabel;
    }

    public boolean isGold() {
        return goldLabel != null;
    }

    /** Answers the item currently wants (k, raised while answers disagree). */
    public int wanted() {
        return wanted;
    }

    public int maxAnswers() {
        return maxAnswers;
    }

    public Status status() {
        return status;
    }

    public boolean isOpen() {
        return status == Status.OPEN;
    }

    public long closedAt() {
        return closedAt;
    }

    /** The emitted label; null while open or when closed unlabelled. */
    public Integer label() {
        return label;
    }

    public String closeReason() {
        return closeReason;
    }

    public List<AnswerEntry> answers() {
        return Collections.unmodifiableList(answers);
    }

    /** Answers accepted, also after close (when the answer list itself is dropped). */
    public int answerCount() {
        return status == Status.OPEN ? answers.size() : numAnswers;
    }

    public List<Vote> votes() {
        List<Vote> v = new ArrayList<>(answers.size());
        for (AnswerEntry a : answers) {
            v.add(new Vote(a.workerId(), a.label()));
        }
        return v;
    }

    public Map<String, Lease> leases() {
        return Collections.unmodifiableMap(leases);
    }

    public Lease lease(String workerId) {
        return leases.get(workerId);
    }

    public boolean hasAnswerFrom(String workerId) {
        for (AnswerEntry a : answers) {
            if (a.workerId().equals(workerId)) {
                return true;
            }
        }
        return false;
    }

    public int activeLeases() {
        int n = 0;
        for (Lease l : leases.values()) {
            if (l.isActive()) {
                n++;
            }
        }
        return n;
    }

    /** Open and short of answers even counting the leases out: it belongs in the queue. */
    public boolean needsWorkers() {
        return isOpen() && answers.size() + activeLeases() < wanted;
    }

    /**
     * Whether this worker may be given the item: not one it answered, holds, or gave back (a worker
     * who released a task skipped it; offering it again at once would only bounce).
     */
    public boolean canBeLeasedBy(String workerId) {
        if (!needsWorkers() || hasAnswerFrom(workerId)) {
            return false;
        }
        Lease l = leases.get(workerId);
        return l == null || l.status() == Lease.Status.EXPIRED;
    }

    public Lease grantLease(String workerId, long now, long expiresAt) {
        Lease l = new Lease(now, expiresAt);
        leases.put(workerId, l);
        return l;
    }

    /** A lease that ends at {@code expiresAt} unless confirmed by {@link #confirmLease}, then at {@code promisedUntil}. */
    public Lease grantLease(String workerId, long now, long expiresAt, long promisedUntil) {
        Lease l = new Lease(now, expiresAt, promisedUntil);
        leases.put(workerId, l);
        return l;
    }

    /**
     * The worker got its task: the lease runs to its promised end. A lease that ran out before the
     * confirmation came is taken up again if nobody took the worker's place meanwhile.
     *
     * @return the lease, now active, or null if there is no lease to confirm
     */
    public Lease confirmLease(String workerId) {
        Lease l = leases.get(workerId);
        if (l == null || !isOpen() || l.confirmed()) {
            return l != null && l.isActive() ? l : null;
        }
        if (l.isActive() || (l.status() == Lease.Status.EXPIRED && needsWorkers())) {
            l.confirm();
            return l;
        }
        return null;
    }

    /** The answer this worker gave, or null. */
    public AnswerEntry answerFrom(String workerId) {
        for (AnswerEntry a : answers) {
            if (a.workerId().equals(workerId)) {
                return a;
            }
        }
        return null;
    }

    /**
     * Whether this worker could still be asked for an answer: it has not answered and not released
     * the item, and holds no lease now (a lease held means the item is not stranded).
     */
    public boolean couldStillBeAskedOf(String workerId) {
        if (hasAnswerFrom(workerId)) {
            return false;
        }
        Lease l = leases.get(workerId);
        return l == null || l.status() == Lease.Status.EXPIRED;
    }

    public void endLease(String workerId, Lease.Status how) {
        Lease l = leases.get(workerId);
        if (l != null) {
            l.end(how);
        }
    }

    public void addAnswer(AnswerEntry a) {
        answers.add(a);
        endLease(a.workerId(), Lease.Status.ANSWERED);
    }

    /** Dynamic redundancy: one more answer, as long as the cap allows. Returns false at the cap. */
    public boolean raiseWanted() {
        if (answers.size() >= maxAnswers) {
            return false;
        }
        wanted = Math.max(wanted, answers.size() + 1);
        disagreed = true;
        return true;
    }

    /** Whether the item had the answers it first wanted and they disagreed (so more were asked for). */
    public boolean disagreed() {
        return disagreed;
    }

    /** Closes the request and drops what only an open request needs; the outcome stays. */
    public void close(long now, Integer label, String reason) {
        this.numAnswers = answers.size();
        this.status = Status.CLOSED;
        this.closedAt = now;
        this.label = label;
        this.closeReason = reason;
        this.answers = new ArrayList<>();
        this.leases = new LinkedHashMap<>();
    }
}
