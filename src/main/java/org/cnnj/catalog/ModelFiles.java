package org.cnnj.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.cls.ClassifierSpec;
import org.cnnj.det.DetectorSpec;
import org.cnnj.io.AtomicFiles;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Sidecars;
import org.cnnj.seg.BioimageIo;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;

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
        model = BuiltInModels.file(model);
        List<Path> files = new ArrayList<>(List.of(model));
        Path sidecar = Sidecars.of(model);
        if (Files.exists(sidecar)) files.add(sidecar);
        if (DetectorSpec.isDetector(model)) {
            DetectorSpec spec = DetectorSpec.read(sidecar);
            if (spec.head() != null) files.add(model.resolveSibling(spec.head()));
            if (spec.hasMasks()) files.add(model.resolveSibling(spec.maskHead()));
        }
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
     * Imports a segmentation model from elsewhere as {@code destination} (.onnx) with a sidecar: a bioimage.io package
     * (its description says how to apply it) or an ONNX file (described by {@code external}: classes, 0 = from its
     * output shape; tile multiple, e.g. 2^depth of a U-Net; halo, the context around each tile; normalization).
     */
    public static SegmentationSpec importModel(Path model, Path destination, SegmentationModel.External external)
            throws IOException {
        if (!destination.getFileName().toString().endsWith(".onnx"))
            throw new IllegalArgumentException("import: the destination must be a .onnx file");
        SegmentationModel found;
        if (BioimageIo.isPackage(model)) {
            found = SegmentationModel.resolve(model); // its description (or CNN-J's own sidecar in it) as it is
        } else {
            SegmentationSpec described = SegmentationModel.describe(model, external, line -> {});
            Map<String, String> provenance = new LinkedHashMap<>(described.provenance());
            provenance.put("imported_from", model.toAbsolutePath().toString());
            provenance.put("date", Instant.now().toString());
            found = new SegmentationModel(model, described.withProvenance(provenance));
        }
        SegmentationSpec spec = found.spec();
        byte[] bytes = Files.readAllBytes(found.onnx());
        AtomicFiles.createFolder(destination.toAbsolutePath().getParent());
        AtomicFiles.write(destination, os -> os.write(bytes));
        spec.write(Sidecars.of(destination));
        return spec;
    }
}
