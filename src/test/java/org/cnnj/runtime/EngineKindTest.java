package org.cnnj.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.cnnj.model.Sidecars;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;
import org.cnnj.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The engine choice, made in one place: both spellings parse, others are named, and both engines give the same output. */
class EngineKindTest {
    @Test
    void parsesTheOptionAndRefusesOthersNamingTheValidOnes() {
        assertEquals(EngineKind.ORT, EngineKind.parse("ort"));
        assertEquals(EngineKind.JAVA, EngineKind.parse(" Java "));
        var e = assertThrows(IllegalArgumentException.class, () -> EngineKind.parse("onnx"));
        assertTrue(
                e.getMessage().contains("ort")
                        && e.getMessage().contains("java")
                        && e.getMessage().contains("\"onnx\""),
                e.getMessage());
    }

    @Test
    void bothEnginesOpenTheShippedModelAndAgree() throws Exception {
        Path model = Path.of("models/nuclei.onnx");
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        float[] x = new float[64 * 64];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.01);
        try (Engine ort = EngineKind.ORT.open(model, null, Device.CPU, 1, m -> {});
                // The shipped model is an ensemble (no one U-Net): the Java engine rebuilds its graph node by node.
                Engine java = EngineKind.JAVA.open(
                        model,
                        spec.architecture() == null ? null : () -> Segmenter.loadNetwork(model, spec),
                        Device.CPU,
                        1,
                        m -> {})) {
            float[] a = ort.run(Tensor.of(x, 1, 1, 64, 64)).data(),
                    b = java.run(Tensor.of(x, 1, 1, 64, 64)).data();
            assertEquals(a.length, b.length);
            double worst = 0;
            for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
            assertTrue(worst < 1e-3, "ORT vs Java engine, max |diff| " + worst);
        }
    }
}
