package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cnnj.ij.Planes;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.testing.RealNuclei;
import org.junit.jupiter.api.Test;

/**
 * The banded path (used when an image's whole-image maps do not fit the heap) on three real held-out
 * nuclei images with their ground truth, in bands of 64 rows so every image is cut into several, and
 * resized as diameter auto asks: it must stay close to the whole-image path, which decodes the distance
 * map too, per band, and joins the bands' objects where they meet. Measured: 0.793 banded, 0.798 whole.
 */
class BandedPlanesTest {

    @Test
    void bandsResizedAsTheDiameterAsksFindTheNucleiAlmostAsWellAsTheWholeImage() throws Exception {
        RealNuclei.assumePresent();
        Path model = Path.of("models/nuclei.onnx");
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        List<ObjectScores.Image> banded = new ArrayList<>(), whole = new ArrayList<>();
        TiledPredictor.Layout layout = new TiledPredictor.Layout(64, spec.halo(), spec.tileMultiple());
        try (Engine engine = OrtEngine.open(model, Device.CPU, 0, m -> {})) {
            for (String prefix : RealNuclei.IMAGES) {
                RealNuclei.Sample sample = RealNuclei.load(prefix);
                ImagePlus imp = sample.image();
                int w = imp.getWidth(), h = imp.getHeight();
                int[] truth = sample.labels();
                float[][] planes = Planes.of(imp, 0), normalized = Segmenter.normalize(spec, planes, w, h, null);
                double scale = Segmenter.of(engine, spec).scaleFor(normalized, w, h, Diameter.AUTO, m -> {});
                Segmenter.Options o = new Segmenter.Options(layout, false, 6, scale);
                BandedPlanes.Labels b = BandedPlanes.segment(engine, spec, planes, w, h, o, 64, null);
                assertEquals(w * h, b.labels().length, "labels at the image's own size");
                assertTrue(
                        Math.round(h * scale) > 64,
                        prefix + " is cut into two bands or more: " + Math.round(h * scale) + " rows");
                banded.add(ObjectScores.score(truth, b.labels()));
                whole.add(ObjectScores.score(
                        truth,
                        Segmenter.of(engine, spec)
                                .applyNormalized(normalized, w, h, o, null)
                                .objects()));
            }
        }
        ObjectScores.Summary b = ObjectScores.summarize(banded), wh = ObjectScores.summarize(whole);
        System.out.printf("banded pooled AP@0.5 %.3f, whole %.3f%n", b.pooledAp50(), wh.pooledAp50());
        assertTrue(b.pooledAp50() >= 0.76 && b.pooledAp50() >= wh.pooledAp50() - 0.02, "banded " + b + "\nwhole " + wh);
    }
}
