package org.cnnj.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnnj.kernel.Gemm;
import org.cnnj.kernel.MicroKernel;
import org.cnnj.tensor.BufferPool;
import org.cnnj.util.Parallel;
import org.cnnj.util.Scratch;

/**
 * Stride-1 3-D convolution without unfolding, {@link DirectConv}'s scheme in 3-D: the forward pass (also the data
 * gradient, a forward pass of flipped weights) and the weight gradient. The input is
 * copied once into a zero-padded volume [N][C][DP·HP·WP] (DP = D + 2·padD, …, plus slack); output voxel (od, oh, ow),
 * taken on the padded grid q = (od·HP + oh)·WP + ow, reads tap (c, kd, kh, kw) at {@code c·DP·HP·WP + kd·dilD·HP·WP +
 * kh·dilH·WP + kw·dilW + q}: every row of the unfolded matrix is a constant shift of the padded volume, which the
 * GEMM kernel reads in place through a table of shifts (the grid's HP − OH rows and WP − OW columns per plane that are
 * no output voxel cost (HP·WP)/(OH·OW) − 1 extra work and are dropped when a tile is copied out). dy is laid on
 * the same grid (zeros on the HP − OH rows and WP − OW columns that are no output voxel), so each dW[o, r] is one dot
 * product of dy's row o with shifted row r, read in place by {@link MicroKernel#dotBlock}: packing the unfolded rows
 * for a GEMM took a third of a 3-D U-Net step, with only 16–32 output channels to share it.
 *
 * <p>Shapes: x [N, C, D, H, W], W [CO, C, KD, KH, KW] → y [N, CO, OD, OH, OW]; dy [N, CO, OD, OH, OW] → dW (added to).
 */
final class DirectConv3d {
    private DirectConv3d() {}

    /**
     * The padded layout of one slab of {@code planes} output planes: the padded volume's sides, the grid of output
     * voxels on it, the floats per sample (with the slack the last shifts read past the volume) and the shift of each
     * unfolded row (c, kd, kh, kw), padded with zeros to whole strips of any kernel's MR. A slab of all output planes
     * is the whole padded sample.
     */
    private record Layout(int dp, int hp, int wp, int volume, int grid, int sampleStride, int[] rows) {
        static Layout of(Convolution3d.Geometry g, int planes) {
            int[] pad = g.p().padding(), dil = g.p().dilation(), k = g.kernel(), in = g.in();
            int hp = in[1] + 2 * pad[1], wp = in[2] + 2 * pad[2];
            long dp = planes + (long) dil[0] * (k[0] - 1), volume = dp * hp * wp, grid = (long) planes * hp * wp;
            long stride = g.c() * volume + (long) dil[1] * (k[1] - 1) * wp + (long) dil[2] * (k[2] - 1) + 64;
            if (stride > Integer.MAX_VALUE - 64) return null;
            int[] rows = new int[Gemm.roundUp(g.rows(), 24)];
            for (int c = 0, r = 0; c < g.c(); c++)
                for (int kd = 0; kd < k[0]; kd++)
                    for (int kh = 0; kh < k[1]; kh++)
                        for (int kw = 0; kw < k[2]; kw++)
                            rows[r++] = (int)
                                    (c * volume + ((long) kd * dil[0] * hp + (long) kh * dil[1]) * wp + kw * dil[2]);
            return new Layout((int) dp, hp, wp, (int) volume, (int) grid, (int) stride, rows);
        }
    }

    /** Samples [first, first + samples) padded together, or output planes [od0, od0 + planes) of one sample. */
    private record Part(int first, int samples, int od0, int planes) {}

    /**
     * How a convolution is padded: whole samples, as many to a buffer as fit in {@code chunkFloats}, or — where one
     * sample does not fit (a block of a large stack at inference: 16 channels of 112 × 304 × 304 voxels are 660 MB
     * padded) — slabs of output planes, each padded with the planes its kernel reaches, one at a time. Null where the
     * scheme does not apply: strides, groups, a grid too small to pay for the padding, a plane beyond one array.
     */
    private record Plan(Layout layout, List<Part> parts, int bufferFloats) {
        static Plan of(Convolution3d.Geometry g) {
            int[] st = g.p().stride();
            if (g.p().groups() != 1 || st[0] != 1 || st[1] != 1 || st[2] != 1) return null;
            int depth = g.out()[0];
            Layout whole = Layout.of(g, depth);
            if (whole == null || whole.grid() < DirectConv.DOT_MIN_GRID) return null;
            List<Part> parts = new ArrayList<>();
            if (whole.sampleStride() <= g.chunkFloats()) {
                int per = Math.max(1, g.chunkFloats() / whole.sampleStride());
                for (int s = 0; s < g.n(); s += per) parts.add(new Part(s, Math.min(per, g.n() - s), 0, depth));
                return new Plan(whole, parts, Math.min(per, g.n()) * whole.sampleStride());
            }
            long perPlane = (long) g.c() * whole.hp() * whole.wp(); // and each slab reads whole.dp() − depth more
            int planes = (int) Math.max(1, Math.min(depth, g.chunkFloats() / perPlane - (whole.dp() - depth)));
            Layout slab = Layout.of(g, planes);
            if (slab == null) return null;
            for (int s = 0; s < g.n(); s++)
                for (int od = 0; od < depth; od += planes) parts.add(new Part(s, 1, od, Math.min(planes, depth - od)));
            return new Plan(slab, parts, slab.sampleStride());
        }
    }

    /**
     * y (+)= conv3d(x) without bias, or false (nothing done) where the scheme does not apply: per (sample, panel of the
     * grid) item the weights packed once times the shifted rows read in place ({@link Gemm#multiplyIndirectB}) into a
     * tile, whose output voxels are then copied (or added) into y — nothing unfolded.
     */
    static boolean forward(Convolution3d.Geometry g, float[] x, float[] w, float[] y, boolean accumulate) {
        Plan plan = Plan.of(g);
        if (plan == null) return false;
        int co = g.cOut(), k = g.rows();
        float[] packed = new float[Gemm.packedASize(co, k)];
        Gemm.packA(false, co, k, w, 0, k, packed);
        for (Part part : plan.parts()) {
            float[] xPad = pad(g, x, plan, part);
            forward(g, plan.layout(), part, packed, xPad, y, accumulate);
            BufferPool.give(xPad);
        }
        return true;
    }

    private static void forward(
            Convolution3d.Geometry g, Layout l, Part part, float[] packed, float[] xPad, float[] y, boolean add) {
        int co = g.cOut(), k = g.rows(), nr = Gemm.kernel().nr(), grid = part.planes() * l.hp() * l.wp();
        int pw = Math.min(Gemm.roundUp(Math.max(64, 16384 / co), nr), Gemm.roundUp(grid, nr));
        int panels = (grid + pw - 1) / pw;
        int[] out = g.out();
        Parallel.forEach(part.samples() * panels, item -> {
            int i = item / panels, q0 = item % panels * pw, width = Math.min(pw, grid - q0);
            float[] tile = Scratch.get(Scratch.COLUMNS, co * width);
            Gemm.multiplyIndirectB(
                    co, width, k, packed, xPad, i * l.sampleStride() + q0, l.rows(), tile, 0, width, false);
            for (int o = 0; o < co; o++) {
                int yBase = ((part.first() + i) * co + o) * g.voxels(), t = o * width - q0;
                for (int q = q0; q < q0 + width; ) { // the output voxels of each grid row in the panel
                    int row = q / l.wp(), ow = q - row * l.wp(), end = Math.min(q0 + width, (row + 1) * l.wp());
                    int oh = row % l.hp(), real = oh < out[1] ? Math.max(0, Math.min(end - q, out[2] - ow)) : 0;
                    int dst = yBase + ((part.od0() + row / l.hp()) * out[1] + oh) * out[2] + ow;
                    if (add) for (int j = 0; j < real; j++) y[dst + j] += tile[t + q + j];
                    else if (real > 0) System.arraycopy(tile, t + q, y, dst, real);
                    q = end;
                }
            }
        });
    }

    /** How many padded buffers the convolution is split into (0: not run directly); for tests. */
    static int buffers(Convolution3d.Geometry g) {
        Plan plan = Plan.of(g);
        return plan == null ? 0 : plan.parts().size();
    }

    /** dW += the weight gradient, or false (nothing done) where the scheme does not apply. */
    static boolean weightGradient(Convolution3d.Geometry g, float[] x, float[] dy, float[] dw) {
        Plan plan = Plan.of(g);
        if (plan == null) return false;
        for (Part part : plan.parts()) {
            float[] xPad = pad(g, x, plan, part);
            dots(g, xPad, plan.layout(), part, dy, dw);
            BufferPool.give(xPad);
        }
        return true;
    }

    /**
     * Zero-padded copy of the part's input, one (sample, channel) volume per item: padded plane z holds input plane
     * od0 − padD + z. Every buffer of a plan has the same size (a short last slab too), so the pool reuses one.
     */
    private static float[] pad(Convolution3d.Geometry g, float[] x, Plan plan, Part part) {
        Layout l = plan.layout();
        int[] in = g.in(), p = g.p().padding();
        int d = in[0], h = in[1], w = in[2], hp = l.hp(), wp = l.wp(), stride = l.sampleStride(), dp = l.dp();
        float[] out = BufferPool.take(plan.bufferFloats());
        Parallel.forEach(part.samples() * g.c(), item -> {
            int i = item / g.c(), c = item % g.c(), base = i * stride + c * l.volume();
            int end = c == g.c() - 1 ? (i + 1) * stride : base + l.volume(); // the last channel zeroes the slack
            Arrays.fill(out, base, end, 0f);
            int src = ((part.first() + i) * g.c() + c) * d * h * w;
            for (int zp = 0; zp < dp; zp++) {
                int z = part.od0() - p[0] + zp;
                if (z < 0 || z >= d) continue;
                for (int y = 0; y < h; y++)
                    System.arraycopy(x, src + (z * h + y) * w, out, base + (zp * hp + y + p[1]) * wp + p[2], w);
            }
        });
        return out;
    }

    /**
     * dW[o, r] += Σ_q dyGrid[o][q]·xPad[rows[r] + q] over the part's grid, in (sample, run of segments) items whose
     * partial sums are added in a fixed order ({@link Reductions#weightGradient}), the dots by
     * {@link DirectConv#addDots}.
     */
    private static void dots(Convolution3d.Geometry g, float[] xPad, Layout l, Part part, float[] dy, float[] dw) {
        int co = g.cOut(), k = g.rows(), seg = DirectConv.DOT_SEGMENT;
        int grid = part.planes() * l.hp() * l.wp(), segments = (grid + seg - 1) / seg;
        int planeOffset = part.od0() * g.out()[1] * g.out()[2];
        Reductions.weightGradient(part.samples(), segments, 1, k, co, dw, (i, p0, p1, dwt) -> {
            int q0 = p0 * seg, len = Gemm.roundUp(Math.min(p1 * seg, grid) - q0, 16);
            float[] dyGrid = Scratch.get(Scratch.COLUMNS, co * len);
            for (int o = 0; o < co; o++) {
                int base = ((part.first() + i) * co + o) * g.voxels() + planeOffset;
                dyOnGrid(dy, base, g.out(), l.hp(), l.wp(), grid, q0, len, dyGrid, o * len);
            }
            DirectConv.addDots(len, dyGrid, co, xPad, l.rows(), k, i * l.sampleStride() + q0, dwt);
        });
    }

    /**
     * Grid voxels [q0, q0 + len) of one dy channel (starting at dy[base], [OD, OH, OW]) into dst[dOff...]: the output
     * voxels where the grid has them, zeros on the grid's extra rows and columns and past its end.
     */
    private static void dyOnGrid(
            float[] dy, int base, int[] out, int hp, int wp, int grid, int q0, int len, float[] dst, int dOff) {
        int end = q0 + len, t = dOff - q0;
        for (int q = q0; q < end; ) {
            int row = q / wp, rowEnd = Math.min(end, (row + 1) * wp), oh = row % hp;
            if (q < grid && oh < out[1]) {
                int realEnd = Math.min(rowEnd, row * wp + out[2]);
                int src = base + (row / hp * out[1] + oh) * out[2] - row * wp; // src + q: the voxel of grid q
                if (realEnd > q) System.arraycopy(dy, src + q, dst, t + q, realEnd - q);
                int zeroFrom = Math.max(q, realEnd);
                if (rowEnd > zeroFrom) Arrays.fill(dst, t + zeroFrom, t + rowEnd, 0f);
            } else {
                Arrays.fill(dst, t + q, t + rowEnd, 0f);
            }
            q = rowEnd;
        }
    }
}
