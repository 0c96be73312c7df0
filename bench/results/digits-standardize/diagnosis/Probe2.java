import io.alstream.bench.efficiency.*;
import io.alstream.learner.LearnerConfig;
import io.alstream.learner.data.LabelledDataset;
import io.alstream.learner.nn.*;
import io.alstream.learner.util.*;
import ai.djl.ndarray.*;
import ai.djl.ndarray.types.DataType;
import java.util.*;

/** Offline network, variants: transform, output-layer init scale, lr. args: data counts budget variant... ; variant = transform|outScale|lr */
public class Probe2 {
    public static void main(String[] a) {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
        String which = a[0];
        BenchData d = which.equals("digits") ? BenchData.digits(0.2, 1) : BenchData.mlbench(which, 0.2, 1);
        int[] counts = Arrays.stream(a[1].split(",")).mapToInt(Integer::parseInt).toArray();
        long seed = Long.parseLong(a[2]);
        for (int k = 3; k < a.length; k++) {
            String[] v = a[k].split("\\|");
            BenchData t = Probe.transform(d, v[0]);
            double outScale = Double.parseDouble(v[1]);
            double lr = Double.parseDouble(v[2]);
            LearnerConfig cfg = LearnerConfig.builder().hiddenWidths(new int[]{256}).batchSize(64).inputDim(t.featureDim()).numClasses(t.numClasses()).seed(seed).learningRate(lr).build();
            int[] order = t.streamOrder(seed);
            StringBuilder sb = new StringBuilder(a[k] + ":");
            long t0 = System.nanoTime();
            for (int n : counts) {
                List<float[]> tx = new ArrayList<>(); int[] ty = new int[n];
                for (int i = 0; i < n; i++) { tx.add(t.stream().features()[order[i]]); ty[i] = t.stream().labels()[order[i]]; }
                long ts = SplitMix64.derive(seed, 0x0FF1L + n);
                int[] widths = MlpWeights.widths(cfg.inputDim(), cfg.hiddenWidths(), cfg.numClasses());
                MlpWeights w0 = MlpWeights.initialise(widths, cfg.activation(), ts);
                double[][] ws = new double[w0.layers()][], bs = new double[w0.layers()][];
                for (int l = 0; l < w0.layers(); l++) { ws[l] = w0.weight(l); bs[l] = w0.bias(l); }
                int last = w0.layers() - 1;
                for (int i = 0; i < ws[last].length; i++) ws[last][i] = (float) (ws[last][i] * outScale);
                w0 = new MlpWeights(widths, cfg.activation(), ws, bs);
                long[] steps = {0}; double[] best = {Double.POSITIVE_INFINITY}; long[] bestS = {0}; int[] bestE = {0}; double[] lastLoss = {0};
                MlpWeights trained;
                try (MlpNetwork net = new MlpNetwork(cfg, w0, ComputeDevice.get())) {
                    net.train(tx, ty, Integer.MAX_VALUE, 20000, lr, 64, ts, () -> false, (e, s, loss) -> {
                        steps[0] = s; lastLoss[0] = loss;
                        if (loss < best[0] * 0.99) { best[0] = loss; bestS[0] = s; bestE[0] = e; }
                        return s >= 500 && s - bestS[0] >= 300 && e - bestE[0] >= 10;
                    });
                    trained = net.weights();
                }
                sb.append(String.format(" %d=%.3f(%d st, loss %.2g)", n, acc(trained, t.heldOut().features(), t.heldOut().labels()), steps[0], lastLoss[0]));
            }
            System.out.println(sb + String.format("  %.0fs", (System.nanoTime()-t0)/1e9));
        }
    }
    static double acc(MlpWeights w, float[][] xs, int[] ys) {
        int right = 0;
        try (NDManager m = NDManager.newBaseManager(ComputeDevice.get(), "PyTorch"); DeviceMlp mlp = new DeviceMlp(m, w, DataType.FLOAT32)) {
            NDArray out = mlp.forward(mlp.toDevice(xs));
            long[] pred = out.argMax(1).toLongArray();
            for (int i = 0; i < pred.length; i++) right += pred[i] == ys[i] ? 1 : 0;
        }
        return right / (double) xs.length;
    }
}
