package io.alstream.connectors.broker.topology;

/** Names of the broker's state stores (each backed by a changelog topic {@code <applicationId>-<name>-changelog}). */
public final class BrokerStores {
    /** requestId → LabelRequest, while open. */
    public static final String REQUESTS = "broker-requests";
    /** requestId → RequestState (answers, leases, k; the outcome once closed). */
    public static final String REQUEST_STATE = "broker-request-state";
    /** "workerId/K" → WorkerModel (keyed by worker first, so one worker's models are one prefix scan). */
    public static final String WORKER_MODELS = "broker-worker-models";
    /** "K" → ClassPrior. */
    public static final String CLASS_PRIORS = "broker-class-priors";
    /** requestId → ParkedAnswers: answers that came before their request. */
    public static final String PARKED_ANSWERS = "broker-parked-answers";
    /** workerId → WorkerStats. */
    public static final String WORKER_STATS = "broker-worker-stats";

    private BrokerStores() {
    }

    public static String modelKey(int numClasses, String workerId) {
        return workerId + "/" + numClasses;
    }

    /** The worker of a model key, or null if the key is not one. */
    public static String workerOfModelKey(String key) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? null : key.substring(0, slash);
    }

    /** The class count of a model key. */
    public static int classesOfModelKey(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
    }
}
