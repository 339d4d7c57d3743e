package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.ObjectSize;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;
import org.cnnj.testing.RealNuclei;
import org.junit.jupiter.api.Test;

/**
 * Diameter auto with the shipped model on two real held-out images where the estimate used to fail: a sparse one
 * (3 nuclei, none in the centre window: it read 6 px for 16 px nuclei) and a dim, noisy one (the model's 1–2 px
 * specks outnumbered the nuclei: "no objects found at any scale"). The estimate must come within x1.3 of the
 * labels' median diameter. Skipped with a message where ../shared is absent.
 */
class DiameterAutoRealTest {
    @Test
    void sparseAndDimImagesGetTheirNucleiSize() throws Exception {
        RealNuclei.assumePresent();
        Path model = Path.of("models/nuclei.onnx");
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        try (Engine engine = OrtEngine.open(model, Device.CPU, 0, m -> {})) {
            for (String prefix : new String[] {"58c593bcb983", "f4c4db3df4ff"}) {
                RealNuclei.Sample s = RealNuclei.load(prefix);
                int w = s.image().getWidth(), h = s.image().getHeight();
                StringBuilder log = new StringBuilder();
                double scale = Segmenter.of(engine, spec)
                        .scaleFor(
                                Segmenter.normalize(spec, Planes.of(s.image(), 0), w, h, null),
                                w,
                                h,
                                Diameter.AUTO,
                                log::append);
                double estimated = spec.objectDiameter() / scale, truth = ObjectSize.medianDiameter(s.labels());
                assertTrue(
                        Math.abs(Math.log(estimated / truth)) < Math.log(1.3),
                        prefix + ": estimated " + estimated + " px, labels' median " + truth + " px (" + log + ")");
            }
        }
    }
}
