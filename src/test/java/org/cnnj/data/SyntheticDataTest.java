package org.cnnj.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.Instances;
import org.cnnj.seg.SyntheticNuclei;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

class SyntheticDataTest {
    @Test
    void generatorIsDeterministicCrowdedAndNoisy() {
        SyntheticNuclei.Sample a = SyntheticNuclei.generate(5, 128, 96), b = SyntheticNuclei.generate(5, 128, 96);
        assertArrayEquals(a.image(), b.image());
        assertArrayEquals(a.labels(), b.labels());
        assertFalse(
                Arrays.equals(a.image(), SyntheticNuclei.generate(6, 128, 96).image()));
        assertTrue(a.objects() >= 25, "objects: " + a.objects());
        assertEquals(a.objects(), Arrays.stream(a.labels()).max().getAsInt(), "labels are 1..n without gaps");
        int touching = 0;
        for (int p = 1; p < a.labels().length; p++) {
            if (p % 128 != 0 && a.labels()[p] != 0 && a.labels()[p - 1] != 0 && a.labels()[p] != a.labels()[p - 1])
                touching++;
        }
        assertTrue(touching > 10, "touching nuclei share borders: " + touching);
        double fg = 0, bg = 0;
        int nf = 0, nb = 0;
        for (int p = 0; p < a.image().length; p++) {
            if (a.labels()[p] != 0) {
                fg += a.image()[p];
                nf++;
            } else {
                bg += a.image()[p];
                nb++;
            }
        }
        assertTrue(fg / nf > 3 * (bg / nb), "nuclei are brighter than background");
    }

    @Test
    void perfectThreeClassMapsGiveBackTheObjects() {
        SyntheticNuclei.Sample s = SyntheticNuclei.generate(11, 160, 160);
        int[] classes = SyntheticNuclei.threeClass(s.labels(), 160, 160);
        int[] objects = Instances.fromThreeClass(classes, 160, 160, 1);
        InstanceMatching.Result r = InstanceMatching.match(s.labels(), objects, 0.5);
        assertTrue(r.averagePrecision() > 0.95, "AP of the ideal prediction: " + r.averagePrecision() + " " + r);
    }

    @Test
    void patchesMoveLabelsWithPixels() {
        int w = 20, h = 16;
        float[] img = new float[w * h];
        int[] lab = new int[w * h];
        for (int i = 0; i < img.length; i++) {
            img[i] = i;
            lab[i] = i;
        }
        PatchSampler sampler =
                new PatchSampler(List.of(new PatchSampler.Image(new float[][] {img}, lab, w, h)), 0f, new Rng(3));
        for (int t = 0; t < 20; t++) {
            PatchSampler.Batch b = sampler.next(2, 8);
            for (int i = 0; i < b.images().length; i++) assertEquals(b.labels()[i], (int) b.images()[i]);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> sampler.next(1, 32));
        assertTrue(e.getMessage().contains("smaller than the 32x32 patch"), e.getMessage());
        var mismatch = assertThrows(
                IllegalArgumentException.class, () -> new PatchSampler.Image(new float[][] {img}, new int[5], w, h));
        assertTrue(mismatch.getMessage().contains("pixel for pixel"), mismatch.getMessage());
    }

    @Test
    void elasticDeformationMovesLabelsWithPixels() {
        int size = 64;
        float[] img = new float[size * size];
        int[] lab = new int[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean inside = Math.hypot(x - 30, y - 34) < 14;
                img[y * size + x] = inside ? 1f : 0f;
                lab[y * size + x] = inside ? 1 : 0;
            }
        }
        float[] warped = img.clone();
        int[] warpedLabels = lab.clone();
        ElasticDeformation.apply(new ElasticDeformation.Patch(warped, 0, 1, warpedLabels, 0, size), 4f, new Rng(7));
        int disagree = 0, changed = 0, area = 0;
        for (int i = 0; i < img.length; i++) {
            if ((warped[i] > 0.5f) != (warpedLabels[i] == 1)) disagree++;
            if (warpedLabels[i] != lab[i]) changed++;
            area += warpedLabels[i];
        }
        assertTrue(disagree <= 0.02 * img.length, disagree + " pixels where image and labels part ways");
        assertTrue(changed > 20, "the deformation moved only " + changed + " label pixels");
        assertTrue(Math.abs(area - Math.PI * 14 * 14) < 0.35 * Math.PI * 14 * 14, "object area " + area);
    }

    @Test
    void percentileNormalization() {
        float[] v = new float[1001];
        for (int i = 0; i < v.length; i++) v[i] = i;
        Percentiles p = Percentiles.of(v, 1, 99);
        assertEquals(10f, p.low());
        assertEquals(990f, p.high());
        assertEquals(0.5f, p.apply(new float[] {500})[0], 1e-6);
        assertArrayEquals(
                new float[3], Percentiles.of(new float[] {7, 7, 7}, 1, 99).apply(new float[] {7, 7, 7}));
    }
}
