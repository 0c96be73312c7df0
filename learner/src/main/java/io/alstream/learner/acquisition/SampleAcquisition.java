package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;

/**
 * An acquisition function computed from posterior probability samples alone (DESIGN 4.3): balent, bald,
 * entropy, margin, least-confident, variation ratios, MeanSD, random. Higher = more informative. Every
 * implementation is a pure function of (each candidate's samples, its key, the seed), so scoring a batch
 * whole or in pieces gives the same numbers.
 */
public interface SampleAcquisition {
    /** The name used in configs, JSON and metrics. */
    String name();

    /** Scores [B] as a new array in the samples' type (registered in the caller's NDScope). */
    NDArray score(ProbabilitySamples samples);
}
