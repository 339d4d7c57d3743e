package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cnnj.det.BoxAugmentation;
import org.cnnj.det.DetectorTrainer;
import org.cnnj.fiji.CommandFields;
import org.cnnj.fiji.SegmentFolderCommand;
import org.cnnj.fiji.TrainDetectorCommand;
import org.cnnj.fiji.TrainSegmentationCommand;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.ij.TrainDetectorFiles;
import org.cnnj.ij.TrainSegmentationFiles;
import org.cnnj.io.AtomicFiles;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.SegmentationTask;
import org.cnnj.seg.SegmentationTrainer;
import org.cnnj.seg.UNetConfig;
import org.cnnj.testing.SingleUNetSidecar;
import org.cnnj.train.TrainConfig;
import org.junit.jupiter.api.Test;

/** The command line's options are the Fiji commands' parameters: same defaults, checks and meaning. */
class CommandLineTest {
    private static TrainSegmentationFiles.Options trainSeg(String... args) {
        return CommandLine.parse(
                        "train-seg",
                        TrainSegmentationCommand.class,
                        args,
                        TrainSegCommand.ALIASES,
                        CommandLine.Extras.NONE)
                .command()
                .request("test");
    }

    @Test
    void theShippedModelsRecordedCommandLineMeansWhatItMeantBefore() {
        TrainSegmentationFiles.Options o = trainSeg(
                "--images",
                "train",
                "--output",
                "m.onnx",
                "--depth",
                "4",
                "--filters",
                "16",
                "--epochs",
                "24",
                "--steps",
                "250",
                "--validation",
                "0.1",
                "--patience",
                "0",
                "--seed",
                "1");
        assertEquals(
                TrainConfig.defaults()
                        .withSchedule(24, 250)
                        .withBatches(8, 128)
                        .withLearningRate(2e-3)
                        .withValidation(0.1)
                        .withPatience(0)
                        .withSeed(1),
                o.config());
        assertEquals(4, o.recipe().depth());
        assertEquals(16, o.recipe().filters());
        assertEquals(SegmentationTask.INSTANCES, o.recipe().task());
        assertEquals(Path.of("train"), o.images());
        assertEquals(null, o.labels());
        assertEquals(null, o.recipe().from());
        assertFalse(o.resume() || o.recipe().residual());
    }

    @Test
    void unsetOptionsAreTheLibrarysDefaults() {
        TrainSegmentationFiles.Options seg = trainSeg("--images", "i", "--output", "m.onnx");
        assertEquals(TrainConfig.defaults(), seg.config());
        assertEquals(SegmentationTrainer.DEFAULT_DEPTH, seg.recipe().depth());
        assertEquals(SegmentationTrainer.DEFAULT_FILTERS, seg.recipe().filters());
        TrainDetectorFiles.Options det = CommandLine.parse(
                        "train-det",
                        TrainDetectorCommand.class,
                        new String[] {"--images", "i", "--output", "d.onnx"},
                        TrainSegCommand.ALIASES,
                        CommandLine.Extras.NONE)
                .command()
                .request("test");
        assertEquals(DetectorTrainer.DEFAULTS, det.config());
        assertEquals(null, det.network().anchorSizes(), "anchors chosen from the boxes");
        assertEquals(BoxAugmentation.BASIC, det.examples().augmentation());
        TrainDetectorFiles.Options chosen = CommandLine.parse(
                        "train-det",
                        TrainDetectorCommand.class,
                        new String[] {
                            "--images",
                            "i",
                            "--output",
                            "d.onnx",
                            "--last",
                            "--augment",
                            "colour-and-scale",
                            "--validation",
                            "0"
                        },
                        TrainSegCommand.ALIASES,
                        CommandLine.Extras.NONE)
                .command()
                .request("test");
        assertTrue(chosen.config().keepLast());
        assertEquals(0, chosen.config().validationFraction());
        assertEquals(BoxAugmentation.COLOUR_AND_SCALE, chosen.examples().augmentation());
        SegmentFiles.Options segment = CommandLine.parse(
                        "segment",
                        SegmentFolderCommand.class,
                        new String[] {"--input", "x.tif", "--output", "o"},
                        Map.of(),
                        SegmentCommand.EXTRAS)
                .command()
                .request(SegmentationModel.External.DEFAULTS);
        assertEquals(EngineKind.ORT, segment.engine());
        assertEquals(Device.AUTO, segment.device());
        assertEquals(Diameter.AUTO, segment.request().diameter());
        assertEquals(0, segment.threads());
        assertEquals(0, segment.request().tile());
    }

    @Test
    void aliasesFlagsAndNegatedFlags() {
        TrainSegmentationFiles.Options o = trainSeg(
                "--images",
                "i",
                "--output",
                "m.onnx",
                "--lr",
                "0.01",
                "--freeze-encoder",
                "--residual",
                "--average",
                "0.999",
                "--task",
                "semantic",
                "--classes",
                "a, b");
        assertEquals(0.01, o.config().learningRate());
        assertTrue(o.config().freezeEncoder());
        assertTrue(o.recipe().residual());
        assertEquals(0.999, o.config().averaging());
        assertEquals(SegmentationTask.SEMANTIC, o.recipe().task());
        assertEquals(List.of("a", "b"), o.recipe().classes());
        assertFalse(trainSeg("--images", "i", "--output", "m.onnx", "--residual", "--no-residual")
                .recipe()
                .residual());
    }

    @Test
    void aModelToStartFromFillsInItsShapeAndObjectSizeUnlessGiven() throws Exception {
        TrainSegmentationFiles.Options o =
                trainSeg("--images", "i", "--output", "m.onnx", "--from", "models/nuclei.onnx");
        SegmentationSpec shipped = SegmentationSpec.read(Sidecars.of(Path.of("models/nuclei.onnx")));
        assertEquals(shipped.objectDiameter(), o.recipe().diameter());
        // The built-in model is an ensemble (no one U-Net shape); a single U-Net's sidecar gives its shape too.
        Path single = SingleUNetSidecar.write(
                Files.createTempDirectory("cnnj-from").resolve("single.onnx"),
                new UNetConfig(1, 4, 2, 8, true, false, 0f),
                12);
        TrainSegmentationFiles.Options one =
                trainSeg("--images", "i", "--output", "m.onnx", "--from", single.toString());
        assertEquals(
                List.of(2, 8, 12.0),
                List.of(
                        one.recipe().depth(),
                        one.recipe().filters(),
                        one.recipe().diameter()));
        AtomicFiles.deleteTree(single.getParent());
        TrainSegmentationFiles.Options given =
                trainSeg("--diameter", "30", "--from", "models/nuclei.onnx", "--images", "i", "--output", "m.onnx");
        assertEquals(30, given.recipe().diameter(), "an option given explicitly wins over the model's, in any order");
    }

    @Test
    void mistakesNameTheOptionAndWhatItTakes() {
        String[][] cases = {
            {"--images", "i", "--output", "m.onnx", "--epochs", "two"},
            {"--epochs must be a whole number"},
            {"--images", "i", "--output", "m.onnx", "--depth", "9"},
            {"--depth 9 is out of range", "U-Net depth takes 1 to 6"},
            {"--images", "i", "--output", "m.onnx", "--task", "blobs"},
            {"instances, instances-3class or semantic"},
            {"--images", "i", "--output", "m.onnx", "--validation", "NaN"},
            {"--validation NaN is out of range"},
            {"--output", "m.onnx"},
            {"--images is required"},
            {"--images", "i", "--output", "m.onnx", "--epoch", "3"},
            {"unknown option --epoch", "--epochs"},
            {"--images", "i", "--output"},
            {"--output needs a value"},
        };
        for (int i = 0; i < cases.length; i += 2) {
            String[] args = cases[i];
            String message = assertThrows(IllegalArgumentException.class, () -> trainSeg(args))
                    .getMessage();
            for (String part : cases[i + 1]) assertTrue(message.contains(part), message);
            assertTrue(message.startsWith("train-seg: "), message);
        }
    }

    @Test
    void helpListsEveryParameterWithItsDefault() {
        String help = Help.of("train-seg");
        for (CommandFields.Option o : CommandFields.options(TrainSegmentationCommand.class)) {
            String name = TrainSegCommand.ALIASES.entrySet().stream()
                    .filter(e -> e.getValue().equals(o.name()))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(o.name());
            assertTrue(help.contains("--" + name + " "), name + " in\n" + help);
            assertTrue(help.contains(o.label()), o.label());
        }
        assertTrue(help.contains("--epochs " + TrainConfig.defaults().epochs() + " "), help);
        assertTrue(help.contains("--lr 0.002 "), help);
        assertTrue(Help.of("segment").contains("--tile-multiple 16"), "the extras are listed too");
    }
}
