package io.alstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alstream.learner.acquisition.Acquisitions;
import io.alstream.learner.acquisition.ProbabilitySamples;
import io.alstream.learner.acquisition.SampleAcquisition;
import io.alstream.learner.util.ComputeDevice;
import io.alstream.learner.util.SplitMix64;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores MC samples of class probabilities from any model with the sample-based acquisition functions
 * (the {@code alstream acquire} command). Input: {@code {"probs": [N][S][K]}}, each sample a probability
 * vector (entries in [0,1], summing to 1 within 1e-3). Output:
 * <pre>{"n":N,"samples":S,"classes":K,"seed":seed,"functions":[...],"scores":{"balent":[...N...],...}}</pre>
 * in float64; non-finite values are written as the strings "NaN", "Infinity", "-Infinity". Malformed input
 * raises IllegalArgumentException with a sentence saying what is wrong and where.
 */
public final class AcquireTool {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double SUM_TOLERANCE = 1e-3;

    private AcquireTool() { }

    public static void run(Reader jsonIn, List<String> functions, long seed, Writer jsonOut) {
        if (functions == null || functions.isEmpty()) {
            throw new IllegalArgumentException("name at least one acquisition function; sample-based ones are "
                    + Acquisitions.sampleBasedNames());
        }
        List<SampleAcquisition> fs = new ArrayList<>();
        for (String f : functions) {
            fs.add(Acquisitions.sampleBased(f));
        }
        JsonNode root;
        try {
            root = JSON.readTree(jsonIn);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("the input is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject() || !root.has("probs")) {
            throw new IllegalArgumentException("the input must be a JSON object with a \"probs\" field holding [N][S][K] probabilities");
        }
        JsonNode probs = root.get("probs");
        if (!probs.isArray()) {
            throw new IllegalArgumentException("\"probs\" must be an array of points, each an array of samples of K probabilities");
        }
        int n = probs.size();
        int s = -1;
        int k = -1;
        double[] flat = null;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            JsonNode point = probs.get(i);
            if (!point.isArray() || point.size() == 0) {
                throw new IllegalArgumentException("point " + i + " must be a non-empty array of samples");
            }
            if (s < 0) {
                s = point.size();
            } else if (point.size() != s) {
                throw new IllegalArgumentException("point " + i + " has " + point.size() + " samples but point 0 has " + s);
            }
            long key = SplitMix64.mix(s); // content-keyed: independent of the point's position
            for (int j = 0; j < s; j++) {
                JsonNode sample = point.get(j);
                if (!sample.isArray() || sample.size() == 0) {
                    throw new IllegalArgumentException("point " + i + ", sample " + j + " must be a non-empty array of class probabilities");
                }
                if (k < 0) {
                    k = sample.size();
                    flat = new double[n * s * k];
                } else if (sample.size() != k) {
                    throw new IllegalArgumentException("point " + i + ", sample " + j + " has " + sample.size()
                            + " classes but the first sample has " + k);
                }
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    JsonNode v = sample.get(c);
                    if (!v.isNumber()) {
                        throw new IllegalArgumentException("point " + i + ", sample " + j + ", class " + c + " is not a number: " + v);
                    }
                    double p = v.asDouble();
                    if (!(p >= 0 && p <= 1)) {
                        throw new IllegalArgumentException("point " + i + ", sample " + j + ", class " + c
                                + " is " + p + ", not a probability in [0, 1]");
                    }
                    sum += p;
                    flat[(i * s + j) * k + c] = p;
                    key = SplitMix64.mix(key + Double.doubleToLongBits(p));
                }
                if (Math.abs(sum - 1) > SUM_TOLERANCE) {
                    throw new IllegalArgumentException("point " + i + ", sample " + j + " sums to " + sum + ", not 1");
                }
            }
            keys[i] = key;
        }
        List<double[]> results = new ArrayList<>();
        if (n > 0) {
            try (NDManager m = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch");
                 NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray p = m.create(flat, new Shape(n, s, k)).toType(DataType.FLOAT64, false);
                ProbabilitySamples samples = new ProbabilitySamples(p, keys, seed);
                for (SampleAcquisition f : fs) {
                    results.add(f.score(samples).toType(DataType.FLOAT64, false).toDoubleArray());
                }
            }
        }
        try {
            JsonGenerator g = new JsonFactory().createGenerator(jsonOut);
            g.writeStartObject();
            g.writeNumberField("n", n);
            g.writeNumberField("samples", Math.max(s, 0));
            g.writeNumberField("classes", Math.max(k, 0));
            g.writeNumberField("seed", seed);
            g.writeArrayFieldStart("functions");
            for (SampleAcquisition f : fs) {
                g.writeString(f.name());
            }
            g.writeEndArray();
            g.writeObjectFieldStart("scores");
            for (int f = 0; f < fs.size(); f++) {
                g.writeArrayFieldStart(fs.get(f).name());
                if (n > 0) {
                    for (double v : results.get(f)) {
                        if (Double.isFinite(v)) {
                            g.writeNumber(v);
                        } else {
                            g.writeString(Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
                        }
                    }
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
