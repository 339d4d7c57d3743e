package org.cnnj.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.cnnj.cls.ClassifierConfig;
import org.cnnj.cls.ClassifierSpec;
import org.cnnj.det.DetectorSpec;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.seg.SegmentationSpec;

/** A readable description of a model file and its sidecar (Model Info command, `./cnnj model-info`). */
public final class ModelReport {
    private ModelReport() {}

    public static String describe(Path model) throws IOException {
        OnnxModelInfo info = OnnxModelInfo.read(model);
        StringBuilder sb = new StringBuilder(
                model.getFileName() + ": ONNX opset " + info.opset() + ", " + Files.size(model) / 1024 + " KB\n");
        for (OnnxModelInfo.Value v : info.inputs())
            sb.append("  input  ")
                    .append(v.name())
                    .append(" ")
                    .append(dims(v.dims()))
                    .append('\n');
        for (OnnxModelInfo.Value v : info.outputs())
            sb.append("  output ")
                    .append(v.name())
                    .append(" ")
                    .append(dims(v.dims()))
                    .append('\n');
        Path sidecar = Sidecars.of(model);
        if (!Files.exists(sidecar)) {
            return sb.append("no sidecar (")
                    .append(sidecar.getFileName())
                    .append("): an external model; Segment applies it as a semantic model"
                            + " with options for classes, tile multiple, halo and normalization")
                    .toString();
        }
        if (ClassifierSpec.isClassifier(model)) {
            ClassifierSpec s = ClassifierSpec.read(sidecar);
            ClassifierConfig a = s.architecture();
            sb.append(String.format(
                    Locale.ROOT,
                    "classifier: %s at width %s, %d x %d px crops with %d channel(s)%s; classes %s%n",
                    a.architecture().option(),
                    a.width(),
                    s.inputSize(),
                    s.inputSize(),
                    s.inputChannels(),
                    s.roiMask() ? " (the last one the ROI's mask)" : "",
                    s.classes()));
            sb.append(String.format(
                    Locale.ROOT,
                    "dense map graph %s (one position every %d px); ROI window %s; normalization %s%n",
                    s.dense(),
                    s.denseStride(),
                    s.roiWindow() == 0 ? "= crop size" : s.roiWindow() + " px",
                    s.normalization()));
            s.provenance()
                    .forEach((k, v) ->
                            sb.append("  ").append(k).append(": ").append(v).append('\n'));
        } else if (DetectorSpec.isDetector(model)) {
            DetectorSpec s = DetectorSpec.read(sidecar);
            sb.append(String.format(
                    Locale.ROOT,
                    "detector: classes %s; anchors %s px at ratios %s, stride 4; ROI Align %dx%d; head graph %s%n",
                    s.classes(),
                    Arrays.toString(s.architecture().anchorSizes()),
                    Arrays.toString(s.architecture().aspectRatios()),
                    s.architecture().roiSize(),
                    s.architecture().roiSize(),
                    s.head()));
            sb.append(String.format(
                    Locale.ROOT,
                    "defaults: score >= %.2f, NMS IoU %.2f; normalization %s%n",
                    s.scoreThreshold(),
                    s.nmsIou(),
                    s.normalization()));
            s.provenance()
                    .forEach((k, v) ->
                            sb.append("  ").append(k).append(": ").append(v).append('\n'));
        } else {
            SegmentationSpec s = SegmentationSpec.read(sidecar);
            sb.append(String.format(
                    Locale.ROOT,
                    "segmentation (%s): classes %s, %d input channel(s), output %s; tiles of multiples of %d px, halo %d px%n",
                    s.task().sidecar(),
                    s.classes(),
                    s.inputChannels(),
                    s.output(),
                    s.tileMultiple(),
                    s.halo()));
            sb.append("normalization ")
                    .append(s.normalization())
                    .append(s.architecture() != null ? "; architecture " + s.architecture() : "")
                    .append('\n');
            s.provenance()
                    .forEach((k, v) ->
                            sb.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        return sb.toString().trim();
    }

    private static String dims(long[] d) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < d.length; i++) sb.append(i == 0 ? "" : ", ").append(d[i] < 0 ? "?" : String.valueOf(d[i]));
        return sb.append("]").toString();
    }
}
