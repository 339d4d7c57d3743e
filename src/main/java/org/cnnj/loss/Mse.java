package org.cnnj.loss;

import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;

/** Mean squared error (e.g. distance-map regression). Shapes alike. dx = 2(x − t)/count. */
public final class Mse {
    private Mse() {}

    public static Tensor apply(Tensor prediction, Tensor target) {
        Shapes.requireSameShape("mse", prediction, target);
        float[] x = prediction.data(), t = target.data();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - t[i];
            sum += d * d;
        }
        int n = x.length;
        return Tensor.result(
                "mse",
                new float[] {(float) (sum / n)},
                new int[] {1},
                out -> {
                    float g = 2f * out.grad()[0] / n;
                    float[] gx = prediction.grad();
                    for (int i = 0; i < n; i++) gx[i] += g * (x[i] - t[i]);
                },
                prediction);
    }
}
