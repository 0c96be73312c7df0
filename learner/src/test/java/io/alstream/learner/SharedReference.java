package io.alstream.learner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alstream.learner.LearnerConfig.Activation;
import io.alstream.learner.nn.MlpWeights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Loads the reference vectors (copied into this module's test resources from the project's shared
 * material; when they are missing there, {@code -Dalstream.shared=DIR} or a {@code shared/} folder above is used) and the digits data (shipped in the
 * learner jar).
 */
public final class SharedReference {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedReference() { }

    public static Path sharedDir() {
        String prop = System.getProperty("alstream.shared");
        if (prop != null && Files.isDirectory(Paths.get(prop, "vectors"))) {
            return Paths.get(prop);
        }
        Path p = Paths.get("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("shared").resolve("vectors"))) {
                return p.resolve("shared");
            }
            p = p.getParent();
        }
        fail("cannot find shared/vectors (set -Dalstream.shared=...)");
        return null;
    }

    public static JsonNode json(String name) {
        try {
            try (InputStream in = SharedReference.class.getResourceAsStream("/vectors/" + name)) {
                if (in != null) {
                    return JSON.readTree(in);
                }
            }
            return JSON.readTree(sharedDir().resolve("vectors").resolve(name).toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON number or the strings NaN/Infinity/-Infinity. */
    public static double num(JsonNode n) {
        if (n.isTextual()) {
            return Double.parseDouble(n.asText().replace("Infinity", "Infinity"));
        }
        return n.asDouble();
    }

    public static double[] vec(JsonNode n) {
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = num(n.get(i));
        }
        return v;
    }

    public static double[][] mat(JsonNode n) {
        double[][] m = new double[n.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = vec(n.get(i));
        }
        return m;
    }

    public static double[] flat(JsonNode n) {
        if (!n.isArray()) {
            return new double[] {num(n)};
        }
        java.util.List<Double> out = new java.util.ArrayList<>();
        flatten(n, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void flatten(JsonNode n, java.util.List<Double> out) {
        if (n.isArray()) {
            for (JsonNode c : n) {
                flatten(c, out);
            }
        } else {
            out.add(num(n));
        }
    }

    /** The tiny tanh MLP of ntk_lookahead_reference.json ("params" = the linearisation point). */
    public static MlpWeights lookaheadParams(JsonNode ref, String which) {
        JsonNode m = ref.get("model");
        int d = m.get("D").asInt();
        int h = m.get("H").asInt();
        int c = m.get("C").asInt();
        JsonNode p = m.get(which);
        return new MlpWeights(new int[] {d, h, c}, Activation.TANH,
                new double[][] {flat(p.get("W1")), flat(p.get("W2"))},
                new double[][] {flat(p.get("b1")), flat(p.get("b2"))});
    }

    /** digits.csv.gz: rows of 64 features (0..16) then the label. */
    public static double[][] digits() {
        try (InputStream in = new GZIPInputStream(SharedReference.class.getResourceAsStream("/datasets/digits.csv.gz"))) {
            String[] lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().split("\n");
            double[][] rows = new double[lines.length][];
            for (int i = 0; i < lines.length; i++) {
                String[] parts = lines[i].trim().split(",");
                rows[i] = new double[parts.length];
                for (int j = 0; j < parts.length; j++) {
                    rows[i][j] = Double.parseDouble(parts[j]);
                }
            }
            assertTrue(rows.length > 0);
            return rows;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** max |a-b| / max(|b|, floor) over all elements. */
    public static double maxRelErr(double[] a, double[] b, double floor) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " vs " + b.length);
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(b[i]) && Double.isNaN(a[i])) {
                continue;
            }
            double e = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor);
            if (!(e <= worst)) {
                worst = e;
            }
        }
        return worst;
    }
}
