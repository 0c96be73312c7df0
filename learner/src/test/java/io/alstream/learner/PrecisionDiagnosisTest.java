package io.alstream.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.alstream.learner.acquisition.Acquisitions;
import io.alstream.learner.acquisition.ProbabilitySamples;
import io.alstream.learner.kernel.KernelRegressionState;
import io.alstream.learner.kernel.NtkFeatures;
import io.alstream.learner.util.SplitMix64;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

/**
 * Where float32 kernel maths part from float64 on balent (the companion of {@link PrecisionSelectionTest}, same
 * data, model and stream, standardised inputs): the per-event intermediates of a float32 and a float64 scorer
 * (f(B), k(x,x), the posterior variance) compared, and balent computed in float64 from float32 intermediates at
 * each stage (probabilities, logits, K(B,T) and K(B,T)A^-1), each run through the job's quantile filter. A
 * float64 scorer fed the inputs perturbed by about 1e-12 shows whether balent's pole makes the choice arbitrary
 * in any precision. Writes target/precision-diagnosis.txt (bench/results/digits-standardize/diagnosis/float32-balent).
 */
class PrecisionDiagnosisTest {
    static final int STREAM = 1024, BATCH = 64;

    @Test
    void float32ErrorEntersInTheAcquisitionNotThePole() throws Exception {
        double[][] rows = SharedReference.digits();
        int[] order = shuffled(rows.length, 99);
        LearnerConfig base = LearnerConfig.builder().inputDim(64).numClasses(10).hiddenWidths(256)
                .warmupLabels(50).trainEpochs(30).kernelCap(100_000).refreshGrowth(0).ridgeLambda(1).referencePoolSize(256)
                .standardizeInputs(true).selectBy("balent")
                .build();
        int next = 0;
        try (OnlineModel model = OnlineModel.create(base); NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < 250; i++) {
                double[] r = rows[order[next++]];
                model.fold("t" + i, DigitsLearningTest.features(r), (int) r[64]);
            }
            ModelSnapshot snapshot = ModelSnapshot.fromBytes(model.snapshot().toBytes());
            next += 256;
            double[][] stream = new double[STREAM][];
            for (int i = 0; i < STREAM; i++) {
                stream[i] = OnlineModel.toDouble(DigitsLearningTest.features(rows[order[next + i]]));
            }
            LearnerConfig c64 = base.toBuilder().precision(LearnerConfig.Precision.FLOAT64).build();
            LearnerConfig c32 = base.toBuilder().precision(LearnerConfig.Precision.FLOAT32).build();
            int s = base.posteriorSamples(), c = base.numClasses();
            SplitMix64 rng = new SplitMix64(SplitMix64.derive(base.seed(), 0x9057L));
            double[] eps = new double[s * c];
            for (int i = 0; i < eps.length; i++) eps[i] = rng.nextGaussian();
            String[] names = {"f64", "f32", "f32probs->f64bal", "f32logits->f64softmax", "f32products->f64var", "f64 perturbed 1e-12", "f64 var from f32 kbt only", "f32probs->f32bal (old path)"};
            double[][] all = new double[names.length][STREAM];
            double maxF = 0, maxV = 0, maxVrel = 0, maxP = 0, maxKxx = 0, maxKbtInvRel = 0;
            try (Scorer s64 = Scorer.of(snapshot, c64); Scorer s32 = Scorer.of(snapshot, c32)) {
                SplitMix64 prng = new SplitMix64(7);
                for (int from = 0; from < STREAM; from += BATCH) {
                    double[][] batch = Arrays.copyOfRange(stream, from, from + BATCH);
                    double[][] pert = new double[BATCH][];
                    for (int i = 0; i < BATCH; i++) {
                        pert[i] = batch[i].clone();
                        for (int j = 0; j < pert[i].length; j++) pert[i][j] = pert[i][j] * (1 + 1e-12 * (prng.nextDouble() * 2 - 1)) + 1e-12 * (prng.nextDouble() * 2 - 1);
                    }
                    double[] a = s64.score(batch, new double[0][]).scores("balent");
                    double[] b = s32.score(batch, new double[0][]).scores("balent");
                    double[] p = s64.score(pert, new double[0][]).scores("balent");
                    double[][] in64 = inter(s64.state(), batch);
                    double[][] in32 = inter(s32.state(), batch);
                    // in: fB [B*C], kxx [B], corr [B] (sum kbt*kbtInv in device type), corr recomputed in f64 from device kbt/kbtInv
                    for (int i = 0; i < BATCH * c; i++) maxF = Math.max(maxF, Math.abs(in64[0][i] - in32[0][i]));
                    for (int i = 0; i < BATCH; i++) {
                        maxKxx = Math.max(maxKxx, Math.abs(in64[1][i] - in32[1][i]) / in64[1][i]);
                        double v64 = in64[1][i] - in64[2][i];
                        double v32 = in32[1][i] - in32[2][i];
                        maxV = Math.max(maxV, Math.abs(v64 - v32) / in64[1][i]);
                        maxVrel = Math.max(maxVrel, Math.abs(v64 - v32) / Math.max(1e-300, Math.abs(v64)));
                    }
                    // variants
                    double[] f32probsF64 = balent(m, gaussianProbs(in32, 2, eps, base, true, false), BATCH, s, c);
                    double[] f32logits = balent(m, gaussianProbs(in32, 2, eps, base, false, true), BATCH, s, c);
                    double[] f32prod = balent(m, gaussianProbs(in32, 3, eps, base, false, false), BATCH, s, c);
                    double[] f64self = balent(m, gaussianProbs(in64, 2, eps, base, false, false), BATCH, s, c);
                    double[] f32old = balent32(m, gaussianProbs(in32, 2, eps, base, true, false), BATCH, s, c);
                    for (int i = 0; i < BATCH; i++) {
                        all[0][from + i] = a[i];
                        all[1][from + i] = b[i];
                        all[2][from + i] = f32probsF64[i];
                        all[3][from + i] = f32logits[i];
                        all[4][from + i] = f32prod[i];
                        all[5][from + i] = p[i];
                        all[6][from + i] = f64self[i];
                        all[7][from + i] = f32old[i];
                    }
                }
            }
            StringBuilder rep = new StringBuilder();
            rep.append(String.format("standardize=%s; max |f(B) diff| %.3e, max rel kxx diff %.3e, max |var diff|/kxx %.3e, max |var diff|/|var| %.3e%n",
                    base.standardizeInputs(), maxF, maxKxx, maxV, maxVrel));
            for (int v = 0; v < names.length; v++) {
                double md = 0, lo = 1e300, hi = -1e300;
                for (int i = 0; i < STREAM; i++) {
                    md = Math.max(md, Math.abs(all[v][i] - all[0][i]));
                    lo = Math.min(lo, all[v][i]); hi = Math.max(hi, all[v][i]);
                }
                int[] sel = select(c64, all[v]);
                int[] sel0 = select(c64, all[0]);
                int both = 0, agree = 0, n = 0, n0 = 0;
                for (int i = 0; i < STREAM; i++) { both += sel[i] & sel0[i]; agree += sel[i] == sel0[i] ? 1 : 0; n += sel[i]; n0 += sel0[i]; }
                rep.append(String.format("%-26s lo %.3e hi %.3e max|diff| %.3e  selected %d/%d both %d agree %d%n", names[v], lo, hi, md, n0, n, both, agree));
            }
            // events near the pole
            rep.append("largest |f32-f64| events: f64 / f32 / f32logits->f64 / f64pert\n");
            Integer[] idx = new Integer[STREAM];
            for (int i = 0; i < STREAM; i++) idx[i] = i;
            Arrays.sort(idx, (x, y) -> Double.compare(Math.abs(all[1][y] - all[0][y]), Math.abs(all[1][x] - all[0][x])));
            for (int k = 0; k < 12; k++) {
                int i = idx[k];
                rep.append(String.format("  %4d %.6e %.6e %.6e %.6e %.6e%n", i, all[0][i], all[1][i], all[3][i], all[4][i], all[5][i]));
            }
            System.out.print(rep);
            java.nio.file.Files.writeString(java.nio.file.Paths.get("target", "precision-diagnosis.txt"), rep.toString());
            int[] sel0 = select(c64, all[0]);
            for (int v : new int[] {1, 3, 5}) {
                int agree = 0;
                int[] sel = select(c64, all[v]);
                for (int i = 0; i < STREAM; i++) {
                    org.junit.jupiter.api.Assertions.assertTrue(Double.isFinite(all[v][i]), names[v] + " score not finite at " + i);
                    agree += sel[i] == sel0[i] ? 1 : 0;
                }
                // the same bar as PrecisionSelectionTest; for the perturbed float64 run it says the pole does not
                // make float64's choice arbitrary on this stream
                org.junit.jupiter.api.Assertions.assertTrue(agree >= 0.99 * STREAM, names[v] + " decisions differ: " + rep);
            }
        }
    }

    static int[] select(LearnerConfig c, double[] scores) {
        var pol = io.alstream.learner.selection.SelectionPolicies.fromConfig(c);
        int[] sel = new int[scores.length];
        for (int from = 0; from < scores.length; from += BATCH) {
            for (int i : pol.offerWindow(Arrays.copyOfRange(scores, from, from + BATCH), from)) sel[from + i] = 1;
        }
        return sel;
    }

    /** fB [B*C], kxx [B], correction sum(kbt*kbtInv) device-typed [B], correction in f64 from device kbt and kbtInv [B]. */
    static double[][] inter(KernelRegressionState st, double[][] batch) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NtkFeatures cand = st.featuresOf(batch);
            NDArray kbt = st.kernelToT(cand);
            NDArray fB = st.predict(cand, kbt);
            NDArray kbtInv = kbt.matMul(st.inverse());
            double[] f = fB.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] kxx = st.ntk().diagonal(cand).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] corr = kbt.mul(kbtInv).sum(new int[] {1}).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] corr64 = kbt.toType(DataType.FLOAT64, false).mul(kbtInv.toType(DataType.FLOAT64, false)).sum(new int[] {1}).toDoubleArray();
            return new double[][] {f, kxx, corr, corr64};
        }
    }

    /** probs [B*S*C] from host intermediates; corrIdx picks which correction; f32Probs rounds probabilities to float; f32logits rounds outputs to float. */
    static double[] gaussianProbs(double[][] in, int corrIdx, double[] eps, LearnerConfig cfg, boolean f32Probs, boolean f32Outputs) {
        int c = cfg.numClasses(), s = cfg.posteriorSamples();
        int b = in[1].length;
        double[] out = new double[b * s * c];
        for (int i = 0; i < b; i++) {
            double v = Math.max(0, in[1][i] - in[corrIdx][i]) / Math.max(1e-300, in[1][i]) * cfg.gaussianPriorVariance();
            if (f32Outputs || f32Probs) v = (float) v;
            double sd = Math.sqrt(v);
            for (int q = 0; q < s; q++) {
                double[] z = new double[c];
                double mx = -1e300;
                for (int k = 0; k < c; k++) {
                    z[k] = (in[0][i * c + k] + sd * eps[q * c + k]) / cfg.softmaxTemperature();
                    if (f32Outputs || f32Probs) z[k] = (float) z[k];
                    mx = Math.max(mx, z[k]);
                }
                double sum = 0;
                for (int k = 0; k < c; k++) { z[k] = Math.exp(z[k] - mx); sum += z[k]; }
                for (int k = 0; k < c; k++) {
                    double pr = z[k] / sum;
                    out[(i * s + q) * c + k] = f32Probs ? (float) pr : pr;
                }
            }
        }
        return out;
    }

    static double[] balent(NDManager m, double[] probs, int b, int s, int c) {
        try (NDManager sub = m.newSubManager()) {
            NDArray p = sub.create(probs, new Shape(b, s, c));
            return Acquisitions.sampleBased("balent").score(new ProbabilitySamples(p, new long[b], 1)).toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    /** balent computed in float32 from probabilities rounded to float32: what the scorer did before the fix. */
    static double[] balent32(NDManager m, double[] probs, int b, int s, int c) {
        try (NDManager sub = m.newSubManager()) {
            NDArray p = sub.create(probs, new Shape(b, s, c)).toType(DataType.FLOAT32, false);
            return Acquisitions.sampleBased("balent").score(new ProbabilitySamples(p, new long[b], 1)).toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplitMix64 rng = new SplitMix64(seed);
        for (int i = n - 1; i > 0; i--) { int j = rng.nextInt(i + 1); int t = order[i]; order[i] = order[j]; order[j] = t; }
        return order;
    }
}
