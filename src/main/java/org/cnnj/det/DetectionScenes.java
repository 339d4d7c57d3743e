package org.cnnj.det;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.data.Labels;
import org.cnnj.data.Microscope;
import org.cnnj.util.Rng;

/**
 * Deterministic synthetic detection scenes with ground-truth boxes: fluorescent cells of two kinds,
 * "round" (near-circular, 10–24 px across) and "elongated" (rods 2.5–4× longer than wide, 18–40 px
 * long, any orientation), of varying brightness, some touching or slightly overlapping, with blur, an
 * uneven background and Poisson + Gaussian noise. A cell's box is the bounding box of the pixels it
 * owns where cells overlap (the one in front wins). Same seed, same scene.
 */
public final class DetectionScenes {
    public static final List<String> CLASSES = List.of("round", "elongated");

    /**
     * An image (roughly 0..255 photon counts) with one box (x1, y1, x2, y2; 4 floats) and class per cell, and the
     * cells' pixels as an instance label map (cell k as k + 1, in box order).
     */
    public record Scene(int width, int height, float[] image, float[] boxes, int[] classes, int[] labels) {
        public int objects() {
            return classes.length;
        }
    }

    private DetectionScenes() {}

    /** About one cell per {@code 1/density} pixels (0.0015: ~25 cells in 128×128). */
    public static Scene generate(long seed, int width, int height, double density) {
        if (width < 32 || height < 32)
            throw new IllegalArgumentException(
                    "detection scenes: image must be at least 32x32, got " + width + "x" + height);
        // Cells are 5-20 px across and must not hide each other: beyond ~1 per 100 px² they cannot be placed (and the
        // placing would run for hours: it tries 40 places per wanted cell against every cell already placed).
        if (!(density > 0 && density <= 0.01))
            throw new IllegalArgumentException("detection scenes: density must be in (0, 0.01] cells per pixel, got "
                    + density + " (0.0015: about 25 cells in 128x128)");
        Rng rng = new Rng(seed);
        int target = Math.max(1, (int) Math.round(density * width * height));
        List<double[]> cells = new ArrayList<>(); // cx, cy, semi-major, semi-minor, angle, brightness, class
        for (int attempt = 0; attempt < 40 * target && cells.size() < target; attempt++) {
            int kind = rng.nextInt(2);
            double a, b;
            if (kind == 0) {
                a = 5 + 7 * rng.uniform();
                b = a * (0.85 + 0.15 * rng.uniform());
            } else {
                a = 9 + 11 * rng.uniform();
                b = a / (2.5 + 1.5 * rng.uniform());
            }
            double x = rng.uniform() * width, y = rng.uniform() * height;
            boolean crowded = false;
            for (double[] c : cells) {
                // Touching (and a little overlap) is wanted; one cell hiding another is not.
                double d = Math.hypot(x - c[0], y - c[1]);
                crowded |= d < 0.9 * (b + c[3]) || d < 0.6 * (a + c[2]);
            }
            if (crowded) continue;
            cells.add(new double[] {x, y, a, b, rng.uniform() * Math.PI, 80 + 120 * rng.uniform(), kind});
        }
        int[] owner = new int[width * height];
        float[] signal = new float[width * height];
        for (int i = 0; i < cells.size(); i++) paint(cells.get(i), i + 1, owner, signal, width, height, rng);

        float[] image = Microscope.blur(signal, width, height, 1.2);
        double gx = rng.uniform(-1, 1), gy = rng.uniform(-1, 1), base = 12 + 10 * rng.uniform();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x;
                double background = base * (1 + 0.6 * (gx * x / width + gy * y / height));
                image[p] = (float) Math.max(0, Microscope.poisson(image[p] + background, rng) + 4.0 * rng.normal());
            }
        }
        return boxesOf(owner, cells, width, height, image);
    }

    private static void paint(double[] c, int id, int[] owner, float[] signal, int width, int height, Rng rng) {
        double cos = Math.cos(c[4]), sin = Math.sin(c[4]), r = c[2] + 1;
        int x0 = (int) Math.max(0, c[0] - r), x1 = (int) Math.min(width - 1, c[0] + r);
        int y0 = (int) Math.max(0, c[1] - r), y1 = (int) Math.min(height - 1, c[1] + r);
        double phase = rng.uniform() * 6.28;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double dx = x + 0.5 - c[0], dy = y + 0.5 - c[1];
                double u = (dx * cos + dy * sin) / c[2], v = (-dx * sin + dy * cos) / c[3];
                double inside = 1 - (u * u + v * v);
                if (inside <= 0) continue;
                int p = y * width + x;
                owner[p] = id;
                double texture = 1 + 0.12 * Math.sin(0.4 * x + phase) * Math.cos(0.4 * y - phase);
                signal[p] = (float) (c[5] * texture * (0.7 + 0.3 * Math.min(1, 3 * inside)));
            }
        }
    }

    private static Scene boxesOf(int[] owner, List<double[]> cells, int width, int height, float[] image) {
        int n = cells.size();
        int[] b = Labels.bounds(owner, width, height, n);
        List<Integer> visible = new ArrayList<>();
        for (int id = 1; id <= n; id++) {
            // Cells cut by the image edge to a sliver are not annotated (nor findable).
            if (b[4 * id + 2] >= 0 && b[4 * id + 2] - b[4 * id] >= 3 && b[4 * id + 3] - b[4 * id + 1] >= 3)
                visible.add(id);
        }
        float[] boxes = new float[4 * visible.size()];
        int[] classes = new int[visible.size()], renumbered = new int[n + 1], labels = new int[owner.length];
        for (int k = 0; k < visible.size(); k++) {
            int id = visible.get(k);
            boxes[4 * k] = b[4 * id];
            boxes[4 * k + 1] = b[4 * id + 1];
            boxes[4 * k + 2] = b[4 * id + 2] + 1;
            boxes[4 * k + 3] = b[4 * id + 3] + 1;
            classes[k] = (int) cells.get(id - 1)[6];
            renumbered[id] = k + 1;
        }
        for (int p = 0; p < owner.length; p++) labels[p] = renumbered[owner[p]];
        return new Scene(width, height, image, boxes, classes, labels);
    }
}
