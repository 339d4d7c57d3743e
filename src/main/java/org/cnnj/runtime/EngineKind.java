package org.cnnj.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import org.cnnj.nn.Module;

/**
 * Which engine applies a model: ONNX Runtime (fast, CPU or CUDA) or CNN-J's own Java engine (no native
 * code; used as fallback and to cross-check). The one place that turns the choice into an engine.
 */
public enum EngineKind {
    ORT("ort"),
    JAVA("java");

    private final String option;

    EngineKind(String option) {
        this.option = option;
    }

    /** The option's spelling ("ort", "java"), as the CLI, macros and dialogs write it. */
    public String option() {
        return option;
    }

    /** "ort" or "java" (any case); anything else is an error naming the valid ones. */
    public static EngineKind parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (EngineKind k : values()) if (k.option.equals(t)) return k;
        throw new IllegalArgumentException(
                "engine must be ort or java (ONNX Runtime, or CNN-J's own engine), got \"" + text + "\"");
    }

    /** Rebuilds a task's own network from its model file (with its architecture, for the Java engine). */
    @FunctionalInterface
    public interface NetworkLoader {
        Module load() throws IOException;
    }

    /**
     * Opens a model with this engine: {@code network} rebuilds it for the Java engine (null: its ONNX graph node by
     * node); {@code device} and {@code threads} are ONNX Runtime's.
     */
    public Engine open(Path model, NetworkLoader network, Device device, int threads, Consumer<String> log)
            throws IOException {
        if (this == ORT) return OrtEngine.open(model, device, threads, log);
        return network == null ? JavaEngine.open(model) : new JavaEngine(network.load());
    }
}
