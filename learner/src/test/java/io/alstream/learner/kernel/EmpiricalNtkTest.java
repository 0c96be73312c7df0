package io.alstream.learner.kernel;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.alstream.learner.LearnerConfig.KernelKind;
import io.alstream.learner.SharedReference;
import io.alstream.learner.nn.DeviceMlp;
import io.alstream.learner.nn.MlpWeights;
import org.junit.jupiter.api.Test;

import static io.alstream.learner.SharedReference.flat;
import static io.alstream.learner.SharedReference.mat;
import static io.alstream.learner.SharedReference.maxRelErr;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernels of the reference tiny MLP equal the vectors' (numpy transcription, checked vs autograd). */
class EmpiricalNtkTest {
    private static final JsonNode REF = SharedReference.json("ntk_lookahead_reference.json");

    @Test
    void kernelsMatchReferenceVectors() {
        MlpWeights w = SharedReference.lookaheadParams(REF, "params");
        double[][] xt = mat(REF.get("data").get("X_labelled"));
        double[][] xu = mat(REF.get("data").get("X_pool"));
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
             DeviceMlp net = new DeviceMlp(m, w, DataType.FLOAT64)) {
            for (KernelKind kind : KernelKind.values()) {
                String key = kind == KernelKind.PNTK ? "pntk" : kind == KernelKind.FIRST_LOGIT ? "first" : "full";
                EmpiricalNtk ntk = new EmpiricalNtk(net, kind);
                try (NtkFeatures ft = ntk.features(net.toDevice(xt));
                     NtkFeatures fu = ntk.features(net.toDevice(xu))) {
                    check(kind + " TT", toRef(ntk.kernel(ft, ft), kind, xt.length, xt.length), flat(REF.get("kernels").get(key + "_TT")));
                    check(kind + " UT", toRef(ntk.kernel(fu, ft), kind, xu.length, xt.length), flat(REF.get("kernels").get(key + "_UT")));
                    check(kind + " UU", toRef(ntk.kernel(fu, fu), kind, xu.length, xu.length), flat(REF.get("kernels").get(key + "_UU")));
                    check(kind + " f0", ft.outputs().toDoubleArray(), flat(REF.get("data").get("f0_labelled")));
                    // the diagonal helper agrees with the full matrix
                    double[] diag = ntk.diagonal(fu).toDoubleArray();
                    double[] uu = toRef(ntk.kernel(fu, fu), kind, xu.length, xu.length);
                    int c = 3;
                    int per = kind == KernelKind.FULL ? c * c : 1;
                    double[] fromFull = new double[xu.length * per];
                    for (int a = 0; a < xu.length; a++) {
                        for (int q = 0; q < per; q++) {
                            fromFull[a * per + q] = uu[(a * xu.length + a) * per + q];
                        }
                    }
                    check(kind + " diag", diag, fromFull);
                }
            }
        }
    }

    /** Our FULL layout is [a*C+c][b*C+d]; the vectors' is [a][b][c][d]. */
    static double[] toRef(NDArray k, KernelKind kind, int na, int nb) {
        double[] v = k.toDoubleArray();
        if (kind != KernelKind.FULL) {
            return v;
        }
        int c = (int) Math.round(Math.sqrt(v.length / (double) (na * nb)));
        double[] out = new double[v.length];
        for (int a = 0; a < na; a++) {
            for (int b = 0; b < nb; b++) {
                for (int i = 0; i < c; i++) {
                    for (int j = 0; j < c; j++) {
                        out[((a * nb + b) * c + i) * c + j] = v[(a * c + i) * (nb * c) + b * c + j];
                    }
                }
            }
        }
        return out;
    }

    static void check(String what, double[] got, double[] want) {
        double err = maxRelErr(got, want, 1e-12);
        assertTrue(err < 1e-10, what + ": max relative error " + err);
    }
}
