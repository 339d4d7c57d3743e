package org.cnnj.det;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Masks pasted into an image as one instance label image: each detection's mask is sampled at every pixel centre of
 * its box (bilinear, so outlines fall between the mask's cells, not on them), a pixel belongs to the object where the
 * probability is ≥ 0.5; where two masks claim a pixel, the higher-scoring detection keeps it. A detection left with
 * less than half of its own mask (a duplicate NMS let through) is dropped, so every object is one label.
 */
public final class MaskPaste {
    /** Label image (object i + 1 is {@code objects.get(i)}; 0 background) and the objects in label order. */
    public record Result(int[] labels, int width, int height, List<Instance> objects, int[] areas) {}

    public static final float THRESHOLD = 0.5f;

    private MaskPaste() {}

    public static Result labels(List<Instance> instances, int width, int height) {
        List<Instance> ranked = new ArrayList<>(instances);
        ranked.sort(Comparator.comparingDouble((Instance i) -> -i.detection().score()));
        int[] labels = new int[width * height];
        List<Instance> kept = new ArrayList<>();
        List<Integer> areas = new ArrayList<>();
        for (Instance in : ranked) {
            if (in.mask() == null) continue;
            Detection d = in.detection();
            int x0 = Math.max(0, (int) Math.floor(d.x1())), x1 = Math.min(width, (int) Math.ceil(d.x2()));
            int y0 = Math.max(0, (int) Math.floor(d.y1())), y1 = Math.min(height, (int) Math.ceil(d.y2()));
            int[] free =
                    new int[Math.max(0, x1 - x0) * Math.max(0, y1 - y0)]; // pixels of the mask no stronger object holds
            int own = 0, count = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    if (in.probabilityAt(x + 0.5f, y + 0.5f) < THRESHOLD) continue;
                    own++;
                    if (labels[y * width + x] == 0) free[count++] = y * width + x;
                }
            }
            if (count == 0 || 2 * count < own) continue;
            int id = kept.size() + 1;
            for (int k = 0; k < count; k++) labels[free[k]] = id;
            kept.add(in);
            areas.add(count);
        }
        return new Result(
                labels,
                width,
                height,
                kept,
                areas.stream().mapToInt(Integer::intValue).toArray());
    }
}
