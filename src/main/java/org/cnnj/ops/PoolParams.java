package org.cnnj.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnj.tensor.Shapes;

/** Window of a pooling op; padding must be at most half the kernel (as in PyTorch). */
public record PoolParams(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    public PoolParams {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("pool: kernel and stride must be >= 1, got kernel " + kernelH + "x"
                    + kernelW + " stride " + strideH + "x" + strideW);
        }
        if (padH < 0 || padW < 0 || 2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException("pool: padding " + padH + "x" + padW
                    + " must be between 0 and half the kernel " + kernelH + "x" + kernelW);
        }
    }

    public static PoolParams of(int kernel, int stride, int padding) {
        return new PoolParams(kernel, kernel, stride, stride, padding, padding);
    }

    public static PoolParams of(int kernel) {
        return of(kernel, kernel, 0);
    }

    /** ONNX MaxPool / AveragePool attributes. */
    Map<String, Object> onnxAttributes() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("kernel_shape", new long[] {kernelH, kernelW});
        a.put("strides", new long[] {strideH, strideW});
        a.put("pads", new long[] {padH, padW, padH, padW});
        return a;
    }

    int outH(String op, int h) {
        return Shapes.windowOutput(op, "height", h, kernelH, strideH, padH, 1);
    }

    int outW(String op, int w) {
        return Shapes.windowOutput(op, "width", w, kernelW, strideW, padW, 1);
    }
}
