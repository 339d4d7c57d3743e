package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.cnnj.model.Npy;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.TiledPredictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bioimage.io packages as other tools write them, built here from networks that PyTorch exported
 * (src/test/python/make_bioimageio_fixtures.py): the specification's own example model in miniature — ONNX weights
 * for one input size (64 px), an x axis without an id, zero_mean_unit_variance, a sigmoid as postprocessing — in
 * formats 0.5 and 0.4, under every valid file name, as a folder, a description file and a zip with the package in a
 * sub-folder; and a channels-last model (axes byxc, as TensorFlow models converted to ONNX keep them) with
 * per-channel scale_range, scale_linear and softmax. Each must reproduce its test output, computed by PyTorch and
 * numpy; the fixed-size model must also reproduce PyTorch's whole-image output on an image larger than its input,
 * tiled with its halo.
 */
public class BioimageIoPackagesTest {
    static final Path FIXTURES = Path.of("src/test/resources/bioimageio");

    @TempDir
    Path dir;

    /** The example of the specification (format 0.5), 512 px made 64 px: as the bioimage.io tools write it. */
    public static final String FIXED_05 = """
            name: UNet 2D Nuclei Broad (miniature)
            description: A 2d U-Net for nuclei, exported for one input size.
            authors: [{name: CNN-J tests}]
            cite: [{text: 'Ronneberger et al. U-net. MICCAI 2015.', doi: 10.1007/978-3-319-24574-4_28}]
            license: MIT
            format_version: 0.5.4
            type: model
            documentation: README.md
            inputs:
              - id: raw
                description: raw input
                axes:
                  - type: batch
                    size: 1
                  - type: channel
                    channel_names: [raw_intensity]
                  - size: 64
                    id: y
                    type: space
                  - size: 64
                    type: space
                test_tensor: {source: test_input.npy}
                preprocessing:
                  - id: ensure_dtype
                    kwargs: {dtype: float32}
                  - id: zero_mean_unit_variance
                    kwargs:
                      axes: [x, y]
                  - id: ensure_dtype
                    kwargs: {dtype: float32}
            outputs:
              - id: probability
                description: probability in [0,1]
                axes:
                  - type: batch
                  - type: channel
                    channel_names: [probability]
                  - halo: 16
                    size: {tensor_id: raw, axis_id: y}
                    id: y
                    type: space
                  - halo: 16
                    size: {tensor_id: raw, axis_id: x}
                    type: space
                test_tensor: {source: test_output.npy}
                data: {range: [0.0, 1.0]}
                postprocessing:
                  - id: sigmoid
                  - id: ensure_dtype
                    kwargs: {dtype: float32}
            weights:
              onnx: {source: weights.onnx, opset_version: 13}
              pytorch_state_dict:
                source: weights.pt
                architecture: {source: unet2d.py, callable: UNet2d}
                pytorch_version: 1.13.1
            """;

    /** The same model as a format 0.4.9 description writes it (axes as letters, shape lists, name, mode). */
    static final String FIXED_04 = """
            format_version: 0.4.9
            name: UNet 2D Nuclei Broad (miniature, 0.4)
            description: A 2d U-Net for nuclei.
            authors: [{name: CNN-J tests}]
            cite: [{text: 'Ronneberger et al.', doi: 10.1007/978-3-319-24574-4_28}]
            license: MIT
            documentation: README.md
            timestamp: 2019-12-11T12:22:32Z
            inputs:
              - name: raw
                axes: bcyx
                data_type: float32
                data_range: [-.inf, .inf]
                shape: [1, 1, 64, 64]
                preprocessing:
                  - name: zero_mean_unit_variance
                    kwargs: {mode: per_sample, axes: yx}
            outputs:
              - name: probability
                axes: bcyx
                data_type: float32
                data_range: [-.inf, .inf]
                halo: [0, 0, 16, 16]
                shape:
                  reference_tensor: raw
                  scale: [1.0, 0.0, 1.0, 1.0]
                  offset: [0.0, 0.5, 0.0, 0.0]
                postprocessing:
                  - name: sigmoid
            test_inputs: [test_input.npy]
            test_outputs: [test_output.npy]
            weights:
              onnx: {source: weights.onnx, opset_version: 13}
            type: model
            version: 0.1.3
            """;

    /** Writes the fixed-size model's files and a description named {@code name} into {@code folder}. */
    public static Path fixedPackage(Path folder, String description, String name) throws IOException {
        Files.createDirectories(folder);
        for (String f : List.of("weights.onnx", "test_input.npy", "test_output.npy"))
            Files.copy(FIXTURES.resolve("fixed").resolve(f), folder.resolve(f));
        Files.writeString(folder.resolve("README.md"), "# a test model\n");
        Path yaml = folder.resolve(name);
        Files.writeString(yaml, description);
        return yaml;
    }

    static Npy.Array npy(Path file) throws IOException {
        return Npy.read(Files.readAllBytes(file), file.getFileName().toString());
    }

    /** The model's output for an .npy image [1, C, H, W], through the one way every command applies a model. */
    static float[][] output(Path model, Path input) throws IOException {
        Npy.Array in = npy(input);
        int c = in.shape()[1], h = in.shape()[2], w = in.shape()[3];
        float[][] planes = new float[c][h * w];
        for (int ch = 0; ch < c; ch++) System.arraycopy(in.values(), ch * h * w, planes[ch], 0, h * w);
        try (Segmenter s =
                Segmenter.open(SegmentationModel.resolve(model), EngineKind.ORT, Device.CPU, 1, line -> {})) {
            return s.segment(
                            planes, w, h, Segmenter.Request.defaults().withProbabilities(true), Segmenter.Feedback.NONE)
                    .probabilities();
        }
    }

    /** Within the tolerance bioimageio.core tests packages with (1e-4, relative for large values). */
    static void assertSame(float[] expected, float[][] actual, String what) {
        int plane = actual[0].length;
        assertEquals(expected.length, actual.length * plane, what + ": size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i / plane][i % plane]) / Math.max(1, Math.abs(expected[i]));
            worst = Math.max(worst, d);
        }
        assertTrue(worst < 1e-4, what + ": largest difference " + worst);
    }

    @Test
    void theSpecificationsExampleInMiniatureReproducesItsTestOutputInFormats05And04() throws IOException {
        Path v05 = fixedPackage(dir.resolve("v05"), FIXED_05, "bioimageio.yaml");
        SegmentationModel m = SegmentationModel.resolve(v05);
        assertEquals(List.of("probability"), m.spec().classes());
        assertEquals(1, m.spec().inputChannels());
        assertEquals(16, m.spec().halo(), "the description's halo");
        assertTrue(m.spec().tensorIo().fixedSize(), "one input size");
        assertSame(
                npy(v05.resolveSibling("test_output.npy")).values(),
                output(v05, v05.resolveSibling("test_input.npy")),
                "0.5");
        Path v04 = fixedPackage(dir.resolve("v04"), FIXED_04, "rdf.yaml");
        assertSame(
                npy(v04.resolveSibling("test_output.npy")).values(),
                output(v04, v04.resolveSibling("test_input.npy")),
                "0.4.9");
    }

    /**
     * A 150 × 134 image through a network that takes only 64 × 64: tiled at exactly that size with the description's
     * halo (edge windows mirrored up to it), the result is PyTorch's on the whole image, to float rounding.
     */
    @Test
    void aFixedSizeModelIsTiledAtItsSizeAndMatchesTheWholeImageResult() throws IOException {
        Path yaml = fixedPackage(dir.resolve("pkg"), FIXED_05, "bioimageio.yaml");
        float[][] tiled = output(yaml, FIXTURES.resolve("fixed/large_input.npy"));
        assertSame(npy(FIXTURES.resolve("fixed/large_output.npy")).values(), tiled, "150 x 134 in 64 px windows");
        float[][] small = output(yaml, Path.of("src/test/resources/bioimageio/fixed/test_input.npy"));
        assertEquals(64 * 64, small[0].length);
    }

    /**
     * A model that outputs a foreground probability gives objects, not a class map of 0s: by default the connected
     * components above 0.5 (those of PyTorch's own output), and the user is told so; objects=none keeps the mask.
     */
    @Test
    void aProbabilityModelGivesObjectsAndSaysHow() throws IOException {
        Path yaml = fixedPackage(dir.resolve("pkg"), FIXED_05, "bioimageio.yaml");
        Npy.Array in = npy(FIXTURES.resolve("fixed/large_input.npy"));
        int h = in.shape()[2], w = in.shape()[3];
        float[] expected = npy(FIXTURES.resolve("fixed/large_output.npy")).values();
        int truth = Instances.count(new ProbabilityObjects(ProbabilityObjects.Method.CONNECTED, 0.5)
                .objects(expected, null, w, h, Segmenter.MIN_OBJECT_PIXELS));
        List<String> said = new java.util.ArrayList<>();
        try (Segmenter s = Segmenter.open(SegmentationModel.resolve(yaml), EngineKind.ORT, Device.CPU, 1, line -> {})) {
            Segmenter.Result r = s.segment(
                    new float[][] {in.values()},
                    w,
                    h,
                    Segmenter.Request.defaults(),
                    new Segmenter.Feedback(said::add, null));
            assertTrue(truth >= 3, "the test image has objects: " + truth);
            assertEquals(truth, r.objectCount(), "the connected components of PyTorch's probabilities");
            assertTrue(
                    said.stream().anyMatch(l -> l.contains("probability > 0.5, connected components")),
                    said.toString());
            Segmenter.Result mask = s.segment(
                    new float[][] {in.values()},
                    w,
                    h,
                    Segmenter.Request.defaults()
                            .withObjects(new ProbabilityObjects(ProbabilityObjects.Method.NONE, 0.5)),
                    Segmenter.Feedback.NONE);
            assertEquals(null, mask.objects());
            int on = 0;
            for (byte c : mask.classes()) on += c;
            int expectedOn = 0;
            for (float p : expected) expectedOn += p > 0.5f ? 1 : 0;
            assertEquals(expectedOn, on, 2, "a one-channel probability's classes are the pixels above the threshold");
        }
    }

    @Test
    void everyValidNameFolderAndZipWithASubFolderOpens() throws IOException {
        float[] expected = npy(FIXTURES.resolve("fixed/test_output.npy")).values();
        for (String name : List.of("bioimageio.yaml", "rdf.yaml", "nuclei.bioimageio.yaml", "nuclei.rdf.yaml")) {
            Path yaml = fixedPackage(dir.resolve(name.replace('.', '-')), FIXED_05, name);
            assertTrue(BioimageIo.isPackage(yaml) && BioimageIo.isPackage(yaml.getParent()), name);
            assertSame(expected, output(yaml, yaml.resolveSibling("test_input.npy")), name);
            assertSame(expected, output(yaml.getParent(), yaml.resolveSibling("test_input.npy")), name + " folder");
        }
        Path inner = fixedPackage(dir.resolve("zipped/unet2d_nuclei_broad"), FIXED_05, "bioimageio.yaml")
                .getParent();
        Path zip = dir.resolve("unet2d.zip");
        try (OutputStream out = Files.newOutputStream(zip);
                ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("unet2d_nuclei_broad/"));
            try (var files = Files.list(inner)) {
                for (Path f : files.sorted().toList()) {
                    z.putNextEntry(new ZipEntry("unet2d_nuclei_broad/" + f.getFileName()));
                    z.write(Files.readAllBytes(f));
                }
            }
        }
        assertSame(expected, output(zip, inner.resolve("test_input.npy")), "zip with a sub-folder");
    }

    /** Channels last (byxc), two channels in and out, sides 32 + k·16, scale_range per channel, scale_linear, softmax. */
    @Test
    void aChannelsLastModelWithPercentilesAndSoftmaxReproducesItsTestOutput() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("cl"));
        for (String f : List.of("weights.onnx", "test_input.npy", "test_output.npy"))
            Files.copy(FIXTURES.resolve("channels-last").resolve(f), folder.resolve(f));
        Files.writeString(folder.resolve("model.bioimageio.yaml"), """
                type: model
                format_version: 0.5.3
                name: channels last
                description: a two-channel U-Net in miniature, channels last
                authors: [{name: CNN-J tests}]
                cite: [{text: none, url: "https://example.org"}]
                license: MIT
                documentation: README.md
                inputs:
                  - id: image
                    axes:
                      - {type: batch}
                      - {type: space, id: y, size: {min: 32, step: 16}}
                      - {type: space, id: x, size: {min: 32, step: 16}}
                      - {type: channel, channel_names: [dapi, actin]}
                    test_tensor: {source: test_input.npy}
                    preprocessing:
                      - id: scale_range
                        kwargs: {axes: [y, x], min_percentile: 1, max_percentile: 99.8}
                      - id: scale_linear
                        kwargs: {gain: 2, offset: -1}
                outputs:
                  - id: classes
                    axes:
                      - {type: batch}
                      - {type: space, id: y, size: {tensor_id: image, axis_id: y}, halo: 16}
                      - {type: space, id: x, size: {tensor_id: image, axis_id: x}, halo: 16}
                      - {type: channel, channel_names: [background, nuclei]}
                    test_tensor: {source: test_output.npy}
                    postprocessing:
                      - id: softmax
                weights:
                  onnx: {source: weights.onnx, opset_version: 13}
                """);
        SegmentationModel m = SegmentationModel.resolve(folder);
        assertEquals(2, m.spec().inputChannels());
        assertEquals(List.of("background", "nuclei"), m.spec().classes());
        assertEquals(16, m.spec().tileMultiple(), "32 + k·16: tiles line up on 16");
        // The .npy tensors are channels last, as the model's: [1, H, W, C] → planes [C][H·W] for CNN-J.
        Npy.Array in = npy(folder.resolve("test_input.npy")), out = npy(folder.resolve("test_output.npy"));
        int h = in.shape()[1], w = in.shape()[2];
        Path standard = folder.resolve("input-cyx.npy");
        Files.write(standard, Npy.write(new int[] {1, 2, h, w}, channelsFirst(in.values(), h * w, 2)));
        assertSame(channelsFirst(out.values(), h * w, 2), output(folder, standard), "byxc");
    }

    /**
     * A format 0.4 description as the zoo's boundary models (torch-em) write it: sides min + k·step, an output of
     * input channels × 0 + 2·1 = 2 unnamed channels (foreground, boundaries), fixed statistics, a halo per axis.
     */
    @Test
    void aZooStyle04DescriptionWithParameterizedSizesIsDescribedAsItsSpecificationSays() throws IOException {
        Path yaml = fixedPackage(dir.resolve("torch-em"), """
                format_version: 0.4.10
                type: model
                name: boundary model
                inputs:
                  - name: input0
                    axes: bcyx
                    data_type: float32
                    shape: {min: [1, 1, 64, 64], step: [0, 0, 16, 16]}
                    preprocessing:
                      - name: zero_mean_unit_variance
                        kwargs: {mode: fixed, axes: cyx, mean: 100.0, std: 12.5}
                      - name: scale_linear
                        kwargs: {axes: c, gain: [2.0], offset: [0.0]}
                outputs:
                  - name: output0
                    axes: bcyx
                    data_type: float32
                    halo: [0, 0, 8, 8]
                    shape: {reference_tensor: input0, scale: [1, 0, 1, 1], offset: [0, 1, 0, 0]}
                    postprocessing:
                      - name: clip
                        kwargs: {min: 0.0}
                weights:
                  onnx: {source: weights.onnx}
                  torchscript: {source: weights.pt}
                """, "rdf.yaml");
        SegmentationSpec s = SegmentationModel.resolve(yaml).spec();
        assertEquals(List.of("output00", "output01"), s.classes(), "2 channels, named after the tensor");
        assertEquals(16, s.tileMultiple());
        assertEquals(16, s.halo(), "8 rounded up to the tile step");
        assertEquals(new TiledPredictor.Sizes(64, 16), s.tensorIo().height());
        assertEquals(
                "fixed_zero_mean_unit_variance",
                s.tensorIo().preprocessing().get(0).id());
        assertEquals(100.0, s.tensorIo().preprocessing().get(0).kwargs().get("mean"));
        assertEquals("clip", s.tensorIo().postprocessing().get(0).id());
    }

    static float[] channelsFirst(float[] hwc, int pixels, int channels) {
        float[] out = new float[hwc.length];
        for (int i = 0; i < pixels; i++) for (int c = 0; c < channels; c++) out[c * pixels + i] = hwc[i * channels + c];
        return out;
    }

    /** What CNN-J cannot run is refused naming what the package has and what to do, before anything runs. */
    @Test
    void whatCannotRunIsRefusedByName() throws IOException {
        Path yaml = fixedPackage(dir.resolve("refused"), FIXED_05, "bioimageio.yaml");
        String[][] cases = {
            {"  onnx: {source: weights.onnx, opset_version: 13}\n", "", "pytorch_state_dict", "bioimageio add-weights"},
            {
                "  onnx: {source: weights.onnx, opset_version: 13}\n  pytorch_state_dict:",
                "  tensorflow_saved_model_bundle: {source: tf.zip}\n  x_pytorch:",
                "tf2onnx",
                "tensorflow"
            },
            {"  - id: sigmoid\n", "  - id: watershed\n", "watershed", "scale_range"},
            {"id: y\n", "id: z\n", "z", "2-D"},
            {
                "size: {tensor_id: raw, axis_id: y}\n",
                "size: {tensor_id: raw, axis_id: y, offset: -8}\n",
                "−",
                "input's size"
            },
            {"format_version: 0.5.4", "format_version: 0.3.2", "0.3.2", "0.4 and 0.5"},
            {"  - size: 64\n", "  - size: 1000000000\n", "1000000000 px", "damaged"},
        };
        for (String[] c : cases) {
            String text = FIXED_05.replaceFirst(Pattern.quote(c[0]), Matcher.quoteReplacement(c[1]));
            assertTrue(!text.equals(FIXED_05), "the case changes the description: " + c[0]);
            Files.writeString(yaml, text);
            var e = assertThrows(IOException.class, () -> SegmentationModel.resolve(yaml), c[0]);
            for (String word : List.of(c[2], c[3])) assertTrue(e.getMessage().contains(word), e.getMessage());
            assertTrue(e.getMessage().contains("bioimageio.yaml"), "names the file: " + e.getMessage());
        }
    }
}
