package org.cnnj.ops;

import java.util.Arrays;
import org.cnnj.tensor.Shapes;
import org.cnnj.tensor.Tensor;
import org.cnnj.tensor.Trace;
import org.cnnj.util.Parallel;

/**
 * ROI Align (Mask R-CNN): each box is cut into P×P bins and each bin averages S×S bilinear samples of
 * the feature map, so box edges need not fall on feature pixels. Same numbers as torchvision's
 * roi_align(aligned=True) and ONNX RoiAlign-16 (coordinate_transformation_mode=half_pixel, mode=avg).
 *
 * <p>Shapes: features [N, C, H, W]; boxes K × (x1, y1, x2, y2) in input pixels with a batch index each
 * → [K, C, P, P]. The gradient flows into the features only: boxes come from the proposal stage,
 * which is not differentiated (as in Faster R-CNN's approximate joint training).
 */
public final class RoiAlign {
    private RoiAlign() {}

    /**
     * @param boxes        4 values per box: x1, y1, x2, y2 in input-image pixels
     * @param batchIndex   which sample of the batch each box belongs to
     * @param spatialScale feature pixels per input pixel (1/stride)
     * @param samplingRatio samples per bin along each axis (fixed, unlike the adaptive 0 of the frameworks)
     */
    public static Tensor apply(
            Tensor features, float[] boxes, int[] batchIndex, float spatialScale, int outputSize, int samplingRatio) {
        Shapes.requireRank("roi_align", "features", features, 4, "[N, C, H, W]");
        int k = batchIndex.length, n = features.dim(0), c = features.dim(1), h = features.dim(2), w = features.dim(3);
        if (boxes.length != 4 * k) {
            throw new IllegalArgumentException(
                    "roi_align: " + boxes.length + " box values for " + k + " boxes; give x1, y1, x2, y2 per box");
        }
        if (outputSize < 1 || samplingRatio < 1)
            throw new IllegalArgumentException("roi_align: output size and sampling ratio must be >= 1");
        for (int b : batchIndex) {
            if (b < 0 || b >= n)
                throw new IllegalArgumentException("roi_align: batch index " + b + " outside the batch of " + n);
        }
        Trace.unsupported("roi_align (CNN-J runs it in Java between the two exported graphs)");
        Samples samples = new Samples(boxes, batchIndex, spatialScale, outputSize, samplingRatio, h, w);
        int bins = outputSize * outputSize, plane = h * w;
        float[] y = new float[k * c * bins];
        // Channels-last copy of the features: each bilinear tap then reads C contiguous values (a loop the JIT
        // vectorizes).
        float[] hwc = channelsLast(features.data(), n, c, plane);
        Parallel.forEach(k, r -> {
            float[] acc = new float[c];
            int sampleBase = batchIndex[r] * plane * c;
            for (int bin = 0; bin < bins; bin++) {
                Arrays.fill(acc, 0f);
                samples.accumulate(r, bin, hwc, sampleBase, c, acc);
                for (int ch = 0; ch < c; ch++) y[(r * c + ch) * bins + bin] = acc[ch];
            }
        });
        return Tensor.result(
                "roi_align",
                y,
                new int[] {k, c, outputSize, outputSize},
                t -> {
                    float[] gy = t.grad(), gx = features.grad();
                    // Split by channel: every channel's gradient plane is written by one thread only.
                    Parallel.forEach(c, ch -> {
                        for (int r = 0; r < k; r++) {
                            int in = (batchIndex[r] * c + ch) * plane, out = (r * c + ch) * bins;
                            for (int bin = 0; bin < bins; bin++) samples.scatter(r, bin, gy[out + bin], gx, in);
                        }
                    });
                },
                features);
    }

    private static float[] channelsLast(float[] x, int n, int c, int plane) {
        float[] out = new float[x.length];
        Parallel.forEach(n * c, nc -> {
            int s = nc / c, ch = nc % c, src = nc * plane, dst = s * plane * c + ch;
            for (int p = 0; p < plane; p++) out[dst + p * c] = x[src + p];
        });
        return out;
    }

    /** Bilinear taps of every sample point, computed once and shared by all channels (and the backward pass). */
    private static final class Samples {
        private final int perBin, bins;
        private final int[] index; // [K, bins, S·S, 4] offsets into a feature plane, -1 for points outside
        private final float[] weight; // same layout, already divided by S·S

        Samples(float[] boxes, int[] batchIndex, float scale, int size, int ratio, int h, int w) {
            int k = batchIndex.length;
            bins = size * size;
            perBin = ratio * ratio * 4;
            index = new int[k * bins * perBin];
            weight = new float[index.length];
            float norm = 1f / (ratio * ratio);
            for (int r = 0; r < k; r++) {
                float x0 = boxes[4 * r] * scale - 0.5f, y0 = boxes[4 * r + 1] * scale - 0.5f;
                float binW = (boxes[4 * r + 2] * scale - 0.5f - x0) / size,
                        binH = (boxes[4 * r + 3] * scale - 0.5f - y0) / size;
                for (int py = 0; py < size; py++) {
                    for (int px = 0; px < size; px++) {
                        int at = ((r * size + py) * size + px) * perBin;
                        for (int iy = 0; iy < ratio; iy++) {
                            float sy = y0 + py * binH + (iy + 0.5f) * binH / ratio;
                            for (int ix = 0; ix < ratio; ix++, at += 4) {
                                float sx = x0 + px * binW + (ix + 0.5f) * binW / ratio;
                                taps(sy, sx, h, w, norm, at);
                            }
                        }
                    }
                }
            }
        }

        /** The four bilinear neighbours of (y, x); points more than one pixel outside contribute nothing. */
        private void taps(float y, float x, int h, int w, float norm, int at) {
            if (y < -1f || y > h || x < -1f || x > w) {
                for (int i = 0; i < 4; i++) index[at + i] = -1;
                return;
            }
            y = Math.max(y, 0f);
            x = Math.max(x, 0f);
            int yl = (int) y, xl = (int) x, yh, xh;
            if (yl >= h - 1) {
                yl = yh = h - 1;
                y = yl;
            } else {
                yh = yl + 1;
            }
            if (xl >= w - 1) {
                xl = xh = w - 1;
                x = xl;
            } else {
                xh = xl + 1;
            }
            float ly = y - yl, lx = x - xl, hy = 1f - ly, hx = 1f - lx;
            index[at] = yl * w + xl;
            index[at + 1] = yl * w + xh;
            index[at + 2] = yh * w + xl;
            index[at + 3] = yh * w + xh;
            weight[at] = hy * hx * norm;
            weight[at + 1] = hy * lx * norm;
            weight[at + 2] = ly * hx * norm;
            weight[at + 3] = ly * lx * norm;
        }

        /** acc[ch] += Σ taps weight · features[offset + index·c + ch], for channels-last features. */
        void accumulate(int box, int bin, float[] hwc, int offset, int c, float[] acc) {
            int at = (box * bins + bin) * perBin;
            for (int i = at; i < at + perBin; i++) {
                if (index[i] < 0 || weight[i] == 0f) continue;
                float w = weight[i];
                int base = offset + index[i] * c;
                for (int ch = 0; ch < c; ch++) acc[ch] += w * hwc[base + ch];
            }
        }

        void scatter(int box, int bin, float g, float[] plane, int offset) {
            int at = (box * bins + bin) * perBin;
            for (int i = at; i < at + perBin; i++) if (index[i] >= 0) plane[offset + index[i]] += g * weight[i];
        }
    }
}
