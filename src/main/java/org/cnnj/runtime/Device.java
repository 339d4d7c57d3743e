package org.cnnj.runtime;

import java.util.Locale;

/** Where ONNX Runtime runs: AUTO tries CUDA and falls back to CPU with one log line; CUDA fails if it cannot load. */
public enum Device {
    AUTO,
    CPU,
    CUDA;

    public static Device parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device \"" + text + "\" is not one of auto, cpu, cuda");
        }
    }
}
