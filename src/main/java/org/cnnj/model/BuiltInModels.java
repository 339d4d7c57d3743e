package org.cnnj.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.cnnj.io.AtomicFiles;

/**
 * The models that travel inside the CNN-J jar, selectable by name wherever a model is asked for: {@code
 * model=[nuclei (built-in)]} in a macro or dialog, {@code --model "nuclei (built-in)"} on the command line. On first use
 * a model is copied out of the jar into a per-user folder ({@code ~/.cnnj/models/<version>}), since ONNX Runtime reads
 * models from files; the copy is said where it happens.
 */
public final class BuiltInModels {
    /** A built-in model: the name that selects it, its task (as its sidecar names it), its files in the jar. */
    public record Model(String name, String task, String what, List<String> files) {
        /** The model's main file (the others travel beside it). */
        public String onnx() {
            return files.get(0);
        }
    }

    /** The name that selects the shipped real-nuclei model. */
    public static final String NUCLEI = "nuclei (built-in)";
    /** The name that selects the shipped example classifier of synthetic cell phenotypes. */
    public static final String CELLS = "cells (built-in)";
    /** The name that selects the shipped example detector of synthetic round and elongated cells. */
    public static final String CELL_SHAPES = "cell shapes (built-in)";

    /** The name that selects the shipped one-stage detector of red and white blood cells and platelets (BCCD). */
    public static final String BLOOD_CELLS = "blood cells (built-in)";

    /** Every built-in model, in the order dialogs offer them. */
    public static final List<Model> ALL = List.of(
            new Model(NUCLEI, "instances-distance", "fluorescent nuclei", List.of("nuclei.onnx", "nuclei.json")),
            new Model(
                    CELLS,
                    Sidecars.CLASSIFICATION,
                    "phenotypes of 48 px cell crops (synthetic example)",
                    List.of("cells.onnx", "cells.dense.onnx", "cells.json")),
            new Model(
                    CELL_SHAPES,
                    Sidecars.DETECTION,
                    "round and elongated cells (synthetic example)",
                    List.of("detector.onnx", "detector.head.onnx", "detector.json")),
            new Model(
                    BLOOD_CELLS,
                    Sidecars.DETECTION,
                    "red and white blood cells and platelets in stained smear photographs (RGB)",
                    List.of("blood-cells.onnx", "blood-cells.json")));

    private static final String RESOURCES = "/org/cnnj/selftest/";

    private BuiltInModels() {}

    /** The names of the built-in models of a task ({@link Sidecars#DETECTION}, …; null: segmentation), for dialogs. */
    public static List<String> names(String task) {
        return ALL.stream()
                .filter(m -> task == null
                        ? !m.task().equals(Sidecars.DETECTION) && !m.task().equals(Sidecars.CLASSIFICATION)
                        : m.task().equals(task))
                .map(Model::name)
                .toList();
    }

    /**
     * The model file to open: a built-in model by name, or the file, which must exist (else the message says so and
     * names the built-in models).
     */
    public static Path file(Path model) throws IOException {
        return file(model, System.err::println);
    }

    /** As {@link #file(Path)}; {@code log} hears when a built-in model is copied out of the jar. */
    public static Path file(Path model, Consumer<String> log) throws IOException {
        if (model == null)
            throw new IllegalArgumentException("no model chosen; choose a .onnx file, or a built-in model: " + names());
        Path resolved = resolve(model, log);
        if (!Files.isRegularFile(resolved)) throw new IOException(missing(model));
        return resolved;
    }

    /** What a missing model file's message says. */
    public static String missing(Path model) {
        return "model file " + model + " does not exist; check the path, or choose a built-in model: " + names();
    }

    private static String names() {
        return String.join(", ", ALL.stream().map(Model::name).toList());
    }

    /** The built-in model {@code model} names, or null when it names none. */
    public static Model named(Path model) {
        if (model == null || model.getFileName() == null) return null;
        String asked = model.getFileName().toString().toLowerCase(Locale.ROOT).replace(" ", "");
        for (Model m : ALL) if (m.name().replace(" ", "").equals(asked)) return m;
        return null;
    }

    /** The file of a built-in model when {@code model} names one (copied out of the jar once), else {@code model}. */
    public static Path resolve(Path model) throws IOException {
        return resolve(model, System.err::println);
    }

    private static Path resolve(Path model, Consumer<String> log) throws IOException {
        if (model == null || Files.exists(model)) return model;
        Model m = named(model);
        if (m == null) return model;
        Path dir = cache();
        boolean copied = false;
        long bytes = 0;
        for (int i = m.files().size() - 1; i >= 0; i--) { // the main file last: it is the one others look for
            String f = m.files().get(i);
            long size = copy(f, dir.resolve(f));
            copied |= size > 0;
            bytes += Math.max(0, size);
        }
        if (copied)
            log.accept(String.format(
                    Locale.ROOT, "CNN-J: built-in model %s copied to %s (%.1f MB, once)", m.name(), dir, bytes / 1e6));
        return dir.resolve(m.onnx());
    }

    private static Path cache() throws IOException {
        String version = BuiltInModels.class.getPackage().getImplementationVersion();
        Path dir =
                Path.of(System.getProperty("user.home"), ".cnnj", "models", version == null ? "development" : version);
        AtomicFiles.createFolder(dir);
        return dir;
    }

    /**
     * Copies a resource unless the same bytes are there already (a development build may change the model under one
     * version); returns the bytes copied, 0 when the copy was there.
     */
    private static long copy(String resource, Path target) throws IOException {
        byte[] bytes;
        try (InputStream in = BuiltInModels.class.getResourceAsStream(RESOURCES + resource)) {
            if (in == null)
                throw new IOException("this CNN-J jar lacks its built-in model " + resource + "; reinstall CNN-J");
            bytes = in.readAllBytes();
        }
        if (Files.exists(target) && Arrays.equals(Files.readAllBytes(target), bytes)) return 0;
        Path tmp = AtomicFiles.tempSibling(target);
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return bytes.length;
    }
}
