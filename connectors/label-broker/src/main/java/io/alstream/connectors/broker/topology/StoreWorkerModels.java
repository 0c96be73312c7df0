package io.alstream.connectors.broker.topology;

import io.alstream.connectors.broker.aggregation.ClassPrior;
import io.alstream.connectors.broker.aggregation.WorkerModel;
import io.alstream.connectors.broker.aggregation.WorkerModelStore;
import org.apache.kafka.streams.state.KeyValueStore;

/** Worker models and class priors in Kafka Streams stores, so they come back from the changelog after a restart. */
final class StoreWorkerModels implements WorkerModelStore {
    private final KeyValueStore<String, WorkerModel> models;
    private final KeyValueStore<String, ClassPrior> priors;

    StoreWorkerModels(KeyValueStore<String, WorkerModel> models, KeyValueStore<String, ClassPrior> priors) {
        this.models = models;
        this.priors = priors;
    }

    @Override
    public WorkerModel get(int numClasses, String workerId) {
        return models.get(BrokerStores.modelKey(numClasses, workerId));
    }

    @Override
    public void put(int numClasses, String workerId, WorkerModel model) {
        models.put(BrokerStores.modelKey(numClasses, workerId), model);
    }

    @Override
    public ClassPrior classPrior(int numClasses) {
        return priors.get(Integer.toString(numClasses));
    }

    @Override
    public void putClassPrior(int numClasses, ClassPrior prior) {
        priors.put(Integer.toString(numClasses), prior);
    }
}
