package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/**
 * Max pooling. Shapes: x [N, C, H, W] → y [N, C, HO, WO]. Padding counts as −∞. The winning input
 * pixel of each window is remembered; backward sends the gradient to it alone (first one on ties).
 */
public final class MaxPool2d {
    private MaxPool2d() {}

    public static Tensor apply(Tensor x, PoolParams p) {
        Shapes.requireRank("max_pool2d", "input", x, 4, "[N, C, H, W]");
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = p.outH("max_pool2d", h), ow = p.outW("max_pool2d", w);
        float[] xs = x.data(), y = BufferPool.take(planes * oh * ow);
        int[] argmax = BufferPool.takeInts(y.length);
        Parallel.forEach(planes, plane -> {
            int xBase = plane * h * w, yBase = plane * oh * ow;
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int bestIdx = -1;
                    for (int ki = 0; ki < p.kernelH(); ki++) {
                        int ih = i * p.strideH() - p.padH() + ki;
                        if (ih < 0 || ih >= h) continue;
                        for (int kj = 0; kj < p.kernelW(); kj++) {
                            int iw = j * p.strideW() - p.padW() + kj;
                            if (iw < 0 || iw >= w) continue;
                            float v = xs[xBase + ih * w + iw];
                            if (!(v <= best)) { // larger, or NaN: NaN propagates as in PyTorch
                                best = v;
                                bestIdx = xBase + ih * w + iw;
                            }
                        }
                    }
                    y[yBase + i * ow + j] = best;
                    argmax[yBase + i * ow + j] = bestIdx;
                }
            }
        });
        return Trace.traced(
                Tensor.result(
                                "max_pool2d",
                                y,
                                new int[] {x.dim(0), x.dim(1), oh, ow},
                                out -> {
                                    float[] gx = x.grad(), gy = out.grad();
                                    for (int i = 0; i < gy.length; i++) gx[argmax[i]] += gy[i];
                                },
                                x)
                        .savedForBackward(argmax),
                "MaxPool",
                p.onnxAttributes(),
                x);
    }
}
