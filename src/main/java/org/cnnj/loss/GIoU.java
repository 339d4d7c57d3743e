package org.cnnj.loss;

import org.cnnj.tensor.Tensor;

/**
 * Generalized IoU loss (Rezatofighi et al. 2019) on boxes given as distances from a location to their left, top,
 * right and bottom sides, as anchor-free detectors (FCOS) predict them: distances = e^raw (positive by
 * construction), compared with target distances in the same units. Per location 1 − GIoU, with GIoU = IoU − (E −
 * U)/E (E: the smallest box enclosing both, U: their union), weighted (0 = no object there) and divided by a
 * normalizer. Shapes: raw and targets [N, 4, H, W] (channels l, t, r, b), weights [N·H·W].
 */
public final class GIoU {
    private GIoU() {}

    public static Tensor apply(Tensor raw, float[] targets, float[] weights, float normalizer) {
        if (raw.rank() != 4 || raw.dim(1) != 4)
            throw new IllegalArgumentException("giou: raw distances must be [N, 4, H, W], got " + raw);
        int n = raw.dim(0), plane = raw.dim(2) * raw.dim(3);
        if (targets.length != raw.size() || weights.length != n * plane)
            throw new IllegalArgumentException("giou: targets must be [N, 4, H, W] and weights [N·H·W]");
        if (!(normalizer > 0)) throw new IllegalArgumentException("giou: normalizer must be > 0, got " + normalizer);
        float[] x = raw.data();
        double sum = 0;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < plane; i++) {
                float w = weights[b * plane + i];
                if (w == 0f) continue;
                sum += w * (1 - new Pair(x, targets, b * 4 * plane + i, plane).giou());
            }
        return Tensor.result(
                "giou",
                new float[] {(float) (sum / normalizer)},
                new int[] {1},
                out -> {
                    double g = out.grad()[0] / normalizer;
                    float[] gx = raw.grad();
                    for (int b = 0; b < n; b++)
                        for (int i = 0; i < plane; i++) {
                            float w = weights[b * plane + i];
                            if (w == 0f) continue;
                            int at = b * 4 * plane + i;
                            double[] d = new Pair(x, targets, at, plane).gradient();
                            // d(1 − GIoU)/d raw_k = −dGIoU/dd_k · d_k (d = e^raw)
                            for (int k = 0; k < 4; k++)
                                gx[at + k * plane] -= (float) (g * w * d[k] * Math.exp(x[at + k * plane]));
                        }
                },
                raw);
    }

    /** One location's predicted (e^raw) and target distances l, t, r, b. */
    private static final class Pair {
        final double[] p = new double[4], q = new double[4];

        Pair(float[] raw, float[] targets, int at, int plane) {
            for (int k = 0; k < 4; k++) {
                p[k] = Math.exp(raw[at + k * plane]);
                q[k] = targets[at + k * plane];
            }
        }

        double giou() {
            double w = Math.min(p[0], q[0]) + Math.min(p[2], q[2]), h = Math.min(p[1], q[1]) + Math.min(p[3], q[3]);
            double inter = w * h, union = area(p) + area(q) - inter;
            double enclose =
                    (Math.max(p[0], q[0]) + Math.max(p[2], q[2])) * (Math.max(p[1], q[1]) + Math.max(p[3], q[3]));
            return inter / union - (enclose - union) / enclose;
        }

        /**
         * dGIoU/dp_k. GIoU = I/U − 1 + U/E, U = A_p + A_q − I: with I = iw·ih, A_p = (l + r)(t + b), E = ew·eh,
         * dGIoU/dx = (I'·U − I·U')/U² + (U'·E − U·E')/E², U' = A_p' − I'.
         */
        double[] gradient() {
            double iw = Math.min(p[0], q[0]) + Math.min(p[2], q[2]), ih = Math.min(p[1], q[1]) + Math.min(p[3], q[3]);
            double ew = Math.max(p[0], q[0]) + Math.max(p[2], q[2]), eh = Math.max(p[1], q[1]) + Math.max(p[3], q[3]);
            double pw = p[0] + p[2], ph = p[1] + p[3];
            double inter = iw * ih, union = pw * ph + area(q) - inter, enclose = ew * eh;
            double[] out = new double[4];
            for (int k = 0; k < 4; k++) {
                boolean horizontal = k == 0 || k == 2;
                double dInter = (p[k] < q[k] ? 1 : 0) * (horizontal ? ih : iw);
                double dArea = horizontal ? ph : pw;
                double dEnclose = (p[k] > q[k] ? 1 : 0) * (horizontal ? eh : ew);
                double dUnion = dArea - dInter;
                out[k] = (dInter * union - inter * dUnion) / (union * union)
                        + (dUnion * enclose - union * dEnclose) / (enclose * enclose);
            }
            return out;
        }

        private static double area(double[] d) {
            return (d[0] + d[2]) * (d[1] + d[3]);
        }
    }
}
