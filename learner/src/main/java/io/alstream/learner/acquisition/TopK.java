package io.alstream.learner.acquisition;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Indices of the k highest scores, best first; ties go to the lower index (as torch.topk on the reference
 * vectors and the look-ahead authors' argmin). NaN ranks below everything.
 */
public final class TopK {
    private TopK() { }

    public static int[] indices(double[] scores, int k) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Comparator<Integer> byScore = (a, b) -> {
            double x = scores[a];
            double y = scores[b];
            boolean nx = Double.isNaN(x);
            boolean ny = Double.isNaN(y);
            if (nx || ny) {
                return nx == ny ? Integer.compare(a, b) : (nx ? 1 : -1);
            }
            int c = Double.compare(y, x);
            return c != 0 ? c : Integer.compare(a, b);
        };
        Arrays.sort(idx, byScore);
        int n = Math.min(k, idx.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
