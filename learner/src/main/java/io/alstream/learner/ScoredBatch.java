package io.alstream.learner;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores of one batch of candidates: for each configured acquisition function a double[B] (higher = more
 * informative), plus each candidate's predicted class and max probability, and the model version.
 */
public final class ScoredBatch implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long modelVersion;
    private final boolean warm;
    private final Map<String, double[]> scores;
    private final int[] predictedClass;
    private final double[] maxProbability;

    ScoredBatch(long modelVersion, boolean warm, Map<String, double[]> scores, int[] predictedClass, double[] maxProbability) {
        this.modelVersion = modelVersion;
        this.warm = warm;
        this.scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        this.predictedClass = predictedClass;
        this.maxProbability = maxProbability;
    }

    public long modelVersion() { return modelVersion; }
    /** False before the first training: the scores are finite but mean little (use warm-up selection). */
    public boolean warm() { return warm; }
    public int size() { return predictedClass.length; }
    public List<String> functions() { return List.copyOf(scores.keySet()); }

    /** Scores of one function (canonical name), or IllegalArgumentException if it was not computed. */
    public double[] scores(String function) {
        double[] s = scores.get(function);
        if (s == null) {
            throw new IllegalArgumentException("'" + function + "' was not computed; have " + scores.keySet());
        }
        return s.clone();
    }

    public Map<String, double[]> allScores() { return scores; }
    public int[] predictedClass() { return predictedClass.clone(); }
    public double[] maxProbability() { return maxProbability.clone(); }
}
