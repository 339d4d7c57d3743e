package org.cnnj.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.cnnj.io.AtomicFiles;

/** Reading and writing the JSON files next to a model (segmentation and detector sidecars alike), with messages that say what is wrong. */
public final class Sidecars {
    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .serializeSpecialFloatingPointValues()
            .create();

    private Sidecars() {}

    /** model.onnx → model + suffix (".json", ".head.onnx"). */
    /** The task of an object detector's sidecar ({@code DetectorSpec}): not a segmentation model. */
    public static final String DETECTION = "detection";
    /** The task of an image classifier's sidecar ({@code ClassifierSpec}): not a segmentation model. */
    public static final String CLASSIFICATION = "classification";
    /** The task of a 3-D segmentation model's sidecar ({@code VolumeSpec}): applied to z-stacks. */
    public static final String VOLUME = "instances-3d";

    /** The sidecar path for a model file: same name, .json. */
    public static Path of(Path model) {
        return sibling(model, ".json");
    }

    /**
     * Refuses a bioimage.io package (a .zip, a description .yaml, a folder) where a {@code task} model (a detector, a
     * classifier) is wanted: the zoo's packages are segmentation (image to image) models, which Segment runs; a
     * detector or classifier is a CNN-J .onnx with its .json. Said before the missing-sidecar message it led to.
     */
    public static void refusePackage(Path model, String task, String instead) {
        String n = model.getFileName() == null
                ? ""
                : model.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".zip") || n.endsWith(".yaml") || n.endsWith(".yml") || Files.isDirectory(model))
            throw new IllegalArgumentException(model + " is a bioimage.io package (or a folder), not a " + task
                    + "; packages hold segmentation models: run it with Segment (./cnnj segment --model " + model
                    + "); a " + task + " is a CNN-J .onnx file with its .json, " + instead);
    }

    public static Path sibling(Path model, String suffix) {
        String name = model.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return model.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + suffix);
    }

    /** The file's JSON tree; {@code missing} is the message when it does not exist. */
    public static JsonElement parse(Path json, String missing) throws IOException {
        String text;
        try {
            text = Files.readString(json, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException(missing, e);
        }
        try {
            return JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new IOException(json + " is not valid JSON (" + e.getMessage() + "); fix or delete it", e);
        }
    }

    /** The task a sidecar's tree names ("detection", "instances-distance", …), or null when it names none. */
    public static String task(JsonElement tree) {
        if (!tree.isJsonObject() || !tree.getAsJsonObject().has("task")) return null;
        JsonElement t = tree.getAsJsonObject().get("task");
        return t.isJsonPrimitive() ? t.getAsString() : null;
    }

    /** The record {@code type} from the tree; its own validation message (wrapped by Gson) is the one reported. */
    public static <T> T convert(JsonElement tree, Class<T> type, Path json, String empty) throws IOException {
        String wrong = wrongType(tree, type, "");
        if (wrong != null)
            throw new IOException(json + ": " + wrong + "; fix it or use the sidecar the model came with");
        try {
            T spec = GSON.fromJson(tree, type);
            if (spec == null) throw new IOException(json + " is empty; " + empty);
            return spec;
        } catch (JsonParseException e) {
            throw new IOException(json + " is not valid JSON (" + e.getMessage() + "); fix or delete it", e);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) cause = cause.getCause();
            throw new IOException(json + ": " + cause.getMessage(), e);
        }
    }

    /**
     * The first field whose value cannot be what the record takes (a word where a number belongs: Gson would only say
     * "For input string"), as "halo must be a number, not \"one\""; null when every field can.
     */
    static String wrongType(JsonElement tree, Class<?> type, String prefix) {
        if (!type.isRecord() || !tree.isJsonObject()) return null;
        for (RecordComponent c : type.getRecordComponents()) {
            JsonElement v = tree.getAsJsonObject().get(c.getName());
            if (v == null || v.isJsonNull()) continue;
            Class<?> t = c.getType();
            String name = prefix + c.getName();
            boolean number = t == int.class || t == long.class || t == double.class || t == float.class;
            if (number && !(v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber())) {
                return name + " must be a number, not " + v;
            }
            if (t == boolean.class
                    && !(v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean()))
                return name + " must be true or false, not " + v;
            if (t == String.class && !v.isJsonPrimitive()) return name + " must be a text, not " + v;
            String nested = wrongType(v, t, name + ".");
            if (nested != null) return nested;
        }
        return null;
    }

    /** The JSON text {@link #write} writes. */
    public static String json(Object spec) {
        return GSON.toJson(spec);
    }

    public static void write(Object spec, Path json) throws IOException {
        byte[] bytes = GSON.toJson(spec).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(json, out -> out.write(bytes));
    }
}
