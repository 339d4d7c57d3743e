package org.cnnj.ops;

import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.GradMode;
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
        // The winners are only needed for backward: inference (2x2 pools of a U-Net at 768² × 16 channels) skips
        // writing them.
        boolean keep = GradMode.isEnabled() && x.requiresGrad();
        int[] argmax = keep ? BufferPool.takeInts(y.length) : null;
        boolean twoByTwo = p.kernelH() == 2
                && p.kernelW() == 2
                && p.strideH() == 2
                && p.strideW() == 2
                && p.padH() == 0
                && p.padW() == 0;
        Parallel.forEach(planes, plane -> {
            int xBase = plane * h * w, yBase = plane * oh * ow;
            if (twoByTwo) {
                if (argmax == null) poolTwoByTwoValues(xs, xBase, w, y, yBase, oh, ow);
                else poolTwoByTwo(xs, xBase, w, y, argmax, yBase, oh, ow);
                return;
            }
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
                            if (v > best || v != v) { // larger, or NaN, which then stays: PyTorch's rule
                                best = v;
                                bestIdx = xBase + ih * w + iw;
                            }
                        }
                    }
                    y[yBase + i * ow + j] = best;
                    if (argmax != null) argmax[yBase + i * ow + j] = bestIdx;
                }
            }
        });
        return Trace.traced(
                Tensor.result(
                                "max_pool2d",
                                y,
                                new int[] {x.dim(0), x.dim(1), oh, ow},
                                out -> {
                                    // A plane's winners lie in the same plane of x: planes run in parallel.
                                    float[] gx = x.grad(), gy = out.grad();
                                    int outPlane = oh * ow;
                                    Parallel.forEach(planes, plane -> {
                                        for (int i = plane * outPlane; i < (plane + 1) * outPlane; i++)
                                            gx[argmax[i]] += gy[i];
                                    });
                                },
                                x)
                        .savedForBackward(keep ? new Object[] {argmax} : new Object[0]),
                "MaxPool",
                p.onnxAttributes(),
                x);
    }

    /**
     * The 2×2, stride-2 pool when no gradient will be needed (inference): the maximum only, as Math.max, which C2
     * turns into max instructions where the selects below keep a compare chain: 3 instead of 12.5 ns per output
     * (measured on a 16 × 768² tile), the pool was a tenth of the Java engine's time. A NaN in a window gives NaN as
     * in PyTorch; of +0 and −0 it keeps +0 (PyTorch keeps the first), which no later op tells apart.
     */
    private static void poolTwoByTwoValues(float[] xs, int xBase, int w, float[] y, int yBase, int oh, int ow) {
        for (int i = 0; i < oh; i++) {
            int top = xBase + 2 * i * w, out = yBase + i * ow;
            for (int j = 0; j < ow; j++) {
                int a = top + 2 * j, c = a + w;
                y[out + j] = Math.max(Math.max(xs[a], xs[a + 1]), Math.max(xs[c], xs[c + 1]));
            }
        }
    }

    /**
     * The U-Net's 2×2, stride-2 pool with its winners: the maximum as Math.max, then the winner as the first pixel equal
     * to it, by selects that do not depend on each other (the chain of compare-and-select on the running maximum took
     * 14 ns per output, this 2.7; same winners on random data). PyTorch's rules kept: the first of equal values wins, a
     * NaN gives NaN and the last NaN in scan order wins (its {@code val > max || isnan(val)}); of +0 and −0 the value
     * is +0, as in {@link #poolTwoByTwoValues}.
     */
    private static void poolTwoByTwo(float[] xs, int xBase, int w, float[] y, int[] argmax, int yBase, int oh, int ow) {
        for (int i = 0; i < oh; i++) {
            int top = xBase + 2 * i * w, out = yBase + i * ow;
            for (int j = 0; j < ow; j++) {
                int a = top + 2 * j, b = a + 1, c = a + w, d = c + 1;
                float xa = xs[a], xb = xs[b], xc = xs[c], xd = xs[d];
                float best = Math.max(Math.max(xa, xb), Math.max(xc, xd));
                int at = d;
                at = xc == best ? c : at;
                at = xb == best ? b : at;
                at = xa == best ? a : at;
                if (best != best) at = xd != xd ? d : xc != xc ? c : xb != xb ? b : a; // rare: no select needed
                y[out + j] = best;
                argmax[out + j] = at;
            }
        }
    }
}
