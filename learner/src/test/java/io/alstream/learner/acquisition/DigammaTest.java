package io.alstream.learner.acquisition;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** psi against closed forms, torch's edge semantics, and the NDArray version against the Java one. */
class DigammaTest {
    private static final double EULER = 0.57721566490153286061;

    @Test
    void closedFormsAndEdges() {
        assertEquals(-EULER, Digamma.psi(1.0), 1e-15);
        assertEquals(-EULER - 2 * Math.log(2), Digamma.psi(0.5), 1e-15);
        assertEquals(1 - EULER, Digamma.psi(2.0), 1e-15);
        // psi(-0.5) = psi(1.5) + 1/(-0.5)... via reflection: psi(1-x) - pi cot(pi x) = psi(1.5) - 0
        assertEquals(2 - EULER - 2 * Math.log(2), Digamma.psi(-0.5), 1e-14);
        // recurrence psi(x+1) = psi(x) + 1/x across the x = 10 switch and deep in the asymptotic range
        for (double x : new double[] {1e-8, 0.3, 3.7, 9.5, 10, 10.5, 123.25, 7.8e7, 1e18}) {
            double scale = Math.max(1, Math.max(Math.abs(Digamma.psi(x)), 1 / x));
            assertEquals(Digamma.psi(x) + 1 / x, Digamma.psi(x + 1), 4e-16 * scale, "x=" + x);
        }
        assertEquals(Double.NEGATIVE_INFINITY, Digamma.psi(0.0));
        assertEquals(Double.POSITIVE_INFINITY, Digamma.psi(-0.0));
        assertTrue(Double.isNaN(Digamma.psi(-2.0)));
        assertTrue(Double.isNaN(Digamma.psi(Double.NaN)));
    }

    @Test
    void deviceVersionEqualsJavaVersion() {
        double[] xs = {1e-300, 1e-8, 0.3, 1, 3.7, 9.5, 10, 10.5, 123.25, 7.8e7, 1e18, -0.5, -1.25, -7.9, -2, 0, -0.0, Double.NaN};
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            double[] got = Digamma.psi(m.create(xs)).toDoubleArray();
            for (int i = 0; i < xs.length; i++) {
                double want = Digamma.psi(xs[i]);
                if (Double.isNaN(want)) {
                    assertTrue(Double.isNaN(got[i]), "x=" + xs[i]);
                } else {
                    assertEquals(want, got[i], Math.abs(want) * 1e-15, "x=" + xs[i]);
                }
            }
            float[] f32 = Digamma.psi(m.create(xs).toType(DataType.FLOAT32, false)).toFloatArray();
            assertEquals(-EULER, f32[3], 1e-6);
        }
    }
}
