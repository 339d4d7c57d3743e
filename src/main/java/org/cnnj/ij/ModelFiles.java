package org.cnnj.ij;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cnnj.cls.ClassifierSpec;
import org.cnnj.det.DetectorSpec;
import org.cnnj.io.AtomicFiles;
import org.cnnj.model.BioimageIo;
import org.cnnj.model.ModelSpec;
import org.cnnj.onnx.OnnxModelInfo;

/**
 * Moving models between places: export copies a CNN-J model with everything it needs (the .onnx, a
 * detector's head graph, the sidecar) into a folder; import takes an ONNX model from elsewhere (e.g.
 * exported from PyTorch), checks that CNN-J can run it, and writes it with a sidecar holding the
 * settings (classes, tiling, normalization) so later runs need no options.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /** Copies the model's files into {@code folder}; returns the copied model path. */
    public static Path export(Path model, Path folder) throws IOException {
        if (!Files.isRegularFile(model))
            throw new IOException("model file " + model + " does not exist; check the path");
        List<Path> files = new ArrayList<>(List.of(model));
        Path sidecar = ModelSpec.sidecarOf(model);
        if (Files.exists(sidecar)) files.add(sidecar);
        if (DetectorSpec.isDetector(model))
            files.add(model.resolveSibling(DetectorSpec.read(sidecar).head()));
        if (ClassifierSpec.isClassifier(model))
            files.add(model.resolveSibling(ClassifierSpec.read(sidecar).dense()));
        for (Path f : files)
            if (!Files.isRegularFile(f))
                throw new IOException(f + " belongs to " + model.getFileName() + " but is missing");
        AtomicFiles.createFolder(folder);
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            AtomicFiles.write(folder.resolve(f.getFileName().toString()), out -> out.write(bytes));
        }
        return folder.resolve(model.getFileName().toString());
    }

    /**
     * Imports an external segmentation model as {@code destination} (.onnx) with a sidecar.
     *
     * @param classes      output classes, or 0 to read them from the model's output shape
     * @param tileMultiple tile sizes must be multiples of this (e.g. 2^depth of a U-Net)
     * @param halo         context pixels around each tile (about the receptive-field radius)
     * @param normalize    percentile (1–99.8 %) or none
     */
    public static ModelSpec importModel(
            Path external,
            Path destination,
            int classes,
            int tileMultiple,
            int halo,
            ModelSpec.NormalizationMethod normalize)
            throws IOException {
        if (!destination.getFileName().toString().endsWith(".onnx"))
            throw new IllegalArgumentException("import: the destination must be a .onnx file");
        if (BioimageIo.isPackage(external)) { // the package's description says what the options would
            BioimageIo.Package p = BioimageIo.open(external);
            byte[] bytes = Files.readAllBytes(p.onnx());
            AtomicFiles.createFolder(destination.toAbsolutePath().getParent());
            AtomicFiles.write(destination, os -> os.write(bytes));
            p.spec().write(ModelSpec.sidecarOf(destination));
            return p.spec();
        }
        OnnxModelInfo info = OnnxModelInfo.read(external);
        if (info.inputs().size() != 1 || info.inputs().get(0).dims().length != 4) {
            throw new IllegalArgumentException(external.getFileName()
                    + " does not take one [N, C, H, W] image; CNN-J runs models with a single NCHW float input");
        }
        long[] out =
                info.outputs().isEmpty() ? new long[0] : info.outputs().get(0).dims();
        int k = classes > 0 ? classes : out.length == 4 && out[1] > 0 ? (int) out[1] : 0;
        if (k < 1)
            throw new IllegalArgumentException(
                    external.getFileName() + "'s output does not say how many classes it has; give classes=N");
        ModelSpec.Normalization n = ModelSpec.Normalization.of(normalize);
        long channels = info.inputs().get(0).dims()[1];
        ModelSpec defaults = ModelSpec.forExternal(channels > 0 ? (int) channels : 1, k, tileMultiple, halo, n);
        ModelSpec spec = new ModelSpec(
                defaults.format(),
                defaults.axes(),
                defaults.inputChannels(),
                defaults.classes(),
                defaults.output(),
                defaults.task(),
                n,
                defaults.tileMultiple(),
                defaults.halo(),
                null,
                Map.of(
                        "imported_from",
                        external.toAbsolutePath().toString(),
                        "date",
                        Instant.now().toString()),
                0,
                0);
        byte[] bytes = Files.readAllBytes(external);
        AtomicFiles.createFolder(destination.toAbsolutePath().getParent());
        AtomicFiles.write(destination, os -> os.write(bytes));
        spec.write(ModelSpec.sidecarOf(destination));
        return spec;
    }
}
