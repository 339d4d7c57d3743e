package org.cnnj.ij;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.LUT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.cnnj.io.AtomicFiles;
import org.cnnj.model.NormalizationMethod;
import org.cnnj.model.Npy;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.BioimageIo;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.SyntheticNuclei;
import org.cnnj.tensor.Tensor;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes a CNN-J segmentation model as a bioimage.io model package (spec 0.5): bioimageio.yaml (the name the specification recommends), the ONNX weights, test
 * input and output tensors (.npy; the output computed by ONNX Runtime from the input after the package's own
 * preprocessing), a cover image, a README, and CNN-J's sidecar as an attachment (cnnj.json) so CNN-J reopens the
 * package exactly. DeepImageJ, ilastik, QuPath and the bioimage.io tools read the rest: axes batch, channel, y, x;
 * tile sizes min + k·step; the halo; scale_range preprocessing for CNN-J's percentile normalization.
 */
public final class BioimageIoExport {
    /** What the description says about the model besides what the sidecar knows. */
    public record Description(String name, String description, List<String> authors, String license) {
        public Description {
            if (name == null || name.isBlank())
                throw new IllegalArgumentException("bioimage.io: the model needs a name");
            authors = authors == null
                    ? List.of()
                    : authors.stream()
                            .map(String::strip)
                            .filter(a -> !a.isEmpty())
                            .toList();
            if (authors.isEmpty())
                throw new IllegalArgumentException("bioimage.io: name at least one author, e.g. authors=[Ada Lovelace]"
                        + " (command line: --authors \"Ada Lovelace\"); a package without one is not valid");
            if (license == null || !license.strip().matches("[A-Za-z0-9][A-Za-z0-9.+-]*"))
                throw new IllegalArgumentException(
                        "bioimage.io: give an SPDX licence id, e.g. CC-BY-4.0 or MIT (got \"" + license + "\")");
            license = license.strip();
        }
    }

    public static final String FORMAT_VERSION = "0.5.3";

    private BioimageIoExport() {}

    public static void export(Path model, Path zip, Description d) throws IOException {
        Path sidecar = Sidecars.of(model);
        if (!Files.isRegularFile(sidecar))
            throw new IOException(
                    model + " has no CNN-J sidecar (" + sidecar.getFileName() + "); import the model first");
        SegmentationSpec spec = SegmentationSpec.read(sidecar);
        if (!zip.getFileName().toString().endsWith(".zip"))
            throw new IllegalArgumentException("bioimage.io: the package must be a .zip file, got " + zip);
        int m = spec.tileMultiple(), size = roundUp(Math.max(128, 2 * spec.halo() + m), m);
        float[] raw = testImage(spec.inputChannels(), size);
        float[] normalized = new float[raw.length];
        for (int c = 0; c < spec.inputChannels(); c++) {
            float[] plane = new float[size * size];
            System.arraycopy(raw, c * size * size, plane, 0, plane.length);
            System.arraycopy(spec.normalization().apply(plane), 0, normalized, c * size * size, plane.length);
        }
        Tensor out;
        try (OrtEngine ort = OrtEngine.open(model, Device.CPU, 0, line -> {})) {
            out = ort.run(Tensor.of(normalized, 1, spec.inputChannels(), size, size));
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model.onnx", Files.readAllBytes(model));
        files.put("cnnj.json", Files.readAllBytes(sidecar));
        files.put("test_input.npy", Npy.write(new int[] {1, spec.inputChannels(), size, size}, raw));
        files.put("test_output.npy", Npy.write(out.shape(), out.data()));
        files.put("cover.png", cover(normalized, out, size));
        files.put("README.md", readme(spec, d).getBytes(StandardCharsets.UTF_8));
        files.put(
                "bioimageio.yaml",
                rdf(spec, d, files, OnnxModelInfo.read(model).opset()).getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(zip, stream -> {
            try (ZipOutputStream z = new ZipOutputStream(stream)) {
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    ZipEntry e = new ZipEntry(f.getKey());
                    e.setTime(0); // the same model gives the same package bytes
                    z.putNextEntry(e);
                    z.write(f.getValue());
                    z.closeEntry();
                }
            }
        });
    }

    /** The description, fields in the spec's order. */
    static String rdf(SegmentationSpec spec, Description d, Map<String, byte[]> files, long opset) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "model");
        r.put("format_version", FORMAT_VERSION);
        r.put("name", d.name());
        r.put(
                "description",
                d.description() == null || d.description().isBlank()
                        ? "CNN-J " + spec.task().sidecar() + " model for " + String.join(", ", spec.classes())
                                + " (trained in Fiji by CNN-J)"
                        : d.description());
        List<Map<String, Object>> authors = new ArrayList<>();
        for (String a : d.authors()) authors.add(ordered("name", a));
        r.put("authors", authors);
        r.put("cite", citations(spec));
        r.put("license", d.license());
        r.put("documentation", "README.md");
        r.put("covers", List.of("cover.png"));
        r.put("tags", List.of("cnn-j", "unet", "segmentation", "2d", "fluorescence-light-microscopy"));
        // The smallest input leaves at least one tile step of output inside the halo on each side.
        int minimum = roundUp(2 * spec.halo() + spec.tileMultiple(), spec.tileMultiple());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("id", "input0");
        input.put(
                "axes",
                List.of(
                        ordered("type", "batch"),
                        ordered("type", "channel", "channel_names", channelNames(spec.inputChannels())),
                        space("y", ordered("min", minimum, "step", spec.tileMultiple()), 0),
                        space("x", ordered("min", minimum, "step", spec.tileMultiple()), 0)));
        input.put("test_tensor", file("test_input.npy", files));
        input.put("data", ordered("type", "float32"));
        if (spec.normalization().method() == NormalizationMethod.PERCENTILE) {
            Map<String, Object> kwargs = new LinkedHashMap<>();
            kwargs.put("axes", List.of("y", "x"));
            kwargs.put("min_percentile", spec.normalization().lowPercentile());
            kwargs.put("max_percentile", spec.normalization().highPercentile());
            input.put("preprocessing", List.of(ordered("id", "scale_range", "kwargs", kwargs)));
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("id", "output0");
        output.put("description", outputMeaning(spec));
        Map<String, Object> sameAsInputY = ordered("tensor_id", "input0", "axis_id", "y"),
                sameAsInputX = ordered("tensor_id", "input0", "axis_id", "x");
        output.put(
                "axes",
                List.of(
                        ordered("type", "batch"),
                        ordered("type", "channel", "channel_names", identifiers(spec.classes())),
                        space("y", sameAsInputY, spec.halo()),
                        space("x", sameAsInputX, spec.halo())));
        output.put("test_tensor", file("test_output.npy", files));
        output.put("data", ordered("type", "float32"));
        r.put("inputs", List.of(input));
        r.put("outputs", List.of(output));
        Map<String, Object> onnx = new LinkedHashMap<>(file("model.onnx", files));
        onnx.put("opset_version", (int) opset);
        r.put("weights", ordered("onnx", onnx));
        r.put("attachments", List.of(file("cnnj.json", files)));
        Map<String, Object> cnnj = new LinkedHashMap<>();
        cnnj.put("task", spec.task().sidecar());
        cnnj.put("object_diameter", spec.objectDiameter());
        cnnj.put("note", "CNN-J decodes instances from these outputs (Segment Image…); other tools get the class maps");
        r.put("config", ordered("cnnj", cnnj));
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setWidth(120);
        return new Yaml(o).dump(r);
    }

    /** A mapping in the order written (Map.of's order changes from run to run, and the package with it). */
    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    private static Map<String, Object> space(String id, Map<String, Object> size, int halo) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("type", "space");
        a.put("id", id);
        a.put("size", size);
        if (halo > 0) a.put("halo", halo);
        return a;
    }

    private static Map<String, Object> file(String name, Map<String, byte[]> files) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("source", name);
        f.put("sha256", BioimageIo.sha256(files.get(name)));
        return f;
    }

    private static List<Map<String, Object>> citations(SegmentationSpec spec) {
        List<Map<String, Object>> cite = new ArrayList<>();
        cite.add(ordered(
                "text",
                        "Ronneberger, Fischer, Brox. U-Net: convolutional networks for biomedical image segmentation. MICCAI 2015",
                "doi", "10.1007/978-3-319-24574-4_28"));
        String data = spec.provenance().getOrDefault("data", "");
        if (data.contains("10.1038/s41592-019-0612-7")) {
            cite.add(ordered(
                    "text",
                    "Caicedo et al. Nucleus segmentation across imaging experiments: the 2018 Data Science Bowl."
                            + " Nature Methods 16, 1247-1253 (2019) (training data)",
                    "doi",
                    "10.1038/s41592-019-0612-7"));
        }
        return cite;
    }

    /** Identifiers as the spec wants them (letters, digits, underscores). */
    private static List<String> identifiers(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) out.add(n.replaceAll("[^A-Za-z0-9_]", "_"));
        return out;
    }

    private static List<String> channelNames(int n) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < n; c++) out.add("channel" + c);
        return out;
    }

    private static String readme(SegmentationSpec spec, Description d) {
        StringBuilder sb = new StringBuilder("# " + d.name() + "\n\n");
        sb.append("A ")
                .append(spec.task().sidecar())
                .append(" U-Net made with CNN-J (convolutional networks trained in Fiji).\n\n");
        sb.append("- input: ")
                .append(spec.inputChannels())
                .append(" channel(s), any size that is a multiple of ")
                .append(spec.tileMultiple())
                .append(" px; scaled per image and channel from the ")
                .append(spec.normalization().lowPercentile())
                .append(" to the ")
                .append(spec.normalization().highPercentile())
                .append(" percentile (scale_range)\n");
        sb.append("- output: ")
                .append(outputMeaning(spec))
                .append("; same size as the input, ")
                .append(spec.halo())
                .append(" px of context per tile side\n");
        if (spec.isInstances())
            sb.append("- objects: CNN-J (Segment) decodes them from these maps; another tool gets the maps, not yet the"
                    + " objects\n");
        if (spec.objectDiameter() > 0)
            sb.append("- objects should be about ")
                    .append(spec.objectDiameter())
                    .append(" px across (rescale images to fit)\n");
        sb.append("\n## How it was made\n\n");
        spec.provenance()
                .forEach((k, v) ->
                        sb.append("- ").append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }

    /** What the output's channels are, said plainly for a reader of the description (a person or another tool). */
    static String outputMeaning(SegmentationSpec spec) {
        return switch (spec.task()) {
            case INSTANCES ->
                "4 channels: background, interior and boundary as logits (softmax over these three gives their"
                        + " probabilities), and distance, the logit of each pixel's distance to its object's outline"
                        + " (sigmoid: 0 at the outline, 1 at the centre); objects are the pixels where 1 − p(background)"
                        + " > 0.6, split at the basins of the distance map";
            case INSTANCES_3CLASS ->
                "3 channels: background, interior and boundary logits (softmax for probabilities); objects are"
                        + " interior regions grown into their boundary";
            case SEMANTIC ->
                "logits".equals(spec.output())
                        ? "class logits for " + String.join(", ", spec.classes()) + " (softmax for probabilities)"
                        : "class probabilities for " + String.join(", ", spec.classes());
        };
    }

    /** A synthetic nuclei image (photon counts), repeated for each channel: the package's test input. */
    private static float[] testImage(int channels, int size) {
        float[] one = SyntheticNuclei.generate(7, size, size).image(), all = new float[channels * one.length];
        for (int c = 0; c < channels; c++) System.arraycopy(one, 0, all, c * one.length, one.length);
        return all;
    }

    /** The test input (first channel) beside the predicted classes in label colours, as PNG (2:1, as the spec asks). */
    private static byte[] cover(float[] normalized, Tensor out, int size) throws IOException {
        FloatProcessor in = new FloatProcessor(size, size, Arrays.copyOf(normalized, size * size));
        in.resetMinAndMax();
        ColorProcessor cover = new ColorProcessor(2 * size, size);
        cover.insert(in.convertToByteProcessor().convertToColorProcessor(), 0, 0);
        LUT lut = ResultsDisplay.labelLut();
        int k = out.dim(1);
        int classChannels = Math.max(1, k == 4 ? 3 : k); // an instances-distance model's 4th channel is a distance
        for (int i = 0; i < size * size; i++) {
            int best = 0;
            for (int c = 1; c < classChannels; c++)
                if (out.data()[c * size * size + i] > out.data()[best * size * size + i]) best = c;
            cover.set(size + i % size, i / size, best == 0 ? 0 : lut.getRGB(best * 60) & 0xffffff);
        }
        Path tmp = Files.createTempFile("cnnj-cover-", ".png");
        try {
            if (!new FileSaver(new ImagePlus("cover", cover)).saveAsPng(tmp.toString()))
                throw new IOException("could not write the cover image");
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }
}
