package org.cnnj.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.cnnj.tensor.Tensor;

/**
 * What a GPU engine does when a tile does not fit the GPU's memory: runs that tile on a CPU engine instead of failing
 * the image. The CPU engine is opened at the first such tile and the user hears once why and what keeps tiles on the
 * GPU (a smaller tile). The results are the same (the CPU runs the same model on the same window); only that tile is
 * slower. {@link OrtEngine} on CUDA holds one, so every task's engine has it (segmentation, detection, classification,
 * 3-D).
 *
 * @param <E> the CPU engine's type (the ORT engine's own: a detector's several outputs come from it too)
 */
final class MemoryFallback<E extends Engine> {
    /** A tile that ONNX Runtime could not fit in the device's memory. */
    static final class OutOfDeviceMemory extends RuntimeException {
        OutOfDeviceMemory(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Opens the engine a tile falls back to. */
    @FunctionalInterface
    interface Opener<E> {
        E open() throws IOException;
    }

    private final Opener<E> fallback;
    private final Consumer<String> log;
    private E opened;

    MemoryFallback(Opener<E> fallback, Consumer<String> log) {
        this.fallback = fallback;
        this.log = log;
    }

    /** Whether ONNX Runtime's message says the device ran out of memory (CUDA's allocator, ORT's arena, cuDNN). */
    static boolean outOfMemory(String message) {
        String m = String.valueOf(message).toLowerCase(Locale.ROOT);
        return m.contains("out of memory")
                || m.contains("failed to allocate memory")
                || m.contains("cudnn_status_alloc_failed")
                || m.contains("cublas_status_alloc_failed");
    }

    /** {@code onDevice}'s result, or, where it ran out of device memory, {@code onCpu}'s with the CPU engine. */
    <T> T run(Tensor x, Supplier<T> onDevice, Function<E, T> onCpu) {
        try {
            return onDevice.get();
        } catch (OutOfDeviceMemory e) {
            return onCpu.apply(cpu(x));
        }
    }

    private synchronized E cpu(Tensor x) {
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

    synchronized void close() {
        if (opened != null) opened.close();
    }
}
