package io.alstream.learner.acquisition;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.LearnerConfig.LookaheadReference;
import io.alstream.learner.LearnerConfig.PseudoLabelSource;
import io.alstream.learner.SharedReference;
import io.alstream.learner.kernel.EmpiricalNtk;
import io.alstream.learner.kernel.KernelEntry;
import io.alstream.learner.kernel.KernelRegressionState;
import io.alstream.learner.kernel.NtkFeatures;
import io.alstream.learner.nn.DeviceMlp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.alstream.learner.SharedReference.flat;
import static io.alstream.learner.SharedReference.mat;
import static io.alstream.learner.SharedReference.maxRelErr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Look-ahead predictions, Schur complements and objectives equal ntk_lookahead_reference.json for every
 * scenario, and the 4-step sequential run (selection by the authors' pseudo-contrastive objective, true
 * labels folded incrementally) equals the brute-force refits - all to relative 1e-8 in float64.
 */
class LookaheadReferenceTest {
    private static final JsonNode REF = SharedReference.json("ntk_lookahead_reference.json");
    private static final double TOL = 1e-8;
    /** relative error with values below this magnitude compared absolutely at TOL * FLOOR */
    private static final double FLOOR = 1e-3;

    private static KernelKind kindOf(String scenario) {
        if (scenario.startsWith("pntk")) {
            return KernelKind.PNTK;
        }
        return scenario.startsWith("first") ? KernelKind.FIRST_LOGIT : KernelKind.FULL;
    }

    @Test
    void everyScenarioMatches() {
        double[][] xt = mat(REF.get("data").get("X_labelled"));
        double[][] xu = mat(REF.get("data").get("X_pool"));
        int[] yt = ints(REF.get("data").get("y_labelled"));
        Iterator<Map.Entry<String, JsonNode>> it = REF.get("scenarios").fields();
        int scenarios = 0;
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode sc = e.getValue();
            String name = e.getKey();
            double lambda = sc.get("diag_reg_absolute_lambda").asDouble();
            try (NDManager m = NDManager.newBaseManager(Device.cpu());
                 DeviceMlp net = new DeviceMlp(m, SharedReference.lookaheadParams(REF, "params"), DataType.FLOAT64);
                 KernelRegressionState state = new KernelRegressionState(m, new EmpiricalNtk(net, kindOf(name)), lambda)) {
                List<KernelEntry> labelled = new ArrayList<>();
                for (int i = 0; i < xt.length; i++) {
                    labelled.add(new KernelEntry("t" + i, xt[i], oneHot(yt[i], 3), false));
                }
                for (KernelEntry k : labelled) {
                    state.append(k); // one at a time: the incremental path
                }
                try (NtkFeatures pool = state.featuresOf(xu)) {
                    NDArray kut = state.kernelToT(pool);
                    NDArray f = state.predict(pool, kut);
                    close(name + " orig_preds", f.toDoubleArray(), flat(sc.get("orig_preds_f_lin_L")));
                    JsonNode obj = sc.get("objectives");
                    for (LookaheadReference ref : LookaheadReference.values()) {
                        try (LookaheadScorer la = new LookaheadScorer(state, pool, ref, PseudoLabelSource.NETWORK, 5)) {
                            LookaheadScorer.Detail d = la.detail(pool, kut, f);
                            double[][] scores = la.score(pool, kut, f);
                            assertArrayEquals(d.flip, scores[0], 0, "chunked == whole");
                            close(name + " mlmoc chunked", scores[1], d.mlmoc);
                            assertArrayEquals(longs(sc.get("pseudo_labels")), d.pseudoLabels, name + " pseudo-labels");
                            close(name + " schur", d.schurComplements, flat(sc.get("schur_complements")));
                            close(name + " f+", flat3(d.lookaheadPredictions), flat(sc.get("lookahead_preds_f_lin_Lplus")));
                            String acc = ref == LookaheadReference.LINEARISED ? "accuracy_vs_ntk_orig" : "accuracy_vs_network";
                            String ml = ref == LookaheadReference.LINEARISED ? "mlmoc_l2_vs_linearised_fL" : "mlmoc_l2_vs_network_fL";
                            close(name + " " + acc, oneMinus(d.flip), flat(obj.get(acc)));
                            close(name + " " + ml, d.mlmoc, flat(obj.get(ml)));
                            if (ref == LookaheadReference.LINEARISED) {
                                double[] changed = new double[d.flip.length];
                                for (int i = 0; i < changed.length; i++) {
                                    changed[i] = Math.round(d.flip[i] * xu.length);
                                }
                                close(name + " changed", changed, flat(obj.get("changed_count_vs_ntk_orig")));
                                assertArrayEquals(ints(obj.get("top3_code_pseudo_contrastive_ntk")), TopK.indices(d.flip, 3), name);
                            } else {
                                assertArrayEquals(ints(obj.get("top3_paper_mlmoc_vs_network")), TopK.indices(d.mlmoc, 3), name);
                            }
                        }
                    }
                    f.close();
                    if (kut != null) {
                        kut.close();
                    }
                }
            }
            scenarios++;
        }
        assertEquals(4, scenarios);
    }

    @Test
    void fourStepSequentialRunMatchesRefits() {
        JsonNode seq = REF.get("sequential_streaming");
        double[][] xt = mat(REF.get("data").get("X_labelled"));
        double[][] xu = mat(REF.get("data").get("X_pool"));
        int[] yt = ints(REF.get("data").get("y_labelled"));
        int[] yu = ints(REF.get("data").get("y_pool_true"));
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
             DeviceMlp net = new DeviceMlp(m, SharedReference.lookaheadParams(REF, "params"), DataType.FLOAT64);
             KernelRegressionState state = new KernelRegressionState(m, new EmpiricalNtk(net, KernelKind.PNTK), 0.0);
             NtkFeatures pool = state.featuresOf(xu)) {
            for (int i = 0; i < xt.length; i++) {
                state.append(new KernelEntry("t" + i, xt[i], oneHot(yt[i], 3), false));
            }
            List<Integer> remaining = new ArrayList<>();
            for (int i = 0; i < xu.length; i++) {
                remaining.add(i);
            }
            for (JsonNode step : seq.get("steps")) {
                NDArray f = state.predict(pool);
                close("step " + step.get("step") + " f", f.toDoubleArray(), flat(step.get("orig_preds_full_refit")));
                f.close();
                double[][] cx = new double[remaining.size()][];
                for (int i = 0; i < cx.length; i++) {
                    cx[i] = xu[remaining.get(i)];
                }
                try (LookaheadScorer la = new LookaheadScorer(state, pool, LookaheadReference.LINEARISED, PseudoLabelSource.NETWORK, 4);
                     NtkFeatures cand = state.featuresOf(cx)) {
                    NDArray kbt = state.kernelToT(cand);
                    NDArray fb = state.predict(cand, kbt);
                    double[] flip = la.score(cand, kbt, fb)[0];
                    JsonNode accs = step.get("accuracy_vs_ntk_orig");
                    for (int i = 0; i < cx.length; i++) {
                        double want = accs.get(remaining.get(i)).asDouble();
                        assertEquals(want, 1 - flip[i], TOL, "step " + step.get("step") + " candidate " + remaining.get(i));
                    }
                    int best = remaining.get(TopK.indices(flip, 1)[0]); // lowest accuracy, ties -> lowest index
                    assertEquals(step.get("selected").asInt(), best, "selection at step " + step.get("step"));
                    assertEquals(step.get("true_label").asInt(), yu[best]);
                    state.append(new KernelEntry("u" + best, xu[best], oneHot(yu[best], 3), false));
                    remaining.remove(Integer.valueOf(best));
                    kbt.close();
                    fb.close();
                }
            }
            NDArray f = state.predict(pool);
            close("final f", f.toDoubleArray(), flat(seq.get("final").get("orig_preds_full_refit")));
            f.close();
            NDArray refit = state.refitInverse();
            close("incremental A^-1 vs refit", state.inverse().toDoubleArray(), refit.toDoubleArray());
            refit.close();
        }
    }

    static void close(String what, double[] got, double[] want) {
        double err = maxRelErr(got, want, FLOOR);
        assertTrue(err <= TOL, what + ": max relative error " + err);
    }

    static double[] oneHot(int c, int k) {
        double[] v = new double[k];
        v[c] = 1;
        return v;
    }

    static int[] ints(JsonNode n) {
        int[] v = new int[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = n.get(i).asInt();
        }
        return v;
    }

    static long[] longs(JsonNode n) {
        long[] v = new long[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = n.get(i).asLong();
        }
        return v;
    }

    static double[] oneMinus(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = 1 - v[i];
        }
        return o;
    }

    static double[] flat3(double[][][] a) {
        List<Double> out = new ArrayList<>();
        for (double[][] b : a) {
            for (double[] c : b) {
                for (double d : c) {
                    out.add(d);
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
