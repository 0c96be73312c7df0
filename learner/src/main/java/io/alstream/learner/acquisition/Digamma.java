package io.alstream.learner.acquisition;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.alstream.learner.util.Scopes;

/**
 * The digamma function psi, which DJL lacks (DESIGN 4.5), with torch.digamma's semantics so the
 * Balanced Entropy port reproduces the authors' numbers: psi(+0) = -inf, NaN at negative integers,
 * reflection psi(x) = psi(1-x) - pi / tan(pi * frac(x)) for x < 0, recurrence psi(x) = psi(x+1) - 1/x up to
 * x >= 10, then the asymptotic series ln x - 1/(2x) - sum B_2n / (2n x^2n) (Cephes' coefficients;
 * psi(10) exactly at x == 10). Java scalar and NDArray (element-wise, any float type) versions.
 */
public final class Digamma {
    private static final double PSI_10 = 2.25175258906672110764;
    /** Asymptotic series in z = 1/x^2, highest power first (Horner). */
    private static final double[] A = {
        8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
        -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
        8.33333333333333333333E-2,
    };

    private Digamma() { }

    public static double psi(double x) {
        if (x == 0) {
            return Math.copySign(Double.POSITIVE_INFINITY, -x);
        }
        if (x < 0) {
            double q = x < 0 ? Math.ceil(x) : Math.floor(x); // trunc
            if (x == q) {
                return Double.NaN;
            }
            double r = x - q;
            return psi(1 - x) - Math.PI / Math.tan(Math.PI * r);
        }
        double result = 0;
        while (x < 10) {
            result -= 1 / x;
            x += 1;
        }
        if (x == 10) {
            return result + PSI_10;
        }
        double y = 0;
        if (x < 1.0e17) {
            double z = 1.0 / (x * x);
            double poly = A[0];
            for (int i = 1; i < A.length; i++) {
                poly = poly * z + A[i];
            }
            y = z * poly;
        }
        return result + Math.log(x) - (0.5 / x) - y;
    }

    /** Element-wise psi on the device (a new array, same type and shape). */
    public static NDArray psi(NDArray x) {
        return Scopes.run(() -> {
            NDArray negative = x.lt(0);
            NDArray trunc = NDArrays.where(negative, x.ceil(), x.floor());
            NDArray frac = x.sub(trunc);
            NDArray xx = NDArrays.where(negative, x.neg().add(1), x); // psi(1 - x) for the reflection
            NDArray result = x.zerosLike();
            for (int i = 0; i < 10; i++) { // x in (0, 1) needs exactly 10 steps to reach >= 10
                NDArray below = xx.lt(10);
                result = result.sub(NDArrays.where(below, xx.pow(-1), xx.zerosLike()));
                xx = xx.add(below.toType(x.getDataType(), false));
            }
            NDArray z = xx.square().pow(-1);
            NDArray poly = z.zerosLike().add(A[0]);
            for (int i = 1; i < A.length; i++) {
                poly = poly.mul(z).add(A[i]);
            }
            NDArray y = NDArrays.where(xx.lt(1.0e17), z.mul(poly), xx.zerosLike());
            NDArray asymptotic = result.add(xx.log()).sub(xx.pow(-1).mul(0.5)).sub(y);
            NDArray positive = NDArrays.where(xx.eq(10), result.add(PSI_10), asymptotic);
            NDArray reflected = positive.sub(x.zerosLike().add(Math.PI).div(frac.mul(Math.PI).tan()));
            NDArray out = NDArrays.where(negative, reflected, positive);
            NDArray nan = x.zerosLike().add(Double.NaN);
            out = NDArrays.where(negative.logicalAnd(frac.eq(0)), nan, out);
            return NDArrays.where(x.eq(0), x.zerosLike().add(Double.NEGATIVE_INFINITY), out);
        });
    }
}
