package org.cnnj.ops;

import org.cnnj.kernel.Gemm;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/**
 * 3-D convolution (cross-correlation, as PyTorch's conv3d and ONNX Conv with a 3-D kernel). Shapes: x [N, C, D, H, W],
 * weight [CO, C/G, KD, KH, KW], bias [CO] or null → y [N, CO, OD, OH, OW].
 *
 * <p>Per sample and group the volume is unfolded (im2col) into K = C/G·KD·KH·KW rows by P output voxels and multiplied
 * with the shared GEMM: forward y = W·cols, backward dW += dy·colsᵀ and dcols = Wᵀ·dy folded back (col2im) into dx.
 * Output voxels are taken in chunks so that the unfolded block stays under {@link #CHUNK} floats however large the
 * volume; the products run in parallel over blocks of their result, partial sums in a fixed order (results do not
 * depend on the thread count).
 */
public final class Convolution3d {
    /** Most floats of one unfolded block (K rows × chunk of voxels): 32 MB. */
    static final int CHUNK = 1 << 23;

    private Convolution3d() {}

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, Conv3dParams p) {
        return apply(x, weight, bias, p, CHUNK);
    }

    /** As {@link #apply(Tensor, Tensor, Tensor, Conv3dParams)} with unfolded blocks of at most {@code chunkFloats}. */
    static Tensor apply(Tensor x, Tensor weight, Tensor bias, Conv3dParams p, int chunkFloats) {
        Geometry g = Geometry.of(x, weight, bias, p, chunkFloats);
        float[] y = BufferPool.take(g.n * g.cOut * g.voxels());
        float[] w = weight.data(), b = bias == null ? null : bias.data();
        for (int s = 0; s < g.n; s++) forwardSample(g, x.data(), s, w, b, y);
        int[] shape = {g.n, g.cOut, g.out[0], g.out[1], g.out[2]};
        Tensor.Backward back = out -> backward(g, x, weight, bias, out.grad());
        Tensor out = bias == null
                ? Tensor.result("conv3d", y, shape, back, x, weight)
                : Tensor.result("conv3d", y, shape, back, x, weight, bias);
        return Trace.traced(
                out,
                "Conv",
                p.onnxAttributes(g.kernel),
                bias == null ? new Object[] {x, weight} : new Object[] {x, weight, bias});
    }

    /** The shapes of one convolution, checked once. */
    record Geometry(int n, int c, int[] in, int cOut, int[] kernel, int[] out, Conv3dParams p, int chunkFloats) {
        static Geometry of(Tensor x, Tensor weight, Tensor bias, Conv3dParams p, int chunkFloats) {
            Shapes.requireRank("conv3d", "input", x, 5, "[N, C, D, H, W]");
            Shapes.requireRank("conv3d", "weight", weight, 5, "[CO, C/groups, KD, KH, KW]");
            int c = x.dim(1), cOut = weight.dim(0);
            if (c % p.groups() != 0 || cOut % p.groups() != 0 || weight.dim(1) != c / p.groups())
                throw new IllegalArgumentException("conv3d: input channels " + c + " and weight "
                        + Shapes.str(weight.shape()) + " do not fit " + p.groups() + " group(s)");
            if (bias != null && (bias.shape().length != 1 || bias.dim(0) != cOut))
                throw new IllegalArgumentException(
                        "conv3d: bias must be [" + cOut + "], got " + Shapes.str(bias.shape()));
            int[] in = {x.dim(2), x.dim(3), x.dim(4)};
            int[] kernel = {weight.dim(2), weight.dim(3), weight.dim(4)}, out = new int[3];
            String[] axis = {"depth", "height", "width"};
            for (int i = 0; i < 3; i++)
                out[i] = Shapes.windowOutput(
                        "conv3d", axis[i], in[i], kernel[i], p.stride()[i], p.padding()[i], p.dilation()[i]);
            return new Geometry(x.dim(0), c, in, cOut, kernel, out, p, chunkFloats);
        }

        int voxels() {
            return out[0] * out[1] * out[2];
        }

        int inVoxels() {
            return in[0] * in[1] * in[2];
        }

        int groupIn() {
            return c / p.groups();
        }

        int groupOut() {
            return cOut / p.groups();
        }

        /** Rows of the unfolded block: C/G·KD·KH·KW. */
        int rows() {
            return groupIn() * kernel[0] * kernel[1] * kernel[2];
        }

        /** Output voxels per chunk, so that rows × chunk stays within {@code chunkFloats}. */
        int chunk() {
            return Math.max(1, Math.min(voxels(), chunkFloats / rows()));
        }
    }

    static void forwardSample(Geometry g, float[] x, int s, float[] w, float[] b, float[] y) {
        int k = g.rows(), co = g.groupOut(), chunk = g.chunk(), voxels = g.voxels();
        float[] cols = BufferPool.take(k * chunk);
        for (int grp = 0; grp < g.p().groups(); grp++) {
            int xOff = (s * g.c + grp * g.groupIn()) * g.inVoxels(), yOff = (s * g.cOut + grp * co) * voxels;
            for (int from = 0; from < voxels; from += chunk) {
                int count = Math.min(chunk, voxels - from);
                unfold(g, x, xOff, from, count, cols);
                Gemm.multiplyParallel(
                        false, false, co, count, k, w, grp * co * k, k, cols, 0, count, y, yOff + from, voxels, false);
            }
        }
        BufferPool.give(cols);
        if (b != null)
            for (int o = 0; o < g.cOut; o++) {
                int base = (s * g.cOut + o) * voxels;
                for (int i = 0; i < voxels; i++) y[base + i] += b[o];
            }
    }

    private static void backward(Geometry g, Tensor x, Tensor weight, Tensor bias, float[] gy) {
        int k = g.rows(), co = g.groupOut(), chunk = g.chunk(), voxels = g.voxels();
        float[] w = weight.data(), gx = x.requiresGrad() ? x.grad() : null;
        float[] gw = weight.requiresGrad() ? weight.grad() : null;
        if (bias != null && bias.requiresGrad()) {
            float[] gb = bias.grad();
            for (int s = 0; s < g.n; s++)
                for (int o = 0; o < g.cOut; o++) {
                    double sum = 0;
                    for (int i = 0, base = (s * g.cOut + o) * voxels; i < voxels; i++) sum += gy[base + i];
                    gb[o] += (float) sum;
                }
        }
        if (gx == null && gw == null) return;
        float[] cols = BufferPool.take(k * chunk), dcols = gx == null ? null : BufferPool.take(k * chunk);
        for (int s = 0; s < g.n; s++)
            for (int grp = 0; grp < g.p().groups(); grp++) {
                int xOff = (s * g.c + grp * g.groupIn()) * g.inVoxels(), yOff = (s * g.cOut + grp * co) * voxels;
                for (int from = 0; from < voxels; from += chunk) {
                    int count = Math.min(chunk, voxels - from);
                    if (gw != null) {
                        unfold(g, x.data(), xOff, from, count, cols);
                        // dW[co × K] += dy[co × count] · cols[K × count]ᵀ
                        Gemm.multiplyParallel(
                                false,
                                true,
                                co,
                                k,
                                count,
                                gy,
                                yOff + from,
                                voxels,
                                cols,
                                0,
                                count,
                                gw,
                                grp * co * k,
                                k,
                                true);
                    }
                    if (gx != null) {
                        // dcols[K × count] = Wᵀ[K × co] · dy[co × count]
                        Gemm.multiplyParallel(
                                true,
                                false,
                                k,
                                count,
                                co,
                                w,
                                grp * co * k,
                                k,
                                gy,
                                yOff + from,
                                voxels,
                                dcols,
                                0,
                                count,
                                false);
                        fold(g, dcols, from, count, gx, xOff);
                    }
                }
            }
        BufferPool.give(cols);
        if (dcols != null) BufferPool.give(dcols);
    }

    /**
     * cols[r][v − from] for rows r = (channel, kd, kh, kw) of one group and output voxels v in [from, from + count):
     * the input voxel each kernel tap reads, 0 in the padding.
     */
    static void unfold(Geometry g, float[] x, int xOff, int from, int count, float[] cols) {
        int[] kernel = g.kernel();
        int taps = kernel[0] * kernel[1] * kernel[2];
        Parallel.forEach(g.rows(), r -> {
            int c = r / taps, t = r % taps;
            int kd = t / (kernel[1] * kernel[2]), kh = t / kernel[2] % kernel[1], kw = t % kernel[2];
            int base = xOff + c * g.inVoxels(), row = r * count;
            for (int i = 0; i < count; i++) {
                int src = source(g, from + i, kd, kh, kw);
                cols[row + i] = src < 0 ? 0f : x[base + src];
            }
        });
    }

    /** gx[input voxel] += dcols[r][v − from] for every tap that read it: per input channel in parallel. */
    static void fold(Geometry g, float[] dcols, int from, int count, float[] gx, int xOff) {
        int[] kernel = g.kernel();
        int taps = kernel[0] * kernel[1] * kernel[2];
        Parallel.forEach(g.groupIn(), c -> {
            int base = xOff + c * g.inVoxels();
            for (int t = 0; t < taps; t++) {
                int kd = t / (kernel[1] * kernel[2]), kh = t / kernel[2] % kernel[1], kw = t % kernel[2];
                int row = (c * taps + t) * count;
                for (int i = 0; i < count; i++) {
                    int src = source(g, from + i, kd, kh, kw);
                    if (src >= 0) gx[base + src] += dcols[row + i];
                }
            }
        });
    }

    /** The input voxel (index within a channel) that tap (kd, kh, kw) of output voxel v reads, or −1 in the padding. */
    private static int source(Geometry g, int v, int kd, int kh, int kw) {
        int[] out = g.out(), in = g.in(), st = g.p().stride(), pad = g.p().padding(), dil = g.p().dilation();
        int ow = v % out[2], oh = v / out[2] % out[1], od = v / (out[1] * out[2]);
        int d = od * st[0] - pad[0] + kd * dil[0],
                h = oh * st[1] - pad[1] + kh * dil[1],
                w = ow * st[2] - pad[2] + kw * dil[2];
        if (d < 0 || d >= in[0] || h < 0 || h >= in[1] || w < 0 || w >= in[2]) return -1;
        return (d * in[1] + h) * in[2] + w;
    }
}
