package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.ObjectScores;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.SegmentationTask;
import org.cnnj.seg.Segmenter;
import org.cnnj.testing.RealNuclei;
import org.junit.jupiter.api.Test;

/**
 * The shipped nuclei model on three real, held-out fluorescence images (DSB2018 val split in
 * ../shared, not in the repository): small dense nuclei, medium ones and large ones, with the diameter
 * estimated from each image, as a user runs it. Skipped with a message where ../shared is absent.
 */
class RealNucleiTest {
    /**
     * Pooled AP@0.5 over the three images that the shipped model must reach (it measured 0.798 when shipped, 0.807
     * once specks were dropped and the foreground threshold raised to 0.6).
     */
    static final double AP_BOUND = 0.77;

    /**
     * Pooled AP@0.5 over three images of two other labs (BBBC039 and Kromp et al. val) that the shipped model must
     * reach; it measured 0.870 (0.908, 0.824 and 0.889 per image), a model it never saw the sources of.
     */
    static final double OTHER_LABS_BOUND = 0.83;

    @Test
    void shippedModelSegmentsRealNucleiOfThreeSizesWithDiameterAuto() throws Exception {
        RealNuclei.assumePresent();
        assertReaches(RealNuclei.VAL, RealNuclei.IMAGES, AP_BOUND);
    }

    @Test
    void shippedModelSegmentsNucleiOfTwoOtherLabs() throws Exception {
        RealNuclei.assumeMorePresent();
        assertReaches(RealNuclei.MORE_VAL, RealNuclei.OTHER_LABS, OTHER_LABS_BOUND);
    }

    /** Pooled AP@0.5 over the images at least {@code bound}, and no image below 0.5. */
    private static void assertReaches(Path folder, List<String> prefixes, double bound) throws Exception {
        List<ObjectScores.Image> scores = segment(folder, prefixes);
        ObjectScores.Summary s = ObjectScores.summarize(scores);
        assertTrue(s.pooledAp50() >= bound, "pooled AP@0.5 " + s.pooledAp50() + " (" + s + ")");
        for (int i = 0; i < scores.size(); i++) {
            assertTrue(
                    scores.get(i).averagePrecision(0) >= 0.5,
                    prefixes.get(i) + ": AP@0.5 " + scores.get(i).averagePrecision(0));
        }
    }

    /** The shipped model on each image as a user runs it (diameter auto), scored against its labels. */
    private static List<ObjectScores.Image> segment(Path folder, List<String> prefixes) throws Exception {
        Path model = Path.of("models/nuclei.onnx");
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        assertEquals(SegmentationTask.INSTANCES, spec.task());
        assertTrue(spec.objectDiameter() > 0, "the sidecar records the object size");
        List<ObjectScores.Image> scores = new ArrayList<>();
        try (Engine engine = OrtEngine.open(model, Device.CPU, 0, m -> {})) {
            for (String prefix : prefixes) {
                RealNuclei.Sample sample = RealNuclei.load(folder, prefix);
                SegmentFiles.Output out = SegmentFiles.segment(
                        Segmenter.of(engine, spec),
                        new Segmenter.Request(Diameter.AUTO, false, Segmenter.DEFAULT_TILE),
                        sample.image(),
                        sample.file().getFileName().toString());
                scores.add(ObjectScores.score(sample.labels(), RealNuclei.labels(out.labels())));
                assertEquals(out.objects(), out.rois().size(), "one ROI per object");
            }
        }
        return scores;
    }
}
