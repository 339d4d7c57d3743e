package org.cnnj.seg;

import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.model.Normalization;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.OnnxModelInfo;

/**
 * The JSON sidecar next to a model (model.onnx → model.json): everything needed to apply it correctly.
 *
 * @param format       sidecar format version (1)
 * @param axes         input layout, always "NCHW"
 * @param inputChannels channels the network expects
 * @param classes      output class names, in channel order
 * @param output       "logits" (argmax/softmax applied by CNN-J) or "probabilities"
 * @param task         "semantic" (one class per pixel), "instances-3class" (background/interior/boundary → objects) or
 *                     "instances-distance" (the same three classes plus a fourth output channel, the logit of each pixel's
 *                     normalized distance to its object's outline, from which touching objects are separated)
 * @param normalization how raw pixels are scaled before the network
 * @param tileMultiple height and width of an input tile must be multiples of this (2^depth for a U-Net)
 * @param halo         pixels of context around each tile so tiled output equals whole-image output
 * @param architecture the U-Net configuration when CNN-J trained it (lets the Java engine rebuild it), else null
 * @param provenance   how the model was made: training command, data, date, CNN-J version
 * @param objectDiameter median object diameter (pixels) the model was trained for: images are rescaled so their
 *                     objects have this size before the model sees them; 0 when not recorded (no rescaling)
 * @param splitDepth   instances-distance: how far (in normalized distance, 0..1) the predicted map must dip between two
 *                     peaks for them to be two objects, chosen after training on the validation images (as StarDist
 *                     optimizes its thresholds); 0 = the default 0.1
 * @param decoding     instances-distance: the foreground and seed thresholds and the relative speck size chosen for the
 *                     model ({@link Decoding}); absent = {@link Decoding#DEFAULT}
 * @param tensorIo     a model made elsewhere: its axes, input sizes and pre/postprocessing ({@link TensorIo}); absent
 *                     for CNN-J's own models
 */
public record SegmentationSpec(
        int format,
        String axes,
        int inputChannels,
        List<String> classes,
        String output,
        SegmentationTask task,
        Normalization normalization,
        int tileMultiple,
        int halo,
        UNetConfig architecture,
        Map<String, String> provenance,
        double objectDiameter,
        double splitDepth,
        Decoding decoding,
        TensorIo tensorIo) {
    /** The split depth of a distance model whose sidecar names none (the decoding's default). */
    public static final float DEFAULT_SPLIT_DEPTH = 0.1f;

    private static final String TASKS = "task must be \"semantic\", \"instances-3class\" or \"instances-distance\"";

    /** Output channels of an instances-distance model, the last being the distance logit. */
    public static final List<String> DISTANCE_CHANNELS = List.of("background", "interior", "boundary", "distance");

    public SegmentationSpec {
        if (!"NCHW".equals(axes))
            throw new IllegalArgumentException(
                    "model sidecar: axes \"" + axes + "\" is not supported; CNN-J runs NCHW models");
        if (inputChannels < 1)
            throw new IllegalArgumentException("model sidecar: inputChannels must be >= 1, got " + inputChannels);
        if (classes == null || classes.isEmpty())
            throw new IllegalArgumentException("model sidecar: classes must name at least one class");
        if (!"logits".equals(output) && !"probabilities".equals(output)) {
            throw new IllegalArgumentException(
                    "model sidecar: output must be \"logits\" or \"probabilities\", got \"" + output + "\"");
        }
        if (task == null) throw new IllegalArgumentException("model sidecar: task is missing; " + TASKS);
        if (task == SegmentationTask.INSTANCES && !DISTANCE_CHANNELS.equals(classes)) {
            throw new IllegalArgumentException("model sidecar: task " + task.sidecar() + " needs the classes "
                    + DISTANCE_CHANNELS + ", got " + classes);
        }
        if (!(splitDepth == 0 || (splitDepth > 0 && splitDepth < 1))) {
            throw new IllegalArgumentException(
                    "model sidecar: splitDepth must be in (0, 1) (or 0 for the default), got " + splitDepth);
        }
        if (objectDiameter > 0 && task != SegmentationTask.INSTANCES) {
            throw new IllegalArgumentException(
                    "model sidecar: objectDiameter is for " + SegmentationTask.INSTANCES.sidecar()
                            + " models (their objects are measured to rescale images); this is a " + task.sidecar()
                            + " model: remove objectDiameter, or correct the task");
        }
        if (!(objectDiameter >= 0 && objectDiameter < 10_000)) {
            throw new IllegalArgumentException(
                    "model sidecar: objectDiameter must be 0 (not recorded) or a size in pixels, got "
                            + objectDiameter);
        }
        if (task == SegmentationTask.INSTANCES_3CLASS && classes.size() != 3) {
            throw new IllegalArgumentException("model sidecar: task " + task.sidecar()
                    + " needs exactly 3 classes (background, interior, boundary)");
        }
        if (tileMultiple < 1 || halo < 0 || halo % tileMultiple != 0) {
            throw new IllegalArgumentException(
                    "model sidecar: tileMultiple must be >= 1 and halo a multiple of it, got " + tileMultiple + " and "
                            + halo);
        }
        if (normalization == null) {
            throw new IllegalArgumentException(
                    "model sidecar: normalization is missing; it must say how pixels were scaled in training, e.g."
                            + " \"normalization\": {\"method\": \"percentile\", \"lowPercentile\": 1.0, \"highPercentile\": 99.8} or {\"method\": \"none\"}");
        }
        // Insertion order kept (Map.copyOf would shuffle it differently in every JVM, and the sidecar with it).
        provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        classes = List.copyOf(classes);
    }

    /** The sidecar CNN-J writes for a U-Net it trained. */
    static SegmentationSpec forUNet(
            UNetConfig c,
            List<String> classes,
            SegmentationTask task,
            Normalization n,
            Map<String, String> provenance,
            double objectDiameter) {
        return new SegmentationSpec(
                1,
                "NCHW",
                c.inChannels(),
                classes,
                "logits",
                task,
                n,
                c.sizeMultiple(),
                haloFor(c),
                c,
                provenance,
                objectDiameter,
                0,
                null,
                null);
    }

    /** True for the tasks whose output is separated objects. */
    public boolean isInstances() {
        return task.isInstances();
    }

    /** How many output channels are classes for the per-pixel argmax (the distance channel is not one). */
    public int classChannels() {
        return task == SegmentationTask.INSTANCES ? 3 : classes.size();
    }

    /** The same model with another provenance. */
    public SegmentationSpec withProvenance(Map<String, String> p) {
        return new SegmentationSpec(
                format,
                axes,
                inputChannels,
                classes,
                output,
                task,
                normalization,
                tileMultiple,
                halo,
                architecture,
                p,
                objectDiameter,
                splitDepth,
                decoding,
                tensorIo);
    }

    /** The same model with another split depth. */
    public SegmentationSpec withSplitDepth(double t) {
        return new SegmentationSpec(
                format,
                axes,
                inputChannels,
                classes,
                output,
                task,
                normalization,
                tileMultiple,
                halo,
                architecture,
                provenance,
                objectDiameter,
                t,
                decoding,
                tensorIo);
    }

    /** The same model decoded as {@code d} says. */
    public SegmentationSpec withDecoding(Decoding d) {
        return new SegmentationSpec(
                format,
                axes,
                inputChannels,
                classes,
                output,
                task,
                normalization,
                tileMultiple,
                halo,
                architecture,
                provenance,
                objectDiameter,
                splitDepth,
                d,
                tensorIo);
    }

    /** The same model with tiles overlapping by {@code pixels} (a multiple of the tile multiple). */
    public SegmentationSpec withHalo(int pixels) {
        return new SegmentationSpec(
                format,
                axes,
                inputChannels,
                classes,
                output,
                task,
                normalization,
                tileMultiple,
                pixels,
                architecture,
                provenance,
                objectDiameter,
                splitDepth,
                decoding,
                tensorIo);
    }

    /** The same model fed and read as {@code io} says (null: as a CNN-J model). */
    public SegmentationSpec withTensorIo(TensorIo io) {
        return new SegmentationSpec(
                format,
                axes,
                inputChannels,
                classes,
                output,
                task,
                normalization,
                tileMultiple,
                halo,
                architecture,
                provenance,
                objectDiameter,
                splitDepth,
                decoding,
                io);
    }

    /** How a distance model's maps become objects: the sidecar's {@code decoding}, or {@link Decoding#DEFAULT}. */
    public Decoding decodingOrDefault() {
        return decoding == null ? Decoding.DEFAULT : decoding;
    }

    /** The split depth to decode with. */
    public float split() {
        return splitDepth > 0 ? (float) splitDepth : DEFAULT_SPLIT_DEPTH;
    }

    /**
     * Context each tile needs: the receptive-field radius of the U-Net. Two 3×3 convs per level add
     * 2·2^l each on the way down (levels 0..d) and up (0..d−1); each 2×2 pool and 2×2 up-convolution
     * adds 2^l: 2(2^(d+1)−1) + 2(2^d−1) + 2(2^d−1) = 8·2^d − 6, rounded up to the tile multiple.
     * Residual levels have the same two 3×3 convs (their 1×1 skips add nothing).
     */
    public static int haloFor(UNetConfig c) {
        int radius = 8 * (1 << c.depth()) - 6;
        int m = c.sizeMultiple();
        return (radius + m - 1) / m * m;
    }

    /** The least common multiple of two tile multiples: the sides both can take. */
    static int commonMultiple(int a, int b) {
        int x = a, y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    /**
     * Settings for a model without a sidecar (e.g. exported from PyTorch): a semantic model with
     * {@code classes} logit channels, applied in tiles of multiples of {@code tileMultiple} with {@code halo}.
     */
    public static SegmentationSpec forExternal(
            int inputChannels, int classes, int tileMultiple, int halo, Normalization n) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) names.add("class" + c);
        int roundedHalo = (halo + tileMultiple - 1) / tileMultiple * tileMultiple;
        return new SegmentationSpec(
                1,
                "NCHW",
                inputChannels,
                names,
                "logits",
                SegmentationTask.SEMANTIC,
                n,
                tileMultiple,
                roundedHalo,
                null,
                Map.of("note", "external model without a sidecar; settings from the command line or defaults"),
                0,
                0,
                null,
                null);
    }

    /**
     * Refuses a sidecar that does not fit its model: input channels and output channels (classes) must
     * match the ONNX graph's where the graph states them.
     */
    public void checkAgainst(Path model) throws IOException {
        OnnxModelInfo info = OnnxModelInfo.read(model);
        Path json = Sidecars.of(model);
        if (!info.inputs().isEmpty()
                && info.inputs().get(0).dims().length == 4
                && info.inputs().get(0).dims()[1] > 0
                && info.inputs().get(0).dims()[1] != inputChannels) {
            throw new IllegalArgumentException(json.getFileName() + " says the model takes " + inputChannels
                    + " channel(s) but " + model.getFileName() + " takes "
                    + info.inputs().get(0).dims()[1] + "; fix inputChannels in " + json.getFileName()
                    + " or use the sidecar that came with the model");
        }
        if (!info.outputs().isEmpty()
                && info.outputs().get(0).dims().length == 4
                && info.outputs().get(0).dims()[1] > 0
                && info.outputs().get(0).dims()[1] != classes.size()) {
            throw new IllegalArgumentException(json.getFileName() + " names " + classes.size() + " classes " + classes
                    + " but " + model.getFileName()
                    + " outputs " + info.outputs().get(0).dims()[1] + " channels; fix the classes list in "
                    + json.getFileName()
                    + " or use the sidecar that came with the model");
        }
    }

    public static SegmentationSpec read(Path json) throws IOException {
        JsonElement tree = Sidecars.parse(json, "model sidecar " + json + " does not exist");
        if (Sidecars.DETECTION.equals(Sidecars.task(tree))) {
            throw new IOException(json
                    + " describes an object detector, not a segmentation model; use it with Detect in Image… or Detect in Folder…"
                    + " (Plugins › CNN-J › Detection; ./cnnj detect)");
        }
        if (Sidecars.CLASSIFICATION.equals(Sidecars.task(tree))) {
            throw new IOException(json + " describes an image classifier, not a segmentation model; use it with"
                    + " Classify Images… or Classify ROIs… (Plugins › CNN-J › Classification; ./cnnj classify)");
        }
        if (Sidecars.VOLUME.equals(Sidecars.task(tree))) {
            throw new IOException(json + " describes a 3-D model (z-stacks), not a 2-D one; apply it to a stack: ./cnnj"
                    + " segment (the model decides) or Segment Image… on a hyperstack with slices (Z)");
        }
        String task = Sidecars.task(tree);
        if (task != null
                && Arrays.stream(SegmentationTask.values())
                        .noneMatch(t -> t.sidecar().equals(task)))
            throw new IOException(json + ": model sidecar: " + TASKS + ", got \"" + task + "\"");
        return Sidecars.convert(
                tree, SegmentationSpec.class, json, "it should describe the model (axes, classes, normalization)");
    }

    public void write(Path json) throws IOException {
        Sidecars.write(this, json);
    }
}
