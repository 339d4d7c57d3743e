package org.cnnj.seg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Normalization;
import org.cnnj.model.NormalizationMethod;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.runtime.AxisOrder;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.runtime.ReceptiveField;

/**
 * A segmentation model found and described, ready to open: its ONNX file and its sidecar, whatever the user named — a
 * built-in model ("nuclei (built-in)"), a bioimage.io package (its description read, nothing written beside it), a
 * CNN-J model with its sidecar, or an ONNX file from elsewhere without one (described from its graph and {@link
 * External}, said in one line). The one place that turns "a model" into what the engines and decoders need.
 */
public record SegmentationModel(Path onnx, SegmentationSpec spec) {
    /** For models without a sidecar: classes (0 = read from the model's output shape), tiling and normalization. */
    public record External(int classes, int tileMultiple, int halo, NormalizationMethod normalize) {
        /** Halo {@link #MEASURED}: the model's receptive field is measured ({@link ReceptiveField}). */
        public static final External DEFAULTS = new External(0, 16, External.MEASURED, NormalizationMethod.PERCENTILE);

        public static final int MEASURED = -1;
    }

    /** {@link #resolve(Path, External, Consumer)} with the defaults for a model without a sidecar, told nothing. */
    public static SegmentationModel resolve(Path model) throws IOException {
        return resolve(model, External.DEFAULTS, line -> {});
    }

    /** The model {@code model} names; {@code log} hears how a model without a sidecar was described. */
    public static SegmentationModel resolve(Path model, External external, Consumer<String> log) throws IOException {
        if (model == null)
            throw new IllegalArgumentException(
                    "no model chosen; choose a .onnx file, or model=[" + BuiltInModels.NUCLEI + "]");
        if (BioimageIo.isPackage(model) && Files.exists(model)) {
            BioimageIo.Package p = BioimageIo.open(model);
            SegmentationSpec spec = p.spec();
            if (spec.tensorIo() != null && spec.halo() == 0) spec = spec.withHalo(measuredHalo(p.onnx(), spec, log));
            return new SegmentationModel(p.onnx(), spec);
        }
        Path file = BuiltInModels.file(model);
        Path sidecar = Sidecars.of(file);
        if (Files.exists(sidecar)) {
            SegmentationSpec spec = SegmentationSpec.read(sidecar);
            spec.checkAgainst(file);
            return new SegmentationModel(file, spec);
        }
        return new SegmentationModel(file, describe(file, external, log));
    }

    /** The most classes a segmentation model may output (one byte per pixel holds its class). */
    static final int MAX_CLASSES = 127;

    /** The settings of an ONNX file without a sidecar: a semantic model, from its graph and {@code o}. */
    public static SegmentationSpec describe(Path model, External o, Consumer<String> log) throws IOException {
        OnnxModelInfo info = OnnxModelInfo.read(model);
        if (info.inputs().size() != 1 || info.inputs().get(0).dims().length != 4) {
            throw new IllegalArgumentException(model.getFileName()
                    + " does not take one [N, C, H, W] image; CNN-J runs models with a single NCHW float input");
        }
        long channels = info.inputs().get(0).dims()[1];
        long[] out =
                info.outputs().isEmpty() ? new long[0] : info.outputs().get(0).dims();
        int classes = o.classes() > 0 ? o.classes() : out.length == 4 && out[1] > 0 ? (int) out[1] : 0;
        if (classes > MAX_CLASSES) {
            throw new IllegalArgumentException(
                    model.getFileName() + (o.classes() > 0 ? ": classes=" : "'s output claims ")
                            + classes + (o.classes() > 0 ? "" : " channels")
                            + ", more than a segmentation model can have (CNN-J"
                            + " decodes up to " + MAX_CLASSES + " classes); check the model, or give classes=N");
        }
        if (classes == 0) {
            throw new IllegalArgumentException(model.getFileName()
                    + " has no sidecar and its output does not say how many classes it has; give classes=N"
                    + " (command line: --classes N)");
        }
        Normalization n = Normalization.of(o.normalize());
        int inputs = channels > 0 ? (int) channels : 1;
        int halo = o.halo() == External.MEASURED ? measuredHalo(model, inputs, o.tileMultiple(), log) : o.halo();
        SegmentationSpec spec = SegmentationSpec.forExternal(inputs, classes, o.tileMultiple(), halo, n);
        log.accept("no sidecar " + Sidecars.of(model).getFileName() + ": treating " + model.getFileName()
                + " as a semantic model with " + classes + " classes, tiles of multiples of " + spec.tileMultiple()
                + " px with a " + spec.halo() + " px halo, " + n.method().option()
                + " normalization (change with --classes, --tile-multiple, --halo, --normalize)");
        return spec;
    }

    /**
     * The halo of a package whose description gives none (the specification's default, 0): its receptive field,
     * measured as for a model without a sidecar, at a size the model takes, at most 3/8 of a fixed input (so a quarter of
     * each window is result), rounded up to the tile multiple.
     */
    private static int measuredHalo(Path onnx, SegmentationSpec spec, Consumer<String> log) throws IOException {
        TensorIo io = spec.tensorIo();
        int side = io.fixedSize()
                ? Math.min(io.height().min(), io.width().min())
                : Math.max(io.height().fit(256), io.width().fit(256));
        if (io.fixedSize() && io.height().min() != io.width().min()) return 0; // a square probe does not fit
        try (Engine engine =
                AxisOrder.of(OrtEngine.open(onnx, Device.CPU, 0, line -> {}), io.inputAxes(), io.outputAxes())) {
            int r = ReceptiveField.radiusAt(engine, spec.inputChannels(), side);
            int cap = io.fixedSize() ? side * 3 / 8 : 256;
            int halo = Math.min(r < 0 ? cap : Math.max(r, 1), cap), m = spec.tileMultiple();
            halo = (halo + m - 1) / m * m;
            log.accept("the description gives no halo: measured the model's receptive field"
                    + (r < 0 ? " (it spans the whole input)" : ", radius " + r + " px")
                    + "; tiles overlap by " + halo + " px");
            return halo;
        } catch (IllegalArgumentException | IllegalStateException e) {
            log.accept("warning: the description gives no halo and the receptive field could not be measured ("
                    + e.getMessage() + "); tiles will not overlap, and their seams may show");
            return 0;
        }
    }

    /**
     * The halo a model without a sidecar needs: its receptive-field radius, measured with an impulse (one line says
     * so). A model whose output depends on the whole image gets a warning: tiles cannot reproduce it.
     */
    private static int measuredHalo(Path model, int channels, int tileMultiple, Consumer<String> log)
            throws IOException {
        try (OrtEngine engine = OrtEngine.open(model, Device.CPU, 0, line -> {})) {
            int r = ReceptiveField.radius(engine, channels, tileMultiple);
            if (r < 0) {
                log.accept("warning: " + model.getFileName() + "'s output at a pixel depends on the whole"
                        + " image (global pooling or similar): tiled results will differ from whole-image ones; give a"
                        + " --tile as large as the images, or --halo N");
                return 128;
            }
            log.accept("measured " + model.getFileName() + "'s receptive field: radius " + r + " px"
                    + " (an impulse probe), used as the halo");
            return Math.max(r, 1);
        }
    }
}
