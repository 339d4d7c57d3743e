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
            List<Integer> free = new ArrayList<>();
            int own = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    if (in.probabilityAt(x + 0.5f, y + 0.5f) < THRESHOLD) continue;
                    own++;
                    if (labels[y * width + x] == 0) free.add(y * width + x);
                }
            }
            if (free.isEmpty() || 2 * free.size() < own) continue;
            int id = kept.size() + 1;
            for (int p : free) labels[p] = id;
            kept.add(in);
            areas.add(free.size());
        }
        return new Result(
                labels,
                width,
                height,
                kept,
                areas.stream().mapToInt(Integer::intValue).toArray());
    }
}
