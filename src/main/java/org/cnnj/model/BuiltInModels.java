package org.cnnj.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import org.cnnj.io.AtomicFiles;

/**
 * The models that travel inside the CNN-J jar, selectable by name where a model file is asked for:
 * {@code model=[nuclei (built-in)]} in a macro or dialog, {@code --model "nuclei (built-in)"} on the
 * command line. On first use the model is copied out of the jar into a per-user cache folder (by
 * version), since ONNX Runtime reads models from files.
 */
public final class BuiltInModels {
    /** The name that selects the shipped real-nuclei model. */
    public static final String NUCLEI = "nuclei (built-in)";
    /** The name that selects the shipped example classifier of synthetic cell phenotypes. */
    public static final String CELLS = "cells (built-in)";

    private static final String RESOURCES = "/org/cnnj/selftest/";

    private BuiltInModels() {}

    /**
     * The model file to open: a built-in model by name, or the file, which must exist (else the message
     * says so and names the built-in model).
     */
    public static Path file(Path model) throws IOException {
        if (model == null)
            throw new IllegalArgumentException("no model chosen; choose a .onnx file, or model=[" + NUCLEI + "]");
        Path resolved = resolve(model);
        if (!Files.isRegularFile(resolved)) throw new IOException(missing(model));
        return resolved;
    }

    /** What a missing model file's message says. */
    public static String missing(Path model) {
        return "model file " + model + " does not exist; check the path (the built-in nuclei model is model=[" + NUCLEI
                + "])";
    }

    /** The file of a built-in model when {@code model} names one, else {@code model} itself. */
    public static Path resolve(Path model) throws IOException {
        if (model == null || Files.exists(model)) return model;
        String name = model.getFileName() == null
                ? ""
                : model.getFileName().toString().toLowerCase(Locale.ROOT);
        String base = name.replace(" ", "").replace("(built-in)", "");
        if (!name.replace(" ", "").endsWith("(built-in)") || !(base.equals("nuclei") || base.equals("cells")))
            return model;
        Path dir = cache();
        Path onnx = dir.resolve(base + ".onnx");
        copy(base + ".json", dir.resolve(base + ".json"));
        if (base.equals("cells")) copy("cells.dense.onnx", dir.resolve("cells.dense.onnx"));
        copy(base + ".onnx", onnx);
        return onnx;
    }

    private static Path cache() throws IOException {
        String version = BuiltInModels.class.getPackage().getImplementationVersion();
        Path dir =
                Path.of(System.getProperty("user.home"), ".cnnj", "models", version == null ? "development" : version);
        AtomicFiles.createFolder(dir);
        return dir;
    }

    /** Copies a resource unless the same bytes are there already (a development build may change the model under one version). */
    private static void copy(String resource, Path target) throws IOException {
        byte[] bytes;
        try (InputStream in = BuiltInModels.class.getResourceAsStream(RESOURCES + resource)) {
            if (in == null)
                throw new IOException("this CNN-J jar lacks its built-in model " + resource + "; reinstall CNN-J");
            bytes = in.readAllBytes();
        }
        if (Files.exists(target) && Arrays.equals(Files.readAllBytes(target), bytes)) return;
        Path tmp = AtomicFiles.tempSibling(target);
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
