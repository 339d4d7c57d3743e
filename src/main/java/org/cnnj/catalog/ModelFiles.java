package org.cnnj.catalog;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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
import org.cnnj.onnx.Float16Weights;
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

    /** How an export stores the weights. */
    public enum Weights {
        /** As the model holds them (CNN-J trains and writes float32). */
        AS_IS,
        /**
         * Large weights stored as 16-bit floats ({@link Float16Weights}): about half the file, computed in float32 as
         * before; results differ by what rounding each weight to 11 significant bits does (measured per model).
         */
        FLOAT16
    }

    /** Copies the model's files into {@code folder}; returns the copied model path. */
    public static Path export(Path model, Path folder) throws IOException {
        return export(model, folder, Weights.AS_IS);
    }

    /**
     * Copies the model's files into {@code folder}, each ONNX graph with its weights stored as {@code weights} says (the
     * sidecar then records it in its provenance); returns the copied model path.
     */
    public static Path export(Path model, Path folder, Weights weights) throws IOException {
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
            Path to = folder.resolve(f.getFileName().toString());
            if (weights == Weights.FLOAT16 && f.equals(sidecar)) noteWeights(sidecar, to);
            else if (weights == Weights.FLOAT16 && f.getFileName().toString().endsWith(".onnx"))
                Float16Weights.convert(f, to);
            else {
                byte[] bytes = Files.readAllBytes(f);
                AtomicFiles.write(to, out -> out.write(bytes));
            }
        }
        return folder.resolve(model.getFileName().toString());
    }

    /** The sidecar with "weights" in its provenance (which converted weights are not in the model's recipe). */
    private static void noteWeights(Path sidecar, Path to) throws IOException {
        JsonElement tree = Sidecars.parse(sidecar, sidecar + " is missing");
        if (!tree.isJsonObject())
            throw new IOException(sidecar + " is not a JSON object; use the sidecar the model came with");
        JsonObject root = tree.getAsJsonObject();
        if (!root.has("provenance") || !root.get("provenance").isJsonObject()) root.add("provenance", new JsonObject());
        root.getAsJsonObject("provenance")
                .addProperty(
                        "weights",
                        "float16: weights of " + Float16Weights.MIN_VALUES
                                + " values or more stored as 16-bit floats by an export with weights float16"
                                + " (Export Model..., ./cnnj export-model), computed in float32; trained as float32");
        Sidecars.write(root, to);
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
