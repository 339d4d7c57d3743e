package org.cnnj.det;

/**
 * Mask targets of the foreground ROIs (Mask R-CNN): the matched object's pixels (from an instance label map) cut to the
 * ROI's box and resampled to size × size cells, 2 × 2 bilinear samples per cell, a cell 1 where they average ≥ 0.5 (as
 * torchvision's roi_align of the ground-truth mask, then 0.5). The box is the ROI, not the object's box, so the head
 * learns to outline the object wherever the proposal put it.
 *
 * <p>Shapes: labels [size², row-major] with object i as value i + 1 (0 background); per ROI 4 box values (patch
 * pixels) → targets [K, size, size].
 */
public final class MaskTargets {
    private MaskTargets() {}

    /**
     * @param boxes   4 values per ROI (x1, y1, x2, y2)
     * @param objects per ROI the object (0-based) whose pixels it learns
     */
    static float[] of(float[] boxes, int[] objects, int[] labels, int width, int height, int size) {
        float[] out = new float[objects.length * size * size];
        for (int r = 0; r < objects.length; r++)
            write(boxes, r, objects[r], labels, width, height, size, out, r * size * size);
        return out;
    }

    /** The target of ROI {@code r} (its box in {@code boxes}) learning {@code object}, into out[at .. at + size²). */
    static void write(
            float[] boxes, int r, int object, int[] labels, int width, int height, int size, float[] out, int at) {
        float x1 = boxes[4 * r], y1 = boxes[4 * r + 1];
        float cw = (boxes[4 * r + 2] - x1) / size, ch = (boxes[4 * r + 3] - y1) / size;
        int id = object + 1;
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                float sum = 0;
                for (int sy = 0; sy < 2; sy++) {
                    for (int sx = 0; sx < 2; sx++) {
                        float x = x1 + (j + (sx + 0.5f) / 2) * cw, y = y1 + (i + (sy + 0.5f) / 2) * ch;
                        sum += inside(labels, width, height, id, x - 0.5f, y - 0.5f);
                    }
                }
                out[at + i * size + j] = sum >= 2f ? 1f : 0f;
            }
        }
    }

    /** Bilinear value of the indicator "pixel == id" at continuous pixel coordinates (centres at integers). */
    private static float inside(int[] labels, int width, int height, int id, float u, float v) {
        int u0 = (int) Math.floor(u), v0 = (int) Math.floor(v);
        float fu = u - u0, fv = v - v0, s = 0;
        for (int dv = 0; dv <= 1; dv++) {
            for (int du = 0; du <= 1; du++) {
                int x = u0 + du, y = v0 + dv;
                if (x < 0 || y < 0 || x >= width || y >= height || labels[y * width + x] != id) continue;
                s += (du == 0 ? 1 - fu : fu) * (dv == 0 ? 1 - fv : fv);
            }
        }
        return s;
    }

    /** Bilinear value of a size × size map at (u, v) (cell centres at integers), edges clamped. */
    static float bilinear(float[] map, int size, float u, float v) {
        if (size == 1) return map[0];
        u = Math.max(0, Math.min(size - 1, u));
        v = Math.max(0, Math.min(size - 1, v));
        int u0 = Math.min((int) u, size - 2), v0 = Math.min((int) v, size - 2);
        float fu = u - u0, fv = v - v0;
        float top = map[v0 * size + u0] * (1 - fu) + map[v0 * size + u0 + 1] * fu;
        float bottom = map[(v0 + 1) * size + u0] * (1 - fu) + map[(v0 + 1) * size + u0 + 1] * fu;
        return top * (1 - fv) + bottom * fv;
    }
}
