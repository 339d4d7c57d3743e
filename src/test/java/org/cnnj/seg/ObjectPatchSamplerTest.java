package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

class ObjectPatchSamplerTest {
    @Test
    void labelsAndTargetsStayWithThePixelsAtEveryZoomAndFlip() {
        // Image = its own label pattern: bright squares (label 1) on dark ground; the target marks the same pixels.
        int w = 40, h = 30;
        float[] image = new float[w * h], target = new float[w * h];
        int[] classes = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean in = (x / 6 + y / 6) % 2 == 0;
                image[y * w + x] = in ? 1 : 0;
                target[y * w + x] = in ? 1 : 0;
                classes[y * w + x] = in ? 1 : 0;
            }
        }
        ObjectPatchSampler s = new ObjectPatchSampler(
                List.of(new ObjectPatchSampler.Image(new float[][] {image}, classes, target, classes, w, h, 1)),
                new ObjectPatchSampler.Settings(0.5f, 2f, 0f, 0f, null),
                new Rng(5));
        int agree = 0, total = 0;
        for (int k = 0; k < 20; k++) {
            ObjectPatchSampler.Batch b = s.next(2, 48); // larger than the image: mirrored beyond its edges
            for (int i = 0; i < b.labels().length; i++) {
                float v = b.images()[i];
                if (v > 0.9f || v < 0.1f) { // away from edges, where bilinear and nearest differ by design
                    total++;
                    if ((v > 0.5f) == (b.labels()[i] == 1)) agree++;
                    assertEquals(v, b.targets()[i], 1e-6f, "image and distance target are resampled alike");
                }
            }
        }
        assertTrue(total > 20_000, "enough unambiguous pixels: " + total);
        assertEquals(total, agree, "labels move with the pixels");
    }

    @Test
    void mirrorFoldsAnyIndexIntoTheImage() {
        assertEquals(0, ObjectPatchSampler.mirror(-1, 5));
        assertEquals(4, ObjectPatchSampler.mirror(5, 5));
        assertEquals(3, ObjectPatchSampler.mirror(-14, 5));
        assertEquals(0, ObjectPatchSampler.mirror(7, 1));
    }
}
