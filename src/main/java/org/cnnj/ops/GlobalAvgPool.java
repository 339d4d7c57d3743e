package org.cnnj.ops;

import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** Mean over each channel plane. Shapes: x [N, C, H, W] → y [N, C, 1, 1]. */
public final class GlobalAvgPool {
    private GlobalAvgPool() {}

    public static Tensor apply(Tensor x) {
        Shapes.requireRank("global_avg_pool", "input", x, 4, "[N, C, H, W]");
        int planes = x.dim(0) * x.dim(1), plane = x.dim(2) * x.dim(3);
        float[] xs = x.data(), y = new float[planes];
        for (int p = 0; p < planes; p++) {
            double sum = 0;
            for (int i = 0; i < plane; i++) sum += xs[p * plane + i];
            y[p] = (float) (sum / plane);
        }
        return Trace.traced(
                Tensor.result(
                        "global_avg_pool",
                        y,
                        new int[] {x.dim(0), x.dim(1), 1, 1},
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            for (int p = 0; p < planes; p++) {
                                float g = gy[p] / plane;
                                for (int i = 0; i < plane; i++) gx[p * plane + i] += g;
                            }
                        },
                        x),
                "GlobalAveragePool",
                Trace.attrs(),
                x);
    }
}
