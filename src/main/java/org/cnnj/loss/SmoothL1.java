package org.cnnj.loss;

import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;

/**
 * Smooth L1 (Huber-like, PyTorch SmoothL1Loss with beta), mean over values; box regression.
 * l(d) = ½d²/β if |d| < β else |d| − ½β; dl/dd = d/β or sign(d).
 */
public final class SmoothL1 {
    private SmoothL1() {}

    public static Tensor apply(Tensor prediction, Tensor target, float beta) {
        Shapes.requireSameShape("smooth_l1", prediction, target);
        if (!(beta > 0f)) throw new IllegalArgumentException("smooth_l1: beta must be > 0, got " + beta);
        float[] x = prediction.data(), t = target.data();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            float d = Math.abs(x[i] - t[i]);
            sum += d < beta ? 0.5 * d * d / beta : d - 0.5 * beta;
        }
        int n = x.length;
        return Tensor.result("smooth_l1", new float[] {(float) (sum / n)}, new int[] {1}, out -> {
            float g = out.grad()[0] / n;
            float[] gx = prediction.grad();
            for (int i = 0; i < n; i++) {
                float d = x[i] - t[i];
                gx[i] += g * (Math.abs(d) < beta ? d / beta : Math.signum(d));
            }
        }, prediction);
    }
}
