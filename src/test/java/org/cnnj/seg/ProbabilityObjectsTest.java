package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cnnj.model.Normalization;
import org.cnnj.runtime.TiledPredictor;
import org.junit.jupiter.api.Test;

/** A semantic model's probabilities as objects: connected, split by a boundary channel, or where they narrow. */
class ProbabilityObjectsTest {
    static final int W = 60, H = 40;

    /** Two discs of radius 10 whose centres are 17 px apart: one blob with a waist. */
    static float[] twoTouchingDiscs() {
        float[] p = new float[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                double a = Math.hypot(x - 20, y - 20), b = Math.hypot(x - 37, y - 20);
                p[y * W + x] = a < 10 || b < 10 ? 0.9f : 0.1f;
            }
        return p;
    }

    static SegmentationSpec imported(List<String> classes) {
        TensorIo io = new TensorIo("bcyx", "bcyx", TiledPredictor.Sizes.ANY, TiledPredictor.Sizes.ANY, null, null);
        return new SegmentationSpec(
                1,
                "NCHW",
                1,
                classes,
                "probabilities",
                SegmentationTask.SEMANTIC,
                Normalization.none(),
                1,
                0,
                null,
                Map.of(),
                0,
                0,
                null,
                io);
    }

    @Test
    void connectedComponentsKeepTouchingObjectsTogetherAndTheWatershedSplitsThem() {
        float[] p = twoTouchingDiscs();
        var connected = new ProbabilityObjects(ProbabilityObjects.Method.CONNECTED, 0.5);
        var watershed = new ProbabilityObjects(ProbabilityObjects.Method.WATERSHED, 0.5);
        assertEquals(1, Instances.count(connected.objects(p, null, W, H, 6)));
        assertEquals(2, Instances.count(watershed.objects(p, null, W, H, 6)), "split at the waist");
        assertEquals(
                0,
                Instances.count(
                        new ProbabilityObjects(ProbabilityObjects.Method.CONNECTED, 0.95).objects(p, null, W, H, 6)),
                "nothing passes 0.95");
        // A single disc is not cut by the watershed.
        float[] one = new float[W * H];
        for (int i = 0; i < one.length; i++) one[i] = Math.hypot(i % W - 30, i / W - 20) < 12 ? 0.8f : 0f;
        assertEquals(1, Instances.count(watershed.objects(one, null, W, H, 6)));
    }

    @Test
    void aBoundaryChannelSeparatesObjectsAlongItsLine() {
        float[] fg = new float[W * H], boundary = new float[W * H];
        for (int y = 5; y < 35; y++) for (int x = 5; x < 55; x++) fg[y * W + x] = 0.9f;
        for (int y = 5; y < 35; y++) boundary[y * W + 30] = boundary[y * W + 31] = 0.8f;
        var watershed = new ProbabilityObjects(ProbabilityObjects.Method.WATERSHED, 0.5);
        int[] labels = watershed.objects(fg, boundary, W, H, 6);
        assertEquals(2, Instances.count(labels));
        assertTrue(labels[20 * W + 30] > 0 && labels[20 * W + 31] > 0, "the boundary pixels join an object");
    }

    @Test
    void theChannelsAndTheDefaultFollowTheModelsOwnNames() {
        assertEquals(
                new ProbabilityObjects.Channels(0, -1), ProbabilityObjects.channels(imported(List.of("probability"))));
        assertEquals(
                new ProbabilityObjects.Channels(0, 1),
                ProbabilityObjects.channels(imported(List.of("foreground", "boundaries"))));
        assertEquals(
                new ProbabilityObjects.Channels(1, -1),
                ProbabilityObjects.channels(imported(List.of("background", "nuclei"))));
        assertEquals(
                ProbabilityObjects.Method.CONNECTED,
                ProbabilityObjects.AUTO
                        .resolve(imported(List.of("probability")))
                        .method());
        assertEquals(
                ProbabilityObjects.Method.WATERSHED,
                ProbabilityObjects.AUTO
                        .resolve(imported(List.of("foreground", "boundaries")))
                        .method());
        SegmentationSpec own = imported(List.of("background", "cell")).withTensorIo(null);
        assertEquals(
                ProbabilityObjects.Method.NONE,
                ProbabilityObjects.AUTO.resolve(own).method(),
                "CNN-J's own semantic models keep their class map unless asked");
        assertTrue(ProbabilityObjects.AUTO
                .resolve(imported(List.of("probability")))
                .describe(imported(List.of("probability")))
                .contains("probability > 0.5, connected components"));
        assertThrows(IllegalArgumentException.class, () -> ProbabilityObjects.Method.parse("blobs"));
        assertThrows(IllegalArgumentException.class, () -> new ProbabilityObjects(ProbabilityObjects.Method.AUTO, 1.5));
    }
}
