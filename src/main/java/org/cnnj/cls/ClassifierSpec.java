package org.cnnj.cls;

import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.model.Normalization;
import org.cnnj.model.Sidecars;

/**
 * The JSON sidecar of an image classifier (model.onnx → model.json). The ONNX graph takes crops [N, C, S, S] and gives
 * class logits [N, classes]; {@code dense} names a second graph (model.dense.onnx) with the FC head turned into
 * convolutions, giving a class-logit map [N, classes, H', W'] for an image of any size ≥ S, one position every
 * {@code denseStride} pixels.
 *
 * @param task          always "classification"
 * @param inputSize     S: crops are S×S pixels (other sizes are scaled to it)
 * @param classes       class names, in logit order
 * @param normalization how each crop's pixels are scaled before the network (per crop)
 * @param architecture  the network (lets the Java engine rebuild it and fine-tuning continue from it)
 * @param roiWindow     when trained on ROIs: the square window (pixels) cut around each ROI before scaling to S
 *                      (0 = S); applied the same way when classifying ROIs
 * @param roiMask       when trained on ROIs: the ROI's filled shape was a last input channel
 * @param provenance    training command, data, date, validation accuracy
 */
public record ClassifierSpec(
        int format,
        String task,
        String axes,
        int inputChannels,
        int inputSize,
        List<String> classes,
        Normalization normalization,
        ClassifierConfig architecture,
        String dense,
        int denseStride,
        int roiWindow,
        boolean roiMask,
        Map<String, String> provenance) {
    public static final String TASK = Sidecars.CLASSIFICATION;

    public ClassifierSpec {
        if (!TASK.equals(task))
            throw new IllegalArgumentException("model sidecar: task is \"" + task + "\", not \"" + TASK + "\"");
        if (!"NCHW".equals(axes))
            throw new IllegalArgumentException(
                    "model sidecar: axes \"" + axes + "\" is not supported; CNN-J runs NCHW");
        if (architecture == null)
            throw new IllegalArgumentException("model sidecar: a classifier needs its \"architecture\"");
        if (classes == null || !classes.equals(architecture.classes())) {
            throw new IllegalArgumentException(
                    "model sidecar: classes " + classes + " differ from the architecture's " + architecture.classes());
        }
        if (inputChannels != architecture.inputChannels() || inputSize != architecture.inputSize())
            throw new IllegalArgumentException("model sidecar: inputChannels/inputSize differ from the architecture's");
        if (normalization == null)
            throw new IllegalArgumentException("model sidecar: normalization is missing (\"percentile\" or \"none\")");
        if (roiWindow < 0) throw new IllegalArgumentException("model sidecar: roiWindow must be >= 0");
        provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    public static ClassifierSpec of(
            ClassifierConfig c, Normalization normalization, int denseStride, Map<String, String> provenance) {
        return new ClassifierSpec(
                1,
                TASK,
                "NCHW",
                c.inputChannels(),
                c.inputSize(),
                c.classes(),
                normalization,
                c,
                "model.dense.onnx",
                denseStride,
                0,
                false,
                provenance);
    }

    /** This sidecar for a classifier saved as {@code model}: its dense graph named after it (model.dense.onnx). */
    public ClassifierSpec savedAs(Path model, Map<String, String> moreProvenance) {
        Map<String, String> p = new LinkedHashMap<>(provenance);
        p.putAll(moreProvenance);
        return with(denseOf(model).getFileName().toString(), roiWindow, roiMask, p);
    }

    /** This sidecar with the ROI cropping the model was trained with. */
    public ClassifierSpec withRoiCropping(int window, boolean mask) {
        return with(dense, window, mask, provenance);
    }

    private ClassifierSpec with(String denseFile, int window, boolean mask, Map<String, String> p) {
        return new ClassifierSpec(
                format,
                task,
                axes,
                inputChannels,
                inputSize,
                classes,
                normalization,
                architecture,
                denseFile,
                denseStride,
                window,
                mask,
                p);
    }

    /** Channels of the images it classifies: the input channels less the mask channel. */
    public int imageChannels() {
        return inputChannels - (roiMask ? 1 : 0);
    }

    public static Path denseOf(Path model) {
        return Sidecars.sibling(model, ".dense.onnx");
    }

    /** True when the sidecar next to {@code model} describes a classifier. */
    public static boolean isClassifier(Path model) {
        Path json = Sidecars.of(model);
        try {
            return Files.isRegularFile(json) && TASK.equals(Sidecars.task(Sidecars.parse(json, "")));
        } catch (IOException e) {
            return false;
        }
    }

    public static ClassifierSpec read(Path json) throws IOException {
        JsonElement tree = Sidecars.parse(
                json, "classifier sidecar " + json + " does not exist; a classifier needs its .json next to the .onnx");
        String task = Sidecars.task(tree);
        if (Sidecars.DETECTION.equals(task)) {
            throw new IOException(json + " describes an object detector, not a classifier; use it with Detect in"
                    + " Image… or Detect in Folder… (Plugins › CNN-J › Detection; ./cnnj detect)");
        }
        if (task != null && !TASK.equals(task)) {
            throw new IOException(
                    json + " describes a segmentation model (task \"" + task + "\"), not a classifier;"
                            + " use it with Segment Image… or Segment Folder… (Plugins › CNN-J › Segmentation; ./cnnj segment)");
        }
        if (task == null) {
            throw new IOException(json + " names no task; a CNN-J classifier's sidecar says \"task\": \"" + TASK
                    + "\" (was the model trained with Train Classifier… / ./cnnj train-cls?)");
        }
        return Sidecars.convert(tree, ClassifierSpec.class, json, "it should describe the classifier");
    }

    public void write(Path json) throws IOException {
        Sidecars.write(this, json);
    }
}
