import io.alstream.bench.efficiency.*;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.data.LabelledDataset;
import java.util.*;

public class Probe {
    public static void main(String[] a) {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
        String which = a[0];
        BenchData d = which.equals("digits") ? BenchData.digits(0.2, 1) : BenchData.mlbench(which, 0.2, 1);
        int[] counts = Arrays.stream(a[1].split(",")).mapToInt(Integer::parseInt).toArray();
        double budget = Double.parseDouble(a[2]);
        for (int k = 3; k < a.length; k++) {
            String v = a[k];
            BenchData t = transform(d, v);
            LearnerConfig lc = LearnerConfig.builder().hiddenWidths(new int[]{256}).batchSize(64).build();
            RunSettings s = new RunSettings(lc, budget, counts, 100, 0, 0);
            long t0 = System.nanoTime();
            RunResult r = new OfflineRun(t, 1, s, null).run();
            StringBuilder sb = new StringBuilder(v + ":");
            for (var p : r.points()) sb.append(String.format(" %d=%.3f(%dsteps)", p.labels(), p.accuracy(), p.events()));
            System.out.println(sb + String.format("  %.0fs", (System.nanoTime()-t0)/1e9));
        }
    }

    static BenchData transform(BenchData d, String v) {
        float[][] xs = d.stream().features();
        int dim = d.featureDim();
        double[] mean = new double[dim], sd = new double[dim];
        for (float[] x : xs) for (int j = 0; j < dim; j++) mean[j] += x[j] / xs.length;
        for (float[] x : xs) for (int j = 0; j < dim; j++) sd[j] += (x[j]-mean[j])*(x[j]-mean[j]) / xs.length;
        for (int j = 0; j < dim; j++) sd[j] = Math.sqrt(sd[j]);
        double[] sorted = sd.clone(); Arrays.sort(sorted);
        double median = sorted[dim/2];
        double meanSd = Arrays.stream(sd).average().getAsDouble();
        double rms = Math.sqrt(Arrays.stream(sd).map(s->s*s).average().getAsDouble());
        double[] m = new double[dim], s = new double[dim];
        Arrays.fill(s, 1);
        String[] parts = v.split(":");
        String kind = parts[0];
        double f = parts.length > 1 ? Double.parseDouble(parts[1]) : 1;
        for (int j = 0; j < dim; j++) {
            switch (kind) {
                case "raw" -> {}
                case "scale" -> s[j] = 1 / f;
                case "center" -> m[j] = mean[j];
                case "std" -> { m[j] = mean[j]; s[j] = sd[j] > 0 ? sd[j] : 1; }
                case "stdnc" -> { s[j] = sd[j] > 0 ? sd[j] : 1; }
                case "floormed" -> { m[j] = mean[j]; s[j] = Math.max(sd[j], f * median); }
                case "floormean" -> { m[j] = mean[j]; s[j] = Math.max(sd[j], f * meanSd); }
                case "floorrms" -> { m[j] = mean[j]; s[j] = Math.max(sd[j], f * rms); }
                case "stdn" -> { m[j] = mean[j]; s[j] = (sd[j] > 0 ? sd[j] : 1) * Math.sqrt(dim) * f; }
                case "global" -> { m[j] = mean[j]; s[j] = f * rms; }
                default -> throw new IllegalArgumentException(v);
            }
        }
        System.out.printf("%s: median sd %.4f mean sd %.4f rms sd %.4f; max |z| stream %.1f%n", v, median, meanSd, rms, maxAbs(xs, m, s));
        return new BenchData(d.name(), tr(d.stream(), m, s), tr(d.heldOut(), m, s));
    }
    static double maxAbs(float[][] xs, double[] m, double[] s) { double mx=0; for (float[] x: xs) for (int j=0;j<x.length;j++) mx=Math.max(mx,Math.abs((x[j]-m[j])/s[j])); return mx; }
    static LabelledDataset tr(LabelledDataset d, double[] m, double[] s) {
        float[][] f = new float[d.size()][];
        for (int i = 0; i < f.length; i++) { float[] x = d.features()[i]; f[i] = new float[x.length]; for (int j = 0; j < x.length; j++) f[i][j] = (float)((x[j]-m[j])/s[j]); }
        return new LabelledDataset(d.name(), f, d.labels(), d.numClasses());
    }
}
