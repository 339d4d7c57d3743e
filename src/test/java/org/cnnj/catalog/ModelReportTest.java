package org.cnnj.catalog;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.cnnj.det.DetectorSpec;
import org.cnnj.det.ObjectDetector;
import org.cnnj.det.OneStageConfig;
import org.cnnj.det.OneStageNetwork;
import org.cnnj.model.BuiltInModels;
import org.cnnj.seg.BioimageIoPackagesTest;
import org.cnnj.seg.SegmentationEnsemble;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model Info reads as sentences a user understands, for every kind of model and for the built-in names. */
class ModelReportTest {
    @Test
    void everyKindOfModelIsDescribedInWords() throws Exception {
        String seg = ModelReport.describe(Path.of(BuiltInModels.NUCLEI));
        assertTrue(seg.startsWith("nuclei (built-in)"), seg);
        assertTrue(seg.contains("What it does: segments objects") && seg.contains("objects 16.4 px across"), seg);
        assertTrue(seg.contains("command: ./cnnj train-seg"), seg);
        assertFalse(seg.contains("Normalization[") || seg.contains("UNetConfig["), "no record dumps: " + seg);
        String det = ModelReport.describe(Path.of(BuiltInModels.CELL_SHAPES));
        assertTrue(det.contains("finds objects of the classes round, elongated"), det);
        String cls = ModelReport.describe(Path.of(BuiltInModels.CELLS));
        assertTrue(cls.contains("tells which of apoptotic, elongated, interphase, mitotic"), cls);
        assertTrue(cls.contains("each crop scaled"), cls);
        String volume = ModelReport.describe(Path.of("models/nuclei3d.onnx"));
        assertTrue(volume.contains("finds objects in z-stacks in 3-D") && volume.contains("2.0 × 1.0 × 1.0"), volume);
        assertTrue(volume.contains("synthetic"), "how it was made: " + volume);
        String external = ModelReport.describe(Path.of("src/test/resources/external/torch_unet.onnx"));
        assertTrue(external.contains("A model from elsewhere") && external.contains("gives logits"), external);
    }

    /** A bioimage.io package (not an ONNX file: it was read as one, "unknown wire type") says what its description says. */
    @Test
    void aBioimageIoPackageIsDescribedFromItsDescription(@TempDir Path dir) throws Exception {
        Path yaml = BioimageIoPackagesTest.fixedPackage(dir, BioimageIoPackagesTest.FIXED_05, "bioimageio.yaml");
        String pkg = ModelReport.describe(dir);
        assertTrue(pkg.startsWith("UNet 2D Nuclei Broad (miniature): a bioimage.io package of format 0.5.4"), pkg);
        assertTrue(pkg.contains("preprocessing: zero mean unit variance; postprocessing: sigmoid"), pkg);
        assertTrue(pkg.contains("exactly 64 × 64 px") && pkg.contains("16 px of context"), pkg);
        assertTrue(pkg.contains("Objects: probability > 0.5, connected components"), pkg);
        assertTrue(ModelReport.describe(yaml).equals(pkg), "the folder and its description alike");
    }

    @Test
    void aOneStageDetectorIsDescribedAsOne(@TempDir Path dir) throws Exception {
        OneStageConfig c = OneStageConfig.defaults(3, List.of("RBC", "WBC"), 64, 180);
        Path model = dir.resolve("blood.onnx");
        ObjectDetector.save(new OneStageNetwork(c, new Rng(1)), DetectorSpec.of(c, null), model);
        String text = ModelReport.describe(model);
        assertTrue(text.contains("one-stage detector") && text.contains("RBC, WBC") && text.contains("180 px"), text);
        assertTrue(!text.contains("resized"), "scale 1: nothing to say: " + text);
        assertTrue(
                ModelReport.describe(Path.of(BuiltInModels.BLOOD_CELLS))
                        .contains("Size: each image is resized x0.75 before the network"),
                "the shipped blood-cell detector sees photographs at 0.75");
    }

    @Test
    void anEnsembleSaysItIsOne(@TempDir Path dir) throws Exception {
        Path pair = dir.resolve("pair.onnx");
        SegmentationEnsemble.write(List.of(Path.of(BuiltInModels.NUCLEI), Path.of(BuiltInModels.NUCLEI)), pair);
        String text = ModelReport.describe(pair);
        assertTrue(text.contains("Network: an ensemble (the mean of several networks' outputs"), text);
        assertTrue(text.contains("ensemble: the mean of the outputs (logits) of 2 models: nuclei.onnx"), text);
    }
}
