package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.TiledPredictor;
import org.junit.jupiter.api.Test;

/** Tuning decodes one pass of the network at every split depth: the same APs as segmenting once per depth. */
class SplitDepthTuningTest {
    @Test
    void eachDepthsApEqualsSegmentingAtThatDepth() throws Exception {
        Path model = Path.of("models/nuclei.onnx");
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        List<LabeledImage> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(900 + i, 128, 128);
            images.add(new LabeledImage("n" + i, new float[][] {s.image()}, s.labels(), 128, 128));
        }
        List<String> log = new ArrayList<>();
        try (Engine engine = EngineKind.JAVA.open(model, loader(model, spec), Device.CPU, 1, m -> {})) {
            SegmentationSpec tuned = SegmentationTrainer.tuneSplitDepth(engine, spec, images, log::add);
            List<LabeledImage> scaled = new ObjectScaling(spec.objectDiameter()).rescaled(images);
            TiledPredictor.Layout layout = new TiledPredictor.Layout(256, spec.halo(), spec.tileMultiple());
            double best = -1;
            List<String> expected = new ArrayList<>();
            long[][] counts = new long[SegmentationTrainer.SPLIT_DEPTHS.length][];
            for (int k = 0; k < counts.length; k++) {
                double depth = SegmentationTrainer.SPLIT_DEPTHS[k];
                long tp = 0, fp = 0, fn = 0;
                for (LabeledImage d : scaled) {
                    Segmenter.Result r = Segmenter.of(engine, spec.withSplitDepth(depth))
                            .apply(d.image(), d.width(), d.height(), new Segmenter.Options(layout, false, 1), null);
                    InstanceMatching.Result m = InstanceMatching.match(d.labels(), r.objects(), 0.5);
                    tp += m.truePositives();
                    fp += m.falsePositives();
                    fn += m.falseNegatives();
                }
                double ap = (double) tp / (tp + fp + fn);
                expected.add(String.format(Locale.ROOT, "split depth %.3f: AP@0.5 %.4f", depth, ap));
                counts[k] = new long[] {tp, fp, fn};
                best = Math.max(best, ap);
            }
            assertEquals(expected, log.subList(0, expected.size()));
            double chosen =
                    SegmentationTrainer.chooseSplitDepth(spec.split(), SegmentationTrainer.SPLIT_DEPTHS, counts);
            assertEquals(chosen, tuned.split(), 1e-6); // the sidecar keeps it as a float
            assertTrue(best > 0.3, "the shipped model finds synthetic nuclei: AP " + best);
        }
    }

    @Test
    void theModelsDepthStaysUnlessAnotherIsBetterByMoreThanChance() {
        double[] depths = {0.1, 0.2, 0.3};
        // 19 nuclei on one image: one more found at 0.1 (AP 0.90 vs 0.85) is within two standard errors (0.15)
        long[][] few = {{18, 1, 1}, {17, 2, 2}, {17, 1, 2}};
        assertEquals(0.3, SegmentationTrainer.chooseSplitDepth(0.3, depths, few), 1e-9);
        // a perfect score on 15 nuclei against one merge is no certainty either
        long[][] perfect = {{15, 0, 0}, {14, 0, 1}, {14, 0, 1}};
        assertEquals(0.3, SegmentationTrainer.chooseSplitDepth(0.3, depths, perfect), 1e-9);
        // the same proportions over 100 times as many nuclei tell the depths apart: 0.1 is taken
        long[][] many = {{1800, 100, 100}, {1700, 200, 200}, {1700, 100, 200}};
        assertEquals(0.1, SegmentationTrainer.chooseSplitDepth(0.3, depths, many), 1e-9);
        // a present depth that is not among those tried (a model from elsewhere) does not hold the choice
        assertEquals(0.1, SegmentationTrainer.chooseSplitDepth(0.25, depths, few), 1e-9);
        // equal scores keep the present depth, not the first tried
        long[][] tied = {{10, 0, 0}, {10, 0, 0}, {10, 0, 0}};
        assertEquals(0.2, SegmentationTrainer.chooseSplitDepth(0.2, depths, tied), 1e-9);
    }

    /** Each decoding's AP, from one pass, equals segmenting with that decoding; the tuned one is the best of them. */
    @Test
    void decodingsAreTunedOnOnePassAndTheBestIsKept() throws Exception {
        Path model = Path.of("models/nuclei.onnx");
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        List<LabeledImage> images = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(910 + i, 128, 128);
            images.add(new LabeledImage("n" + i, new float[][] {s.image()}, s.labels(), 128, 128));
        }
        List<String> log = new ArrayList<>();
        try (Engine engine = EngineKind.JAVA.open(model, loader(model, spec), Device.CPU, 1, m -> {})) {
            SegmentationSpec tuned = SegmentationTrainer.tuneDecoding(engine, spec, images, log::add);
            assertEquals(SegmentationTrainer.DECODINGS.size(), log.size(), "one line per decoding: " + log);
            assertTrue(SegmentationTrainer.DECODINGS.contains(tuned.decodingOrDefault()));
            List<LabeledImage> scaled = new ObjectScaling(spec.objectDiameter()).rescaled(images);
            for (Decoding decoding : List.of(new Decoding(0.4f, 0.7f, 0.15f), new Decoding(0.6f, 0.6f, 0, 0.2f)))
                assertSameObjectsBothWays(engine, spec, scaled, decoding);
        }
    }

    /** Segmenting with a decoding finds what tuning counts for it (the one pass of the network decoded many ways). */
    private static void assertSameObjectsBothWays(
            Engine engine, SegmentationSpec spec, List<LabeledImage> scaled, Decoding hysteresis) {
        {
            long[] viaSegment = new long[3], viaTuning = new long[3];
            for (LabeledImage d : scaled) {
                Segmenter.Options o = Segmenter.Options.of(spec).withTile(256).withMinObjectPixels(1);
                int[] objects = Segmenter.of(engine, spec.withSplitDepth(0.3))
                        .apply(d.image(), d.width(), d.height(), o.withDecoding(hysteresis), null)
                        .objects();
                add(viaSegment, InstanceMatching.match(d.labels(), objects, 0.5));
                int[][][] all = Segmenter.objectsAtDecodings(
                        engine, spec, d.image(), d.width(), d.height(), new double[] {0.3}, List.of(hysteresis));
                add(viaTuning, InstanceMatching.match(d.labels(), all[0][0], 0.5));
            }
            assertEquals(
                    List.of(viaSegment[0], viaSegment[1], viaSegment[2]),
                    List.of(viaTuning[0], viaTuning[1], viaTuning[2]),
                    hysteresis.toString());
        }
    }

    private static void add(long[] counts, InstanceMatching.Result m) {
        counts[0] += m.truePositives();
        counts[1] += m.falsePositives();
        counts[2] += m.falseNegatives();
    }

    /** The U-Net of a single-network model; null (its graph node by node) for an ensemble such as the built-in one. */
    static EngineKind.NetworkLoader loader(Path model, SegmentationSpec spec) {
        return spec.architecture() == null ? null : () -> Segmenter.loadNetwork(model, spec);
    }
}
