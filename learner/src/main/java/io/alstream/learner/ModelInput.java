package io.alstream.learner;

/**
 * One input of the trainer for {@link OnlineModel#apply}: a label request just sent (a pending entry), a label,
 * or a request closed without one (drop its pending entry).
 */
public final class ModelInput {
    public enum Kind { PENDING, LABEL, DROP }

    private final Kind kind;
    private final String eventId;
    private final float[] x;
    private final int label;

    private ModelInput(Kind kind, String eventId, float[] x, int label) {
        if (eventId == null) {
            throw new IllegalArgumentException("a model input needs an event id");
        }
        if (kind != Kind.DROP && x == null) {
            throw new IllegalArgumentException(kind + " input " + eventId + " has no features");
        }
        this.kind = kind;
        this.eventId = eventId;
        this.x = x;
        this.label = label;
    }

    /** A requested event held in T with its pseudo-label until its label arrives. */
    public static ModelInput pending(String eventId, float[] x) {
        return new ModelInput(Kind.PENDING, eventId, x, -1);
    }

    /** A label to fold (confirms the pending entry of the same id, if any). */
    public static ModelInput label(String eventId, float[] x, int label) {
        return new ModelInput(Kind.LABEL, eventId, x, label);
    }

    /** A request closed unlabelled: its pending entry leaves T. */
    public static ModelInput drop(String eventId) {
        return new ModelInput(Kind.DROP, eventId, null, -1);
    }

    public Kind kind() { return kind; }
    public String eventId() { return eventId; }
    float[] x() { return x; }
    public int label() { return label; }

    /**
     * What one input did. changed: a pending entry added or dropped, a label folded. fold: for labels only
     * (duplicates included). warmBefore: for labels, whether the model that made fold's prediction was trained.
     */
    public record Result(boolean changed, FoldResult fold, boolean warmBefore) { }
}
