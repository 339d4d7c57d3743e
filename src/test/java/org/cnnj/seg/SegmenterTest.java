package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.cnnj.model.ModelSpec;
import org.cnnj.runtime.TiledPredictor;
import org.junit.jupiter.api.Test;

/** Which small objects a distance model's result leaves out. */
class SegmenterTest {
    private static Segmenter.Options at(double scale, int minimum) {
        return new Segmenter.Options(new TiledPredictor.Layout(512, 128, 16), false, minimum, scale);
    }

    @Test
    void specksAreDroppedUnlessTheImagesOwnNucleiAreThatSmall() throws Exception {
        ModelSpec spec = ModelSpec.read(Path.of("models/nuclei.json"));
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
}
