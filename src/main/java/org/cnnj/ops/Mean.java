package org.cnnj.ops;

import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/** Mean of all values → scalar [1]. */
public final class Mean {
    private Mean() {}

    public static Tensor apply(Tensor x) {
        Trace.unsupported("mean");
        double sum = 0;
        for (float v : x.data()) sum += v;
        int n = x.size();
        return Tensor.result(
                "mean",
                new float[] {(float) (sum / n)},
                new int[] {1},
                out -> {
                    float g = out.grad()[0] / n;
                    float[] gx = x.grad();
                    for (int i = 0; i < gx.length; i++) gx[i] += g;
                },
                x);
    }
}
