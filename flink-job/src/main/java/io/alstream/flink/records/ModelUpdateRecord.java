package io.alstream.flink.records;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the trainer reports after a model change; written to the model-updates topic as ModelUpdate. */
public class ModelUpdateRecord {
    public String modelId = "default";
    public long version;
    public long labelsFolded;
    public int kernelSize;
    public int pending;
    public int refreshCount;
    public Double prequentialAccuracy;
    public Double budgetSpent;
    public String trigger;
    public long createdAt;
    public Long lastLabelAt;
    public List<String> foldedEventIds = new ArrayList<>();
    public Map<String, Double> metrics = new HashMap<>();

    public ModelUpdateRecord() {
    }
}
