package io.alstream.connectors.broker.api;

import java.util.Map;

/** GET .../stats: a worker's counters and the broker's estimate of its quality. */
public class WorkerStatsView {
    public String workerId;
    public long leases;
    public long answersAccepted;
    public Map<String, Long> answersRejected;
    public long leasesExpired;
    public long leasesReleased;
    /** Share of its answers on labelled items that matched the label; null before any. */
    public Double agreementRate;
    public long goldAnswers;
    public long goldCorrect;
    public String method;
    /** One estimate per class count the worker has answered for (usually one). */
    public Map<String, ModelView> models;

    /** The aggregation model of a worker for one class count K. */
    public static class ModelView {
        public int numClasses;
        /** Answers folded into the model (gold answers included). */
        public long answers;
        public long goldAnswers;
        /** Σ_j π_j θ[j][j] (full Dawid–Skene) or the pooled accuracy (one-coin). */
        public double estimatedAccuracy;
        /** θ[true][answered], rows sum to 1. */
        public double[][] confusion;
    }
}
