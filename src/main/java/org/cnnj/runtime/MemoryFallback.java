package org.cnnj.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.function.Consumer;
import org.cnnj.tensor.Tensor;

/**
 * A GPU engine that, when a tile does not fit the GPU's memory, runs that tile on the CPU instead of failing the
 * image: the CPU session is opened at the first such tile, the user hears once why and what keeps tiles on the GPU (a
 * smaller tile). The results are the same (the CPU runs the same model on the same window); only that tile is slower.
 */
public final class MemoryFallback implements Engine {
    /** A tile that ONNX Runtime could not fit in the device's memory. */
    public static final class OutOfDeviceMemory extends RuntimeException {
        public OutOfDeviceMemory(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Opens the engine a tile falls back to. */
    @FunctionalInterface
    public interface Opener {
        Engine open() throws IOException;
    }

    private final Engine primary;
    private final Opener fallback;
    private final Consumer<String> log;
    private Engine opened;

    public MemoryFallback(Engine primary, Opener fallback, Consumer<String> log) {
        this.primary = primary;
        this.fallback = fallback;
        this.log = log;
    }

    /** Whether ONNX Runtime's message says the device ran out of memory (CUDA's allocator, ORT's arena, cuDNN). */
    public static boolean outOfMemory(String message) {
        String m = String.valueOf(message).toLowerCase(Locale.ROOT);
        return m.contains("out of memory")
                || m.contains("failed to allocate memory")
                || m.contains("cudnn_status_alloc_failed")
                || m.contains("cublas_status_alloc_failed");
    }

    @Override
    public Tensor run(Tensor x) {
        try {
            return primary.run(x);
        } catch (OutOfDeviceMemory e) {
            return cpu(x).run(x);
        }
    }

    private synchronized Engine cpu(Tensor x) {
        if (opened == null) {
            try {
                opened = fallback.open();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            log.accept("CNN-J: the GPU ran out of memory on a " + x.dim(x.rank() - 2) + "x" + x.dim(x.rank() - 1)
                    + " tile; such tiles run on the CPU (a smaller tile, e.g. tile=512 or --tile 512, keeps them on the"
                    + " GPU)");
        }
        return opened;
    }

    @Override
    public String describe() {
        return primary.describe();
    }

    @Override
    public void close() {
        primary.close();
        synchronized (this) {
            if (opened != null) opened.close();
        }
    }
}
