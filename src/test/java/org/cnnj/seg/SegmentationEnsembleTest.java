package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Normalization;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.GraphNetwork;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.tensor.Tensor;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segmentation models averaged in one file: applied like any model, refused where members disagree. */
class SegmentationEnsembleTest {
    @TempDir
    Path dir;

    /** The shipped nuclei model copied under {@code name}, its sidecar changed by {@code change}. */
    private Path nuclei(String name, java.util.function.UnaryOperator<SegmentationSpec> change) throws Exception {
        SegmentationModel shipped = SegmentationModel.resolve(Path.of(BuiltInModels.NUCLEI));
        Path copy = dir.resolve(name);
        Files.copy(shipped.onnx(), copy);
        change.apply(shipped.spec()).write(Sidecars.of(copy));
        return copy;
    }

    @Test
    void aModelAveragedWithItselfSegmentsAsTheModelInBothEngines() throws Exception {
        Path a = nuclei("a.onnx", s -> s),
                b = nuclei("b.onnx", s -> s.withSplitDepth(0.2).withHalo(160));
        Path ensemble = dir.resolve("out/pair.onnx");
        SegmentationSpec spec = SegmentationEnsemble.write(List.of(a, b), ensemble);

        assertEquals(spec, SegmentationSpec.read(Sidecars.of(ensemble)));
        assertNull(spec.architecture(), "no one U-Net: the Java engine rebuilds the graph");
        assertEquals(160, spec.halo(), "tiles with the largest halo");
        assertEquals(0.3, spec.splitDepth(), 1e-9, "decodes with the first member's split depth");
        assertTrue(SegmentationEnsemble.isEnsemble(spec));
        assertTrue(
                spec.provenance().get("ensemble").contains("a.onnx (./cnnj train-seg"),
                spec.provenance().toString());
        assertTrue(spec.provenance().get("data").contains("Caicedo"), "the members' data are cited");
        try (var files = Files.list(ensemble.getParent())) {
            assertEquals(
                    List.of("pair.json", "pair.onnx"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }

        SyntheticNuclei.Sample s = SyntheticNuclei.generate(11, 192, 160);
        float[][] planes = {s.image()};
        Segmenter.Request request = Segmenter.Request.defaults().withDiameter(Diameter.NONE);
        int[] alone = segment(a, EngineKind.ORT, planes, request);
        int[] pair = segment(ensemble, EngineKind.ORT, planes, request);
        assertTrue(java.util.Arrays.stream(alone).max().orElse(0) > 5, "the model finds nuclei");
        assertArrayEquals(alone, pair, "the mean of two equal outputs is that output");
        assertArrayEquals(pair, segment(ensemble, EngineKind.JAVA, planes, request), "the Java engine agrees");
    }

    private static int[] segment(Path model, EngineKind engine, float[][] planes, Segmenter.Request request)
            throws Exception {
        Segmenter segmenter = Segmenter.open(model, engine, Device.CPU, 2, line -> {});
        return segmenter
                .segment(planes, 192, 160, request, Segmenter.Feedback.NONE)
                .labels();
    }

    @Test
    void refusesMembersThatDoNotTakeAndGiveTheSame() throws Exception {
        Path a = nuclei("a.onnx", s -> s);
        Path bigger = nuclei(
                "big.onnx",
                s -> new SegmentationSpec(
                        s.format(),
                        s.axes(),
                        s.inputChannels(),
                        s.classes(),
                        s.output(),
                        s.task(),
                        s.normalization(),
                        s.tileMultiple(),
                        s.halo(),
                        s.architecture(),
                        s.provenance(),
                        30,
                        s.splitDepth(),
                        s.decoding(),
                        s.tensorIo()));
        Path out = dir.resolve("e.onnx");
        var size =
                assertThrows(IllegalArgumentException.class, () -> SegmentationEnsemble.write(List.of(a, bigger), out));
        assertEquals(
                "ensemble: a.onnx was trained for objects 16.4 px across and big.onnx for 30.0 px; members must"
                        + " share one object size (train with --diameter 16.4)",
                size.getMessage());

        Path raw = nuclei(
                "raw.onnx",
                s -> new SegmentationSpec(
                        s.format(),
                        s.axes(),
                        s.inputChannels(),
                        s.classes(),
                        s.output(),
                        s.task(),
                        Normalization.none(),
                        s.tileMultiple(),
                        s.halo(),
                        s.architecture(),
                        s.provenance(),
                        s.objectDiameter(),
                        s.splitDepth(),
                        s.decoding(),
                        s.tensorIo()));
        var scaling =
                assertThrows(IllegalArgumentException.class, () -> SegmentationEnsemble.write(List.of(a, raw), out));
        assertTrue(scaling.getMessage().startsWith("ensemble: raw.onnx has normalization"), scaling.getMessage());

        Path semantic = dir.resolve("semantic.onnx");
        UNetConfig c = new UNetConfig(1, 3, 2, 8, true, false, 0f);
        Segmenter.save(
                new UNet(c, new Rng(1)),
                SegmentationSpec.forUNet(
                        c,
                        List.of("bg", "a", "b"),
                        SegmentationTask.SEMANTIC,
                        Normalization.percentile(1, 99.8),
                        Map.of(),
                        0),
                32,
                semantic);
        var classes = assertThrows(
                IllegalArgumentException.class, () -> SegmentationEnsemble.write(List.of(a, semantic), out));
        assertTrue(
                classes.getMessage()
                        .startsWith("ensemble: semantic.onnx has classes [bg, a, b] but a.onnx has"
                                + " [background, interior, boundary, distance]"),
                classes.getMessage());

        var bad = assertThrows(
                IllegalArgumentException.class, () -> SegmentationEnsemble.write(List.of(a, a), dir.resolve("e.tif")));
        assertTrue(bad.getMessage().contains("must be a .onnx file"), bad.getMessage());
        assertFalse(Files.exists(out), "nothing written when refused");
    }

    /**
     * An ensemble is fine-tuned as the one graph it is (every member learns from the loss on the mean output) and stays
     * an ensemble with its object size and split depth — the built-in nuclei model is one.
     */
    @Test
    void anEnsembleIsFineTunedAsOneGraph() throws Exception {
        Path a = nuclei("a.onnx", s -> s);
        Path ensemble = dir.resolve("pair.onnx");
        SegmentationEnsemble.write(List.of(a, a), ensemble);
        SyntheticNuclei.Sample s = SyntheticNuclei.generate(3, 64, 64);
        var run = TrainingRun.of(
                List.of(new LabeledImage("n", new float[][] {s.image()}, s.labels(), 64, 64)),
                TrainConfig.defaults().withSchedule(1, 2).withValidation(0));
        SegmentationTrainer.Result r = SegmentationTrainer.train(
                run, SegmentationTrainer.Recipe.defaults().withFrom(ensemble));
        assertTrue(
                SegmentationEnsemble.isEnsemble(r.spec()), r.spec().provenance().toString());
        assertEquals(SegmentationTask.INSTANCES, r.spec().task());
        assertEquals(16.4, r.spec().objectDiameter(), 1e-6, "its object size kept");
        assertEquals(0.3, r.spec().splitDepth(), 1e-6, "its split depth kept");
        Map<String, Tensor> before = GraphNetwork.load(ensemble).parameters(),
                after = r.model().parameters();
        Set<String> moved = new TreeSet<>();
        for (var e : after.entrySet())
            if (!Arrays.equals(e.getValue().data(), before.get(e.getKey()).data()))
                moved.add(e.getKey().substring(0, 3));
        assertEquals(Set.of("m0/", "m1/"), moved, "both members learn");
        assertNull(r.spec().provenance().get("weights"));
        assertTrue(
                r.spec().provenance().get("from").startsWith("pair.onnx"),
                r.spec().provenance().toString());
    }
}
