package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cnnj.eval.ObjectScores;
import org.cnnj.infer.Device;
import org.cnnj.infer.Diameter;
import org.cnnj.infer.Engine;
import org.cnnj.infer.ModelSpec;
import org.cnnj.infer.OrtEngine;
import org.cnnj.infer.TiledPredictor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped nuclei model on three real, held-out fluorescence images (DSB2018 val split in
 * ../shared, not in the repository): small dense nuclei, medium ones and large ones, with the diameter
 * estimated from each image, as a user runs it. Skipped with a message where ../shared is absent.
 */
class RealNucleiTest {
    private static final Path VAL = Path.of("../shared/data/nuclei-real/val");
    /** Small (area ~71 px, 89 nuclei), medium (~331 px, 49) and large (~1744 px, 24) nuclei. */
    private static final List<String> IMAGES = List.of("c75139ef0546", "7b5987a24dd5", "56d0da5b663d");
    /** Pooled AP@0.5 over the three images that the shipped model must reach (it measured 0.798 when shipped). */
    static final double AP_BOUND = 0.75;

    @Test
    void shippedModelSegmentsRealNucleiOfThreeSizesWithDiameterAuto() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(VAL), "skipped: " + VAL + " (the real-nuclei data) is not here");
        Path model = Path.of("models/nuclei.onnx");
        ModelSpec spec = ModelSpec.read(ModelSpec.sidecarOf(model));
        assertEquals(ModelSpec.INSTANCES_DISTANCE, spec.task());
        assertTrue(spec.objectDiameter() > 0, "the sidecar records the object size");
        List<ObjectScores.Image> scores = new ArrayList<>();
        try (Engine engine = OrtEngine.open(model, Device.CPU, 0, m -> {})) {
            for (String prefix : IMAGES) {
                Path file;
                try (var s = Files.list(VAL)) {
                    file = s.filter(p -> p.getFileName().toString().startsWith(prefix) && !p.toString().endsWith("-labels.tif")).findFirst().orElseThrow();
                }
                ImagePlus imp = Tiffs.open(file);
                int[] truth = labels(Tiffs.open(file.resolveSibling(file.getFileName().toString().replace(".tif", "-labels.tif"))));
                SegmentFiles.Output out = SegmentFiles.segment(engine, spec, new TiledPredictor.Layout(512, spec.halo(), spec.tileMultiple()), imp, false,
                        Diameter.AUTO, file.getFileName().toString());
                int[] labels = labels(out.labels());
                scores.add(ObjectScores.score(truth, labels));
                assertEquals(out.objects(), out.rois().size(), "one ROI per object");
            }
        }
        ObjectScores.Summary s = ObjectScores.summarize(scores);
        assertTrue(s.pooledAp50() >= AP_BOUND, "pooled AP@0.5 " + s.pooledAp50() + " (" + s + ")");
        for (int i = 0; i < scores.size(); i++) {
            assertTrue(scores.get(i).averagePrecision(0) >= 0.5, IMAGES.get(i) + ": AP@0.5 " + scores.get(i).averagePrecision(0));
        }
    }

    /** Label pixels of a 16- or 32-bit label image. */
    private static int[] labels(ImagePlus imp) {
        int[] out = new int[imp.getWidth() * imp.getHeight()];
        for (int i = 0; i < out.length; i++) out[i] = (int) imp.getProcessor().getf(i);
        return out;
    }
}
