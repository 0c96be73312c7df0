package io.alstream.flink.validate;

import java.util.List;

import io.alstream.flink.records.DeadLetterRecord.Reasons;

/** Checks a feature vector before it reaches the model: its length and that every value is finite. */
final class FeatureChecks {
    private FeatureChecks() {
    }

    /** Null when the vector is fine, else {reason, message}. */
    static String[] problem(List<Float> features, int expectedDim) {
        if (features == null || features.size() != expectedDim) {
            return new String[] {Reasons.WRONG_DIMENSION,
                    "features has " + (features == null ? "no" : features.size()) + " values, expected " + expectedDim};
        }
        for (int i = 0; i < features.size(); i++) {
            Float v = features.get(i);
            if (v == null || !Float.isFinite(v)) {
                return new String[] {Reasons.NON_FINITE, "features[" + i + "] is " + v};
            }
        }
        return null;
    }

    static float[] toArray(List<Float> features) {
        float[] a = new float[features.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = features.get(i);
        }
        return a;
    }
}
