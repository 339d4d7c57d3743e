package org.cnnj.ops;

import static org.cnnj.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.GradCheck;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/** ROI Align against ONNX Runtime's RoiAlign-16 (half_pixel, avg) and finite differences. */
class RoiAlignTest {
    // The boxes baked into golden/roi_align.onnx (src/test/python/make_roi_align.py).
    private static final float[] BOXES = {4, 6, 30, 22, -10, -6, 12, 14, 20, 20, 21.5f, 22, 0, 0, 48, 40, 33, 5, 47, 39
    };
    private static final int[] BATCH = {0, 0, 1, 0, 1};

    @Test
    void equalsOnnxRuntimeRoiAlign() throws Exception {
        Tensor x = GradCheck.uniform(new Rng(3), 2, 3, 10, 12).requiresGrad(false);
        try (OrtEngine ort =
                OrtEngine.open(Path.of("src/test/resources/golden/roi_align.onnx"), Device.CPU, 1, m -> {})) {
            Tensor expected = ort.run(x);
            Tensor actual = RoiAlign.apply(x, BOXES, BATCH, 0.25f, 3, 2);
            assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()));
            assertClose("roi_align vs ORT", expected.data(), actual.data(), 1e-5, 1e-5);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Tensor x = GradCheck.distinct(new Rng(4), 2, 3, 10, 12);
        GradCheck.check("roi_align", t -> RoiAlign.apply(t[0], BOXES, BATCH, 0.25f, 3, 2), x);
    }

    @Test
    void constantFeaturesGiveThatConstantInsideTheMap() {
        float[] ones = new float[1 * 2 * 8 * 8];
        Arrays.fill(ones, 2.5f);
        Tensor y = RoiAlign.apply(Tensor.of(ones, 1, 2, 8, 8), new float[] {4, 4, 20, 28}, new int[] {0}, 0.25f, 7, 2);
        for (float v : y.data()) assertEquals(2.5f, v, 1e-6);
    }

    @Test
    void badInputIsNamed() {
        Tensor x = Tensor.zeros(1, 1, 4, 4);
        var e = assertThrows(
                IllegalArgumentException.class, () -> RoiAlign.apply(x, new float[] {0, 0, 1}, new int[] {0}, 1, 2, 2));
        assertTrue(e.getMessage().contains("box values"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> RoiAlign.apply(x, new float[] {0, 0, 1, 1}, new int[] {1}, 1, 2, 2));
        assertTrue(e.getMessage().contains("batch index 1"), e.getMessage());
    }
}
