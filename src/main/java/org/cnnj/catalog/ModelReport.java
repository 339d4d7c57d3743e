package org.cnnj.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnj.cls.ClassifierConfig;
import org.cnnj.cls.ClassifierSpec;
import org.cnnj.det.DetectorKind;
import org.cnnj.det.DetectorSpec;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Normalization;
import org.cnnj.model.NormalizationMethod;
import org.cnnj.model.Processing;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.seg.BioimageIo;
import org.cnnj.seg.Decoding;
import org.cnnj.seg.ProbabilityObjects;
import org.cnnj.seg.SegmentationEnsemble;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.SegmentationTask;
import org.cnnj.seg.TensorIo;
import org.cnnj.seg.VolumeSpec;

/**
 * What a model is, in words a user reads (Model Info command, {@code ./cnnj model-info}): what it does, what images it
 * takes and how they are scaled, what it gives back, what it was trained for and how it was made. A model file, a
 * built-in name or a bioimage.io package.
 */
public final class ModelReport {
    private ModelReport() {}

    public static String describe(Path asked) throws IOException {
        if (BioimageIo.isPackage(asked) && Files.exists(asked)) return describePackage(asked);
        Path model = BuiltInModels.file(asked, line -> {});
        BuiltInModels.Model builtIn = BuiltInModels.named(asked);
        OnnxModelInfo info = OnnxModelInfo.read(model);
        Path sidecar = Sidecars.of(model);
        StringBuilder sb = new StringBuilder();
        String name = builtIn != null ? builtIn.name() : model.getFileName().toString();
        line(sb, "%s (%.1f MB, ONNX opset %d)", name, Files.size(model) / 1e6, info.opset());
        if (!Files.exists(sidecar)) {
            line(
                    sb,
                    "A model from elsewhere, without a CNN-J description (%s): Segment applies it as a semantic model"
                            + " and asks for its classes, tile multiple, halo and normalization.",
                    sidecar.getFileName());
            for (OnnxModelInfo.Value v : info.inputs()) line(sb, "  takes %s, shape %s", v.name(), dims(v.dims()));
            for (OnnxModelInfo.Value v : info.outputs()) line(sb, "  gives %s, shape %s", v.name(), dims(v.dims()));
            return sb.toString().trim();
        }
        if (ClassifierSpec.isClassifier(model)) classifier(sb, ClassifierSpec.read(sidecar));
        else if (DetectorSpec.isDetector(model)) detector(sb, DetectorSpec.read(sidecar));
        else if (VolumeSpec.describes(model)) volume(sb, VolumeSpec.read(sidecar));
        else segmentation(sb, SegmentationSpec.read(sidecar));
        return sb.toString().trim();
    }

    /** A bioimage.io package: what its description says, as CNN-J applies it. */
    private static String describePackage(Path asked) throws IOException {
        SegmentationModel m = SegmentationModel.resolve(asked);
        StringBuilder sb = new StringBuilder();
        String title = m.spec()
                .provenance()
                .getOrDefault("bioimage.io", asked.getFileName().toString());
        line(
                sb,
                "%s: a bioimage.io package%s (%s of ONNX weights, opset %d)",
                title,
                m.spec().provenance().containsKey("format")
                        ? " of format " + m.spec().provenance().get("format")
                        : " written by CNN-J",
                size(Files.size(m.onnx())),
                OnnxModelInfo.read(m.onnx()).opset());
        segmentation(sb, m.spec());
        return sb.toString().trim();
    }

    private static String size(long bytes) {
        return bytes < 100_000
                ? String.format(Locale.ROOT, "%.0f kB", bytes / 1e3)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static void segmentation(StringBuilder sb, SegmentationSpec s) {
        line(
                sb,
                "What it does: %s.",
                switch (s.task()) {
                    case INSTANCES -> "segments objects, touching ones separated by a predicted distance map";
                    case INSTANCES_3CLASS -> "segments objects from background, interior and boundary classes";
                    case SEMANTIC ->
                        s.classes().size() == 1
                                ? "gives every pixel a value, " + s.classes().get(0)
                                : "gives every pixel one of the classes " + String.join(", ", s.classes());
                });
        TensorIo io = s.tensorIo();
        if (io == null) line(sb, "Images: %d channel(s), %s.", s.inputChannels(), scaling(s.normalization()));
        else {
            line(
                    sb,
                    "Images: %d channel(s); preprocessing: %s; postprocessing: %s.",
                    s.inputChannels(),
                    Processing.describe(io.preprocessing()),
                    Processing.describe(io.postprocessing()));
            if (io.fixedSize())
                line(
                        sb,
                        "Input: exactly %d × %d px; larger images are tiled at that size with %d px of context, smaller"
                                + " ones mirrored up to it.",
                        io.height().min(),
                        io.width().min(),
                        s.halo());
            else line(sb, "Input: sides of %s px (tensors %s).", io.height(), io.inputAxes());
            if (s.task() == SegmentationTask.SEMANTIC)
                line(
                        sb,
                        "Objects: %s.",
                        ProbabilityObjects.AUTO.resolve(s).method() == ProbabilityObjects.Method.NONE
                                ? "none by default (the class map); objects=connected or watershed makes them"
                                : ProbabilityObjects.AUTO.resolve(s).describeFor(s));
        }
        if (s.objectDiameter() > 0)
            line(
                    sb,
                    "Object size: trained for objects %.1f px across; with diameter auto each image is measured and"
                            + " resized to that.",
                    s.objectDiameter());
        if (s.task() == SegmentationTask.INSTANCES) {
            Decoding d = s.decodingOrDefault();
            line(
                    sb,
                    "Objects: pixels above %.2f foreground probability%s%s; touching objects split where the distance"
                            + " map dips by %.2f%s.",
                    d.foreground(),
                    d.perObject()
                            ? String.format(
                                    Locale.ROOT,
                                    " times each object's peak (at least %.2f: dim objects drawn whole)",
                                    d.lowest())
                            : "",
                    d.hysteresis() ? String.format(Locale.ROOT, ", each object sure (%.2f) somewhere", d.seed()) : "",
                    s.split(),
                    d.relativeSpeck() > 0
                            ? String.format(
                                    Locale.ROOT,
                                    "; specks under %.0f%% of the image's median object dropped",
                                    100 * d.relativeSpeck())
                            : "");
        }
        if (s.architecture() != null)
            line(
                    sb,
                    "Network: U-Net of depth %d, %d base filters%s; tiles of multiples of %d px with %d px of context.",
                    s.architecture().depth(),
                    s.architecture().baseFilters(),
                    s.architecture().residual() ? ", residual blocks" : "",
                    s.tileMultiple(),
                    s.halo());
        else if (SegmentationEnsemble.isEnsemble(s))
            line(
                    sb,
                    "Network: an ensemble (the mean of several networks' outputs, each run on every tile: see"
                            + " \"ensemble\" below); tiles of multiples of %d px with %d px of context.",
                    s.tileMultiple(),
                    s.halo());
        else if (io == null || !io.fixedSize())
            line(sb, "Tiles: multiples of %d px with %d px of context.", s.tileMultiple(), s.halo());
        provenance(sb, s.provenance());
    }

    private static void volume(StringBuilder sb, VolumeSpec s) {
        line(
                sb,
                "What it does: finds objects in z-stacks in 3-D (each voxel's foreground and distance to its object's"
                        + " outline; objects are the basins of that map) and numbers them in a 3-D label stack.");
        line(
                sb,
                "Stacks: %d channel(s), %s; trained at voxel %s × %s × %s %s (z, y, x) on objects about %.1f voxels"
                        + " across: stacks are rescaled to that z/xy ratio (from their calibration) and object size"
                        + " (diameter auto measures it).",
                s.inputChannels(),
                scaling(s.normalization()),
                s.voxel()[0],
                s.voxel()[1],
                s.voxel()[2],
                s.unit(),
                s.objectDiameter());
        line(
                sb,
                "Network: 3-D U-Net, %d levels, %d base filters; blocks of multiples of %s voxels (d, h, w) with a"
                        + " %s voxel halo; split depth %.2f.",
                s.architecture().depth(),
                s.architecture().baseFilters(),
                Arrays.toString(s.tileMultiple()),
                Arrays.toString(s.halo()),
                s.splitDepth());
        provenance(sb, s.provenance());
    }

    private static void detector(StringBuilder sb, DetectorSpec s) {
        line(
                sb,
                "What it does: finds objects of the classes %s and draws a box around each.",
                String.join(", ", s.classes()));
        line(sb, "Images: %d channel(s), %s.", s.inputChannels(), scaling(s.normalization()));
        if (s.scale() != 1)
            line(
                    sb,
                    "Size: each image is resized x%s before the network, as in training; boxes come back on the"
                            + " image's own pixels.",
                    s.scale());
        if (s.kind() == DetectorKind.ONE_STAGE) {
            line(
                    sb,
                    "Boxes: predicted at every location of strides 8 and 16 (objects up to %.0f px at 8); kept from a"
                            + " score of %.2f, overlapping boxes of one class merged above IoU %.2f.",
                    2 * s.oneStage().levelSplit(),
                    s.scoreThreshold(),
                    s.nmsIou());
            line(
                    sb,
                    "Network: one-stage detector (FCOS style: one graph, no anchors; largest training box %.0f px).",
                    s.oneStage().largestObject());
        } else {
            line(
                    sb,
                    "Boxes: anchors of %s px; kept from a score of %.2f, overlapping boxes of one class merged above"
                            + " IoU %.2f.",
                    sizes(s.architecture().anchorSizes()),
                    s.scoreThreshold(),
                    s.nmsIou());
            line(
                    sb,
                    "Network: two-stage detector (region proposals, then a head on ROI Align features: %s).",
                    s.head());
            if (s.hasMasks())
                line(
                        sb,
                        "Outlines: a mask head (Mask R-CNN, %s) draws each object's outline on a %d x %d grid over its"
                                + " box; results come as outline ROIs and a label image.",
                        s.maskHead(),
                        s.masks().maskSize(),
                        s.masks().maskSize());
        }
        provenance(sb, s.provenance());
    }

    private static void classifier(StringBuilder sb, ClassifierSpec s) {
        ClassifierConfig a = s.architecture();
        line(sb, "What it does: tells which of %s a cell or crop is.", String.join(", ", s.classes()));
        line(
                sb,
                "Crops: %d x %d px, %d channel(s)%s, %s.",
                s.inputSize(),
                s.inputSize(),
                s.inputChannels(),
                s.roiMask() ? " (the last one the ROI's outline)" : "",
                scaling(s.normalization()).replace("each image", "each crop"));
        line(
                sb,
                "Network: %s at %s of its width; a class map of whole images is made every %d px (%s).",
                a.architecture().option(),
                a.width(),
                s.denseStride(),
                s.dense());
        provenance(sb, s.provenance());
    }

    /** How it was made: the command, the data, the date; other notes follow as they are. */
    private static void provenance(StringBuilder sb, Map<String, String> p) {
        if (p.isEmpty()) return;
        sb.append("How it was made:\n");
        for (String key : List.of("command", "images", "data", "validation", "date"))
            if (p.containsKey(key)) line(sb, "  %s: %s", key, p.get(key));
        p.forEach((k, v) -> {
            if (!List.of("command", "images", "data", "validation", "date").contains(k)) line(sb, "  %s: %s", k, v);
        });
    }

    private static String scaling(Normalization n) {
        return n.method() == NormalizationMethod.NONE
                ? "pixel values used as they are"
                : String.format(
                        Locale.ROOT,
                        "each image scaled so its %s and %s percentiles are 0 and 1",
                        percent(n.lowPercentile()),
                        percent(n.highPercentile()));
    }

    private static String percent(double p) {
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
    }

    private static String sizes(float[] s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : ", ").append(Math.round(s[i]));
        return b.toString();
    }

    private static void line(StringBuilder sb, String format, Object... args) {
        sb.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String dims(long[] d) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < d.length; i++) sb.append(i == 0 ? "" : ", ").append(d[i] < 0 ? "?" : String.valueOf(d[i]));
        return sb.append("]").toString();
    }
}
