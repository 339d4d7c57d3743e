package org.cnnj.det;

import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.model.Normalization;
import org.cnnj.model.Sidecars;

/**
 * The JSON sidecar of a detector (model.onnx → model.json). A two-stage detector is two ONNX graphs: the
 * backbone + RPN ({@code model.onnx}: input [N, C, H, W] → features, objectness, deltas) and the box
 * head ({@code head}: ROI crops [K, F, P, P] → class_logits, box_deltas); anchor decoding, NMS and
 * ROI Align run in Java between them (see {@link ObjectDetector} for why). A one-stage detector is one graph
 * ({@code model.onnx}: input → level8, level16, see {@link OneStageNetwork}) and has {@code oneStage} in place of
 * {@code architecture} and {@code head}.
 *
 * @param task           always "detection"
 * @param classes        object class names (the head's scores 1..n; 0 is background)
 * @param head           file name of the head graph, next to the model (two-stage only)
 * @param architecture   a two-stage network's configuration (anchors, stride-4 backbone widths, ROI size)
 * @param scoreThreshold default minimum class probability of a detection
 * @param nmsIou         default overlap above which the weaker of two same-class detections is dropped
 * @param provenance     training command, data, date
 * @param oneStage       a one-stage network's configuration, or null for a two-stage detector
 * @param maskHead       file name of the mask head graph (ROI crops [K, F, R, R] → mask_logits [K, classes, 2R, 2R]),
 *                       next to the model, or null for boxes only
 * @param masks          the mask head's configuration (two-stage only), or null for boxes only
 * @param objectSize     median side (√(width · height)) of the training boxes in pixels, for rescaling images whose
 *                       objects have another size; 0 when not recorded
 * @param imageScale     the factor images were resized by in training, and are resized by before the network when no
 *                       object size is given (0.5: the network sees half the pixels in each direction); null: 1, as
 *                       they are (left out of the file then, so older sidecars read and write as they did)
 */
public record DetectorSpec(
        int format,
        String task,
        String axes,
        int inputChannels,
        List<String> classes,
        Normalization normalization,
        String head,
        DetectorConfig architecture,
        float scoreThreshold,
        float nmsIou,
        Map<String, String> provenance,
        OneStageConfig oneStage,
        String maskHead,
        MaskConfig masks,
        float objectSize,
        Float imageScale) {
    public static final String TASK = Sidecars.DETECTION;

    public DetectorSpec {
        if (!TASK.equals(task)) {
            throw new IllegalArgumentException("model sidecar: task is \"" + task
                    + "\", not \"detection\"; this is a segmentation model," + " use Segment (./cnnj segment) with it");
        }
        if (!"NCHW".equals(axes))
            throw new IllegalArgumentException(
                    "model sidecar: axes \"" + axes + "\" is not supported; CNN-J runs NCHW models");
        if ((architecture == null) == (oneStage == null))
            throw new IllegalArgumentException("model sidecar: a detector needs either its \"architecture\" (two-stage:"
                    + " anchors, widths) or \"oneStage\" (one-stage: widths, level split), not "
                    + (oneStage == null ? "neither" : "both"));
        if (!(objectSize >= 0)) throw new IllegalArgumentException("model sidecar: objectSize must be >= 0");
        if (imageScale != null && !(imageScale >= 1 / 16f && imageScale <= 8))
            throw new IllegalArgumentException("model sidecar: imageScale must be in 1/16..8, got " + imageScale);
        if (imageScale != null && imageScale == 1) imageScale = null;
        if (masks != null && (oneStage != null || maskHead == null || maskHead.isBlank()))
            throw new IllegalArgumentException("model sidecar: \"masks\" belong to a two-stage detector and need"
                    + " \"maskHead\", the mask head's ONNX file");
        if (oneStage == null && (head == null || head.isBlank()))
            throw new IllegalArgumentException("model sidecar: \"head\" must name the head ONNX file");
        List<String> declared = oneStage == null ? architecture.classes() : oneStage.classes();
        if (classes == null || !classes.equals(declared)) {
            throw new IllegalArgumentException(
                    "model sidecar: classes " + classes + " differ from the architecture's " + declared);
        }
        if (!(scoreThreshold >= 0 && scoreThreshold <= 1) || !(nmsIou > 0 && nmsIou <= 1)) {
            throw new IllegalArgumentException("model sidecar: scoreThreshold must be in [0, 1] and nmsIou in (0, 1]");
        }
        if (normalization == null) {
            throw new IllegalArgumentException(
                    "model sidecar: normalization is missing; it must say how pixels were scaled in training, e.g."
                            + " \"normalization\": {\"method\": \"percentile\", \"lowPercentile\": 1.0, \"highPercentile\": 99.8}");
        }
        // Insertion order kept (Map.copyOf would shuffle it differently in every JVM, and the sidecar with it).
        provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    public static DetectorSpec of(DetectorConfig c, String headFile, Map<String, String> provenance) {
        return of(c.inputChannels(), c.classes(), headFile, c, 0.5f, 0.4f, provenance, null);
    }

    /** A one-stage detector's sidecar: one graph, no head; detections kept from a score of 0.3 (√(class · centre-ness)). */
    public static DetectorSpec of(OneStageConfig c, Map<String, String> provenance) {
        return of(c.inputChannels(), c.classes(), null, null, 0.3f, 0.5f, provenance, c);
    }

    /** Pixels scaled by percentiles 1 to 99.8, as training normalizes them. */
    private static DetectorSpec of(
            int channels,
            List<String> classes,
            String head,
            DetectorConfig twoStage,
            float score,
            float nms,
            Map<String, String> provenance,
            OneStageConfig oneStage) {
        return new DetectorSpec(
                1,
                TASK,
                "NCHW",
                channels,
                classes,
                Normalization.percentile(1, 99.8),
                head,
                twoStage,
                score,
                nms,
                provenance,
                oneStage,
                null,
                null,
                0f,
                null);
    }

    public DetectorKind kind() {
        return oneStage == null ? DetectorKind.TWO_STAGE : DetectorKind.ONE_STAGE;
    }

    /** This sidecar for a detector saved as {@code model}: its head graphs named after it (model.head.onnx, model.mask.onnx). */
    public DetectorSpec withHead(Path model) {
        if (oneStage != null) return this;
        String maskFile = masks == null ? null : maskHeadOf(model).getFileName().toString();
        return with(headOf(model).getFileName().toString(), maskFile, masks, objectSize, imageScale);
    }

    /** This sidecar with a mask head of {@code config} (its graph named model.mask.onnx until {@link #withHead}). */
    public DetectorSpec withMasks(MaskConfig config) {
        if (oneStage != null)
            throw new IllegalArgumentException("masks need a two-stage detector (--architecture two-stage)");
        return with(head, config == null ? null : "model.mask.onnx", config, objectSize, imageScale);
    }

    /** This sidecar recording the median training box side {@code pixels} (0: unknown). */
    public DetectorSpec withObjectSize(float pixels) {
        return with(head, maskHead, masks, pixels, imageScale);
    }

    /** This sidecar for a network that sees images resized by {@code factor} (1: as they are). */
    public DetectorSpec withImageScale(double factor) {
        return with(head, maskHead, masks, objectSize, (float) factor);
    }

    /** The factor images are resized by before the network when no object size is given: 1, or {@link #imageScale}. */
    public double scale() {
        return imageScale == null ? 1 : imageScale;
    }

    /** The same sidecar with other graph files, mask head, object size and image scale. */
    private DetectorSpec with(String headFile, String maskFile, MaskConfig maskConfig, float size, Float scale) {
        return new DetectorSpec(
                format,
                task,
                axes,
                inputChannels,
                classes,
                normalization,
                headFile,
                architecture,
                scoreThreshold,
                nmsIou,
                provenance,
                oneStage,
                maskFile,
                maskConfig,
                size,
                scale);
    }

    /** True when the detector outlines each object (a mask head). */
    public boolean hasMasks() {
        return masks != null;
    }

    /** The mask head graph's file for a model file: model.onnx → model.mask.onnx. */
    public static Path maskHeadOf(Path model) {
        return Sidecars.sibling(model, ".mask.onnx");
    }

    /** The head graph's file for a model file: model.onnx → model.head.onnx. */
    public static Path headOf(Path model) {
        return Sidecars.sibling(model, ".head.onnx");
    }

    /** True when the sidecar next to {@code model} describes a detector. */
    public static boolean isDetector(Path model) {
        Path json = Sidecars.of(model);
        try {
            return Files.isRegularFile(json)
                    && Files.readString(json, StandardCharsets.UTF_8).contains("\"" + TASK + "\"");
        } catch (IOException e) {
            return false;
        }
    }

    public static DetectorSpec read(Path json) throws IOException {
        JsonElement tree = Sidecars.parse(
                json, "detector sidecar " + json + " does not exist; a detector needs its .json next to the .onnx");
        String task = Sidecars.task(tree);
        if (Sidecars.CLASSIFICATION.equals(task)) {
            throw new IOException(json + " describes an image classifier, not a detector; use it with Classify Images…"
                    + " or Classify ROIs… (Plugins › CNN-J › Classification; ./cnnj classify)");
        }
        if (task != null && !TASK.equals(task)) {
            throw new IOException(
                    json + " describes a segmentation model (task \"" + task
                            + "\"), not a detector; use it with Segment Image… or Segment Folder… (Plugins › CNN-J › Segmentation; ./cnnj segment)");
        }
        return Sidecars.convert(tree, DetectorSpec.class, json, "it should describe the detector");
    }

    public void write(Path json) throws IOException {
        Sidecars.write(this, json);
    }
}
