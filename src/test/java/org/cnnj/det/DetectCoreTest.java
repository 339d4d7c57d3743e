package org.cnnj.det;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** Box arithmetic, anchors, NMS, target assignment and box-consistent augmentation. */
class DetectCoreTest {
    @Test
    void anAnnotatedImageHalvedKeepsItsObjectsOnTheirPixels() {
        float[] plane = new float[8 * 6];
        for (int i = 0; i < plane.length; i++) plane[i] = i;
        int[] masks = new int[8 * 6];
        for (int y = 2; y < 6; y++) for (int x = 4; x < 8; x++) masks[y * 8 + x] = 1;
        AnnotatedImage a =
                new AnnotatedImage("a", new float[][] {plane}, 8, 6, new float[] {4, 2, 8, 6}, new int[] {0}, masks);
        AnnotatedImage h = a.scaled(0.5);
        assertEquals(4, h.width());
        assertEquals(3, h.height());
        assertArrayEquals(new float[] {2, 1, 4, 3}, h.boxes(), 0f, "the box halved");
        // At 0.5 each pixel is the mean of the four it covers: pixel (0, 0) of 0, 1, 8, 9.
        assertEquals(4.5f, h.channels()[0][0], 1e-5f);
        assertEquals((2 * 8 + 6 + 2 * 8 + 7 + 3 * 8 + 6 + 3 * 8 + 7) / 4f, h.channels()[0][1 * 4 + 3], 1e-5f);
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1}, h.masks(), "the outline's label with it");
        assertTrue(a.scaled(1) == a);
    }

    @Test
    void encodeThenDecodeGivesTheBoxBack() {
        float[] ref = {10, 20, 30, 60}, box = {12, 18, 40, 50}, d = new float[4], back = new float[4];
        for (float[] w : new float[][] {Proposals.DELTA_WEIGHTS, DetectorHead.DELTA_WEIGHTS}) {
            Boxes.encode(ref, 0, box, 0, w, d, 0);
            Boxes.decode(ref, 0, d[0], d[1], d[2], d[3], w, back, 0);
            assertArrayEquals(box, back, 1e-4f);
        }
        assertEquals(0f, Boxes.iou(new float[] {0, 0, 1, 1}, 0, new float[] {2, 2, 3, 3}, 0));
        assertEquals(1f / 7, Boxes.iou(new float[] {0, 0, 2, 2}, 0, new float[] {1, 1, 3, 3}, 0), 1e-6);
    }

    @Test
    void anchorsFollowTheRpnChannelLayout() {
        float[] sizes = {8, 16}, ratios = {0.5f, 2f};
        int fh = 3, fw = 5;
        float[] a = Anchors.grid(4, sizes, ratios, fh, fw);
        assertEquals(4 * 4 * fh * fw, a.length);
        // anchor a=3 (size 16, ratio 2) at y=2, x=1: centre (6, 10), w = 16/√2, h = 16·√2
        int i = (3 * fh + 2) * fw + 1;
        assertEquals(6f, 0.5f * (a[4 * i] + a[4 * i + 2]), 1e-5);
        assertEquals(10f, 0.5f * (a[4 * i + 1] + a[4 * i + 3]), 1e-5);
        assertEquals(2f, (a[4 * i + 3] - a[4 * i + 1]) / (a[4 * i + 2] - a[4 * i]), 1e-5);
        assertEquals(256f, Boxes.area(a, i), 1e-3);
    }

    @Test
    void nmsKeepsTheBestOfOverlapsPerClass() {
        float[] boxes = {0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30, 0, 0, 10, 10};
        float[] scores = {0.8f, 0.9f, 0.5f, 0.7f};
        assertArrayEquals(new int[] {1, 2}, Nms.keep(boxes, scores, 0.5f, 10));
        assertArrayEquals(new int[] {1, 3, 2}, Nms.keep(boxes, scores, new int[] {0, 0, 0, 1}, 0.5f, 10));
        assertArrayEquals(new int[] {1}, Nms.keep(boxes, scores, 0.5f, 1));
    }

    @Test
    void topIndicesOrdersNegativeAndPositiveScores() {
        float[] v = {-3f, 2f, 0.5f, -0.1f, 7f};
        assertArrayEquals(new int[] {4, 1, 2}, Proposals.topIndices(v, 0, 5, 3));
        assertArrayEquals(new int[] {2, 0, 1}, Proposals.topIndices(v, 2, 3, 5)); // 7, 0.5, -0.1 relative to offset 2
    }

    @Test
    void rpnTargetsAreBalancedAndRegressToTheirBox() {
        float[] sizes = {12, 24}, ratios = {1f};
        int fh = 16, fw = 16, plane = fh * fw;
        float[] anchors = Anchors.grid(4, sizes, ratios, fh, fw);
        float[] truth = {10, 10, 34, 34, 40, 8, 52, 20, 3, 50, 9, 56
        }; // 24², 12², and a 6² object smaller than any anchor
        RpnTargets.Targets t = RpnTargets.assign(anchors, plane, truth, 64, new Rng(1));
        assertTrue(t.positives() >= 3 && t.positives() <= 32, "positives " + t.positives());
        assertEquals(64, t.sampled());
        float[] decoded = new float[4];
        int positives = 0;
        for (int i = 0; i < anchors.length / 4; i++) {
            if (t.objectness()[i] != 1f) continue;
            positives++;
            assertEquals(1f, t.weights()[i]);
            int a = i / plane, pos = i % plane;
            float[] d = new float[4];
            for (int j = 0; j < 4; j++) d[j] = t.deltas()[(4 * a + j) * plane + pos];
            Boxes.decode(anchors, i, d[0], d[1], d[2], d[3], Proposals.DELTA_WEIGHTS, decoded, 0);
            boolean isATruthBox = false;
            for (int b = 0; b < 3; b++) isATruthBox |= Boxes.iou(decoded, 0, truth, b) > 0.999f;
            assertTrue(isATruthBox, "positive anchor " + i + " regresses to no truth box");
        }
        assertEquals(t.positives(), positives);
        boolean tinyMatched = false; // the tiny object still gets its best anchor (a low-quality match)
        for (int i = 0; i < anchors.length / 4; i++)
            tinyMatched |= t.objectness()[i] == 1f && Boxes.iou(anchors, i, truth, 2) > 0.2f;
        assertTrue(tinyMatched);
    }

    @Test
    void roiTargetsLabelForegroundByIouAndIncludeTruth() {
        float[] proposals = {0, 0, 10, 10, 50, 50, 60, 60, 1, 1, 11, 11};
        float[] truth = {0, 0, 10, 10};
        RoiTargets.Sample s = RoiTargets.sample(proposals, truth, new int[] {1}, 8, 0.5f, new Rng(2));
        int foreground = 0;
        for (int i = 0; i < s.count(); i++) {
            boolean fg = s.labels()[i] == 2;
            assertTrue(fg || s.labels()[i] == 0);
            float iou = Boxes.iou(s.boxes(), i, truth, 0);
            assertEquals(iou >= 0.5f, fg, "label of ROI " + i + " with IoU " + iou);
            if (fg) foreground++;
        }
        assertEquals(3, foreground); // the proposal equal to the truth, the near one, and the truth box itself
        assertEquals(4, s.count());
    }

    @Test
    void augmentationMovesBoxesWithThePixels() {
        // One bright rectangle: whatever crop and flip/rotation, the returned box must frame exactly the bright pixels.
        int w = 40, h = 36;
        float[] img = new float[w * h];
        for (int y = 9; y < 14; y++) for (int x = 5; x < 17; x++) img[y * w + x] = 1f;
        AnnotatedImage d =
                new AnnotatedImage("rect", new float[][] {img}, w, h, new float[] {5, 9, 17, 14}, new int[] {0}, null);
        BoxSampler sampler = new BoxSampler(List.of(d), new BoxAugmentation(0, 0, 1), new Rng(5));
        int checked = 0;
        for (int k = 0; k < 40; k++) {
            BoxSampler.Batch b = sampler.next(1, 32);
            if (b.boxes()[0].length == 0) continue;
            int minX = 99, minY = 99, maxX = -1, maxY = -1;
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    if (b.images()[y * 32 + x] < 0.5f) continue;
                    minX = Math.min(minX, x);
                    minY = Math.min(minY, y);
                    maxX = Math.max(maxX, x);
                    maxY = Math.max(maxY, y);
                }
            }
            assertArrayEquals(new float[] {minX, minY, maxX + 1, maxY + 1}, b.boxes()[0], 1e-5f, "patch " + k);
            checked++;
        }
        assertTrue(checked > 20, "only " + checked + " patches held the box");
    }

    @Test
    void anchorSizesCoverTheBoxesOfTheData() {
        // Boxes from 8 to 100 px (√area): anchors a factor 2 apart spanning them, every box within √2 of one.
        List<AnnotatedImage> data = new ArrayList<>();
        float[] boxes = new float[4 * 50];
        for (int i = 0; i < 50; i++) {
            float side = (float) (8 * Math.pow(100 / 8.0, i / 49.0));
            boxes[4 * i + 2] = side;
            boxes[4 * i + 3] = side;
        }
        data.add(new AnnotatedImage("a", new float[][] {new float[128 * 128]}, 128, 128, boxes, new int[50], null));
        float[] sizes = AnchorChoice.fromBoxes(data);
        assertTrue(sizes.length >= 4 && sizes.length <= AnchorChoice.MAX_SIZES, Arrays.toString(sizes));
        for (int i = 1; i < sizes.length; i++) assertEquals(2.0, sizes[i] / sizes[i - 1], 0.02);
        for (int i = 0; i < 50; i++) {
            double side = boxes[4 * i + 2], nearest = Double.MAX_VALUE;
            for (float s : sizes) nearest = Math.min(nearest, Math.abs(Math.log(side / s)));
            assertTrue(
                    nearest <= Math.log(Math.sqrt(2)) + 0.05 || i == 0 || i == 49,
                    "box " + side + " vs anchors " + Arrays.toString(sizes));
        }
    }
}
