package io.alstream.connectors.broker.aggregation;

import java.util.HashMap;
import java.util.Map;

/** A {@link WorkerModelStore} in a map: for tests, benchmarks and offline use. */
public final class InMemoryWorkerModels implements WorkerModelStore {
    private final Map<String, WorkerModel> models = new HashMap<>();
    private final Map<Integer, ClassPrior> priors = new HashMap<>();

    @Override
    public WorkerModel get(int numClasses, String workerId) {
        return models.get(numClasses + "/" + workerId);
    }

    @Override
    public void put(int numClasses, String workerId, WorkerModel model) {
        models.put(numClasses + "/" + workerId, model);
    }

    @Override
    public ClassPrior classPrior(int numClasses) {
        return priors.get(numClasses);
    }

    @Override
    public void putClassPrior(int numClasses, ClassPrior prior) {
        priors.put(numClasses, prior);
    }
}
