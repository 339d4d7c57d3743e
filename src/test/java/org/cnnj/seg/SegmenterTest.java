package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.cnnj.runtime.TiledPredictor;
import org.junit.jupiter.api.Test;

/** A distance model's foreground map, and which small objects its result leaves out. */
class SegmenterTest {
    private static Segmenter.Options at(double scale, int minimum) {
        return new Segmenter.Options(new TiledPredictor.Layout(512, 128, 16), false, minimum, scale);
    }

    @Test
    void specksAreDroppedUnlessTheImagesOwnNucleiAreThatSmall() throws Exception {
        SegmentationSpec spec = SegmentationSpec.read(Path.of("models/nuclei.json"));
        assertEquals(16.4, spec.objectDiameter(), 1e-9, "the shipped model's size, which the cases below assume");
        assertEquals(
                Segmenter.SPECK_PIXELS,
                Segmenter.smallestObject(spec, at(1, 6), 1),
                "nuclei of 16 px: 25 px specks go");
        assertEquals(
                Segmenter.SPECK_PIXELS, Segmenter.smallestObject(spec, at(0.3, 6), 1), "nuclei of 55 px: the same");
        // Nuclei of 16.4 / 2 = 8.2 px: a disc of half that, pi/4 * 4.1^2 = 13 px, is the smallest kept.
        assertEquals(13, Segmenter.smallestObject(spec, at(2, 6), 1), "tiny nuclei are not taken for specks");
        assertEquals(6, Segmenter.smallestObject(spec, at(8, 6), 1), "never below the caller's minimum");
        assertEquals(40, Segmenter.smallestObject(spec, at(1, 40), 1), "a larger minimum of the caller wins");
        // The banded path decodes on the network's grid: 25 px of an image shrunk x0.5 are 6.25 px there.
        assertEquals(
                6, Segmenter.smallestObject(spec, at(0.5, 1), 0.5), "the same specks, counted on the network grid");
        assertEquals(
                53, Segmenter.smallestObject(spec, at(2, 1), 2), "tiny nuclei enlarged x2: 13.2 image px = 52.8 there");
    }

    private static float[] randomLogits(Random rng, int size, double spread) {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) out[i] = (float) (rng.nextGaussian() * spread);
        return out;
    }

    /** The foreground map is the softmax's 1 − p(background), from logits of any size, never NaN. */
    @Test
    void foregroundIsOneMinusTheSoftmaxBackground() {
        Random rng = new Random(3);
        int plane = 5;
        for (int k = 2; k <= 4; k++) {
            for (int trial = 0; trial < 2000; trial++) {
                float[] out = randomLogits(rng, k * plane, trial % 3 == 0 ? 200 : 8); // 200: exponentials overflow
                int q = trial % plane;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int c = 0; c < k; c++) max = Math.max(max, out[q + c * plane]);
                for (int c = 0; c < k; c++) sum += Math.exp(out[q + c * plane] - max);
                double expected = 1 - Math.exp(out[q] - max) / sum;
                float got = Segmenter.foreground(out, q, plane, k, true);
                assertEquals(expected, got, 1e-6, "logits " + Arrays.toString(out));
            }
        }
        assertEquals(0.25f, Segmenter.foreground(new float[] {0.75f, 0.25f}, 0, 1, 2, false));
    }

    /** The thresholded foreground takes shortcuts far from the threshold, and is the same decision everywhere. */
    @Test
    void foregroundDecisionIsTheThresholdedProbability() {
        Random rng = new Random(5);
        int plane = 3;
        for (int k = 2; k <= 5; k++) {
            for (int trial = 0; trial < 200_000; trial++) {
                float[] out = randomLogits(rng, k * plane, trial % 2 == 0 ? 0.4 : 6);
                // Logits put right at the threshold: background and one class with e^(l1 - l0) = 1.5, others far below
                if (trial % 4 == 1) {
                    out[0] = 0;
                    out[plane] = (float) Math.log(1.5) + (float) (rng.nextGaussian() * 1e-6);
                    for (int c = 2; c < k; c++) out[c * plane] = -40;
                }
                boolean expected = Segmenter.foreground(out, 0, plane, k, true) > Segmenter.FOREGROUND;
                assertEquals(
                        expected, Segmenter.isForeground(out, 0, plane, k, true), "logits " + Arrays.toString(out));
            }
        }
        // More classes than the precomputed bounds: 129 non-background terms just above 1.5 in sum
        float[] many = new float[130];
        Arrays.fill(many, 1, many.length, (float) Math.log(1.5 / 129) + 0.005f);
        assertEquals(true, Segmenter.isForeground(many, 0, 1, many.length, true));
        assertEquals(false, Segmenter.isForeground(new float[] {0.5f, 0.5f}, 0, 1, 2, false));
        assertEquals(true, Segmenter.isForeground(new float[] {0.3f, 0.7f}, 0, 1, 2, false));
        assertEquals(false, Segmenter.isForeground(new float[] {Float.NaN, 1f}, 0, 1, 2, true));
    }

    @Test
    void aPartIsResizedOnTheWholeImagesGridFromAPoolingGridLine() {
        // Every network pixel of the range samples inside the part, the range starts on the pooling grid (or at the
        // image's edge) and reaches the image's far edge where the part does.
        long whole = 1000;
        for (double scale : new double[] {0.37, 0.8, 1.17, 1.5, 2.9}) {
            long scaled = Math.round(whole * scale);
            double s = (double) whole / scaled;
            for (long start : new long[] {0, 1, 137, 300, 700}) {
                int count = (int) Math.min(300, whole - start);
                long[] r = Segmenter.networkRange(start, count, whole, scaled, 16);
                String where = "scale " + scale + ", part [" + start + ", " + (start + count) + ")";
                assertEquals(0, r[0] % 16, where);
                if (start == 0) assertEquals(0, r[0], where);
                if (start + count == whole) assertEquals(scaled, r[1], where);
                for (long d = r[0]; d < r[1]; d++) {
                    double u = Math.min(Math.max((d + 0.5) * s - 0.5, 0), whole - 1);
                    long low = (long) u, high = Math.min(low + 1, whole - 1);
                    boolean inside = low >= start && (high < start + count || u == low);
                    if (!inside) throw new AssertionError(where + ": network pixel " + d + " samples " + u);
                }
                // As many as fit: the next network pixel beyond each end would sample outside the part.
                if (start + count < whole) {
                    double next = (r[1] + 0.5) * s - 0.5;
                    if (!(Math.ceil(next) > start + count - 1)) throw new AssertionError(where + ": stops early");
                }
            }
        }
    }
}
