package org.cnnj.ops;

import java.util.Map;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;

/**
 * 3-D transposed convolution (PyTorch's conv_transpose3d, ONNX ConvTranspose), the learnt way up a 3-D U-Net. Shapes:
 * x [N, CI, D, H, W], weight [CI, CO/G, KD, KH, KW], bias [CO] or null → y [N, CO, OD, OH, OW] with OD = (D − 1)·sd −
 * 2·pd + dd·(KD − 1) + 1 + output padding (likewise H, W).
 *
 * <p>It is the data gradient of the {@link Convolution3d} that maps y to x with the same weight: forward folds Wᵀ·x
 * into y; backward is that convolution's forward pass on dy (dx) and its weight gradient with x in the place of its
 * output gradient (dW) — the same packed panels, fold and GEMM.
 */
public final class TransposedConvolution3d {
    private TransposedConvolution3d() {}

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, Conv3dParams p, int[] outputPadding) {
        Convolution3d.Geometry g = geometry(x, weight, bias, p, outputPadding);
        int n = g.n(), k = g.rows(), co = g.groupOut(), chunk = g.chunk(), voxels = g.voxels();
        float[] xs = x.data(), w = weight.data(), y = BufferPool.takeZeroed(n * g.c() * g.inVoxels());
        float[] dcols = BufferPool.take(k * chunk);
        for (int s = 0; s < n; s++)
            for (int grp = 0; grp < p.groups(); grp++) {
                int yOff = (s * g.c() + grp * g.groupIn()) * g.inVoxels(), xOff = (s * g.cOut() + grp * co) * voxels;
                for (int from = 0; from < voxels; from += chunk) {
                    int count = Math.min(chunk, voxels - from);
                    Convolution3d.foldTransposedProduct(g, w, grp, xs, xOff, from, count, dcols, y, yOff);
                }
            }
        BufferPool.give(dcols);
        if (bias != null) Convolution3d.addBias(y, bias.data(), n, g.c(), g.inVoxels());
        int[] shape = {n, g.c(), g.in()[0], g.in()[1], g.in()[2]};
        Tensor.Backward back = out -> backward(g, x, weight, bias, out.grad());
        Tensor out = bias == null
                ? Tensor.result("conv_transpose3d", y, shape, back, x, weight)
                : Tensor.result("conv_transpose3d", y, shape, back, x, weight, bias);
        Map<String, Object> attrs = p.onnxAttributes(g.kernel());
        attrs.put("output_padding", Conv3dParams.longs(outputPadding));
        return Trace.traced(
                out, "ConvTranspose", attrs, bias == null ? new Object[] {x, weight} : new Object[] {x, weight, bias});
    }

    /** The convolution that maps y back to x: input y's channels and size, output x's. */
    private static Convolution3d.Geometry geometry(
            Tensor x, Tensor weight, Tensor bias, Conv3dParams p, int[] outputPadding) {
        Shapes.requireRank("conv_transpose3d", "input", x, 5, "[N, CI, D, H, W]");
        Shapes.requireRank("conv_transpose3d", "weight", weight, 5, "[CI, CO/groups, KD, KH, KW]");
        int ci = x.dim(1), co = weight.dim(1) * p.groups();
        if (weight.dim(0) != ci || ci % p.groups() != 0)
            throw new IllegalArgumentException("conv_transpose3d: input channels " + ci + " and weight "
                    + Shapes.str(weight.shape()) + " do not fit " + p.groups() + " group(s)");
        if (bias != null && (bias.shape().length != 1 || bias.dim(0) != co))
            throw new IllegalArgumentException(
                    "conv_transpose3d: bias must be [" + co + "], got " + Shapes.str(bias.shape()));
        if (outputPadding.length != 3)
            throw new IllegalArgumentException("conv_transpose3d: output padding takes three values (d, h, w)");
        int[] kernel = {weight.dim(2), weight.dim(3), weight.dim(4)}, in = {x.dim(2), x.dim(3), x.dim(4)};
        int[] out = new int[3];
        for (int i = 0; i < 3; i++) {
            if (outputPadding[i] < 0 || outputPadding[i] >= Math.max(p.stride()[i], p.dilation()[i]))
                throw new IllegalArgumentException("conv_transpose3d: output padding must be smaller than the stride"
                        + " or the dilation, got " + outputPadding[i]);
            out[i] = (in[i] - 1) * p.stride()[i]
                    - 2 * p.padding()[i]
                    + p.dilation()[i] * (kernel[i] - 1)
                    + 1
                    + outputPadding[i];
            if (out[i] < 1)
                throw new IllegalArgumentException(
                        "conv_transpose3d: the output would be empty along axis " + i + "; use less padding");
        }
        return new Convolution3d.Geometry(x.dim(0), co, out, ci, kernel, in, p, Convolution3d.CHUNK);
    }

    private static void backward(Convolution3d.Geometry g, Tensor x, Tensor weight, Tensor bias, float[] gy) {
        if (bias != null && bias.requiresGrad())
            Convolution3d.addBiasGradient(gy, bias.grad(), g.n(), g.c(), g.inVoxels());
        // dx = conv3d(dy) with the same weight (the convolution g maps y's size to x's); dW += x·unfold(dy)ᵀ.
        if (x.requiresGrad()) Convolution3d.forward(g, gy, weight.data(), x.grad(), true);
        if (weight.requiresGrad()) Convolution3d.weightGradient(g, gy, x.data(), weight.grad());
    }
}
