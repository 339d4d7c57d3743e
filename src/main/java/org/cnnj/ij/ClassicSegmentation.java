package org.cnnj.ij;

import ij.plugin.filter.EDM;
import ij.process.AutoThresholder;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

/**
 * The pipeline a Fiji user tries first on fluorescent nuclei, with ImageJ's own classes: Image › Adjust ›
 * Auto Threshold (Otsu, dark background), Process › Binary › Watershed, then Analyze Particles
 * (8-connected objects). The baseline that a trained model has to beat.
 */
public final class ClassicSegmentation {
    private ClassicSegmentation() {}

    /** Label image 1..n (0 = background) of the image's objects brighter than Otsu's threshold, split by ImageJ's watershed. */
    public static int[] otsuWatershed(ImageProcessor image) {
        ByteProcessor bytes = image.convertToByteProcessor(true);
        int threshold = new AutoThresholder().getThreshold(AutoThresholder.Method.Otsu, bytes.getHistogram());
        int w = bytes.getWidth(), h = bytes.getHeight();
        ByteProcessor mask = new ByteProcessor(w, h);
        for (int i = 0; i < w * h; i++) mask.set(i, bytes.get(i) > threshold ? 255 : 0);
        new EDM().toWatershed(mask); // foreground 255 on 0, as Process › Binary › Watershed with black background
        return components8(mask, w, h);
    }

    private static int[] components8(ByteProcessor mask, int w, int h) {
        int[] labels = new int[w * h], queue = new int[w * h];
        int next = 0;
        for (int start = 0; start < labels.length; start++) {
            if (mask.get(start) == 0 || labels[start] != 0) continue;
            labels[start] = ++next;
            int head = 0, tail = 0;
            queue[tail++] = start;
            while (head < tail) {
                int p = queue[head++], x = p % w, y = p / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                        int q = ny * w + nx;
                        if (mask.get(q) != 0 && labels[q] == 0) {
                            labels[q] = next;
                            queue[tail++] = q;
                        }
                    }
                }
            }
        }
        return labels;
    }
}
