package io.alstream.connectors.broker.aggregation;

/**
 * Where worker models and class priors live, per class count K. In the broker it is a Kafka Streams
 * key-value store (so the models survive a restart through the changelog); in tests and benchmarks a map.
 */
public interface WorkerModelStore {
    /** The worker's model for K classes, or null if it has none yet. */
    WorkerModel get(int numClasses, String workerId);

    void put(int numClasses, String workerId, WorkerModel model);

    /** The class prior for K classes, or null if none yet. */
    ClassPrior classPrior(int numClasses);

    void putClassPrior(int numClasses, ClassPrior prior);
}
