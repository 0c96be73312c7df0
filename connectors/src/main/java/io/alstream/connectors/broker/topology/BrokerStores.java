package io.alstream.connectors.broker.topology;

/** Names of the broker's state stores (each backed by a changelog topic {@code <applicationId>-<name>-changelog}). */
public final class BrokerStores {
    /** requestId → LabelRequest, while open. */
    public static final String REQUESTS = "broker-requests";
    /** requestId → RequestState (answers, leases, k; the outcome once closed). */
    public static final String REQUEST_STATE = "broker-request-state";
    /** "K/workerId" → WorkerModel. */
    public static final String WORKER_MODELS = "broker-worker-models";
    /** "K" → ClassPrior. */
    public static final String CLASS_PRIORS = "broker-class-priors";
    /** workerId → WorkerStats. */
    public static final String WORKER_STATS = "broker-worker-stats";

    private BrokerStores() {
    }

    public static String modelKey(int numClasses, String workerId) {
        return numClasses + "/" + workerId;
    }
}
