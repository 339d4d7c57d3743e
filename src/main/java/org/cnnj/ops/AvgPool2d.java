package org.cnnj.ops;

import java.util.Map;
import java.util.function.IntConsumer;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * Average pooling, padding counted in the divisor (PyTorch's count_include_pad=True, ONNX
 * AveragePool count_include_pad=1). Shapes: x [N, C, H, W] → y [N, C, HO, WO].
 */
public final class AvgPool2d {
    private AvgPool2d() {}

    public static Tensor apply(Tensor x, PoolParams p) {
        Shapes.requireRank("avg_pool2d", "input", x, 4, "[N, C, H, W]");
        int planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = p.outH("avg_pool2d", h), ow = p.outW("avg_pool2d", w);
        float scale = 1f / (p.kernelH() * p.kernelW());
        float[] xs = x.data(), y = new float[planes * oh * ow];
        Window visit = (plane, i, j, action) -> {
            for (int ki = 0; ki < p.kernelH(); ki++) {
                int ih = i * p.strideH() - p.padH() + ki;
                if (ih < 0 || ih >= h) continue;
                for (int kj = 0; kj < p.kernelW(); kj++) {
                    int iw = j * p.strideW() - p.padW() + kj;
                    if (iw >= 0 && iw < w) action.accept(plane * h * w + ih * w + iw);
                }
            }
        };
        for (int plane = 0; plane < planes; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int o = (plane * oh + i) * ow + j;
                    float[] sum = {0f};
                    visit.each(plane, i, j, idx -> sum[0] += xs[idx]);
                    y[o] = sum[0] * scale;
                }
            }
        }
        Map<String, Object> onnx = p.onnxAttributes();
        onnx.put("count_include_pad", 1L);
        return Trace.traced(
                Tensor.result(
                        "avg_pool2d",
                        y,
                        new int[] {x.dim(0), x.dim(1), oh, ow},
                        out -> {
                            float[] gx = x.grad(), gy = out.grad();
                            for (int plane = 0; plane < planes; plane++) {
                                for (int i = 0; i < oh; i++) {
                                    for (int j = 0; j < ow; j++) {
                                        float g = gy[(plane * oh + i) * ow + j] * scale;
                                        visit.each(plane, i, j, idx -> gx[idx] += g);
                                    }
                                }
                            }
                        },
                        x),
                "AveragePool",
                onnx,
                x);
    }

    @FunctionalInterface
    private interface Window {
        void each(int plane, int i, int j, IntConsumer action);
    }
}
