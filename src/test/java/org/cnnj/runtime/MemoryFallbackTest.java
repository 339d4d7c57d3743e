package org.cnnj.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.nn.Conv2d;
import org.cnnj.nn.Module;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * A GPU that runs out of memory on large tiles, simulated on the CPU machine: an engine that refuses windows above a
 * size as ONNX Runtime's CUDA provider does. The image still comes out — those tiles run on the CPU engine, with the
 * same values — and the user hears once why and what keeps tiles on the GPU. And the messages ORT gives when CUDA's
 * allocator, its own arena or cuDNN run out are told from other failures.
 */
class MemoryFallbackTest {
    /** What ORT 1.x says (from its CUDA allocator, its BFC arena, cuDNN), and a failure that is not about memory. */
    @Test
    void recognizesOnnxRuntimesOutOfMemoryMessages() {
        assertTrue(MemoryFallback.outOfMemory("CUDA failure 2: out of memory ; GPU=0 ; hostname=ws ;"
                + " file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_allocator.cc ; line=47 ;"
                + " expr=cudaMalloc((void**)&p, size);"));
        assertTrue(
                MemoryFallback.outOfMemory(
                        "[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code"
                                + " returned while running Conv node. Name:'/enc0/conv/Conv' Status Message:"
                                + " /onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:376 void*"
                                + " onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*, bool,"
                                + " onnxruntime::WaitNotificationFn) Failed to allocate memory for requested buffer of size 4294967296"));
        assertTrue(MemoryFallback.outOfMemory("CUDNN failure 4: CUDNN_STATUS_ALLOC_FAILED ; GPU=0"));
        assertFalse(MemoryFallback.outOfMemory("[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Non-zero status code"
                + " returned while running Concat node. Status Message: concat.cc:157 PrepareForCompute Non concat axis"
                + " dimensions must match"));
    }

    @Test
    void tilesTooLargeForTheGpuRunOnTheCpuWithTheSameResult() {
        Module net = new Conv2d(1, 2, 3, new Rng(1));
        net.train(false);
        JavaEngine cpu = new JavaEngine(net);
        int[] runsOnGpu = {0};
        List<String> log = new ArrayList<>();
        int[] opened = {0};
        MemoryFallback<JavaEngine> fallback = new MemoryFallback<>(
                () -> {
                    opened[0]++;
                    return new JavaEngine(net);
                },
                log::add);
        Rng rng = new Rng(2);
        for (int side : new int[] {32, 128, 48, 256}) {
            float[] image = new float[side * side];
            for (int i = 0; i < image.length; i++) image[i] = rng.normal();
            Tensor x = Tensor.of(image, 1, 1, side, side);
            Tensor out = fallback.run(
                    x,
                    () -> { // a GPU with room for windows of up to 64 x 64, failing as OrtEngine does on CUDA
                        if (x.dim(2) * x.dim(3) > 64 * 64)
                            throw new MemoryFallback.OutOfDeviceMemory("ONNX Runtime ran out of memory", null);
                        runsOnGpu[0]++;
                        return cpu.run(x);
                    },
                    engine -> engine.run(x));
            assertArrayEquals(cpu.run(x).data(), out.data(), "a " + side + " px window");
        }
        fallback.close();
        assertEquals(2, runsOnGpu[0], "the windows that fit ran on the GPU");
        assertEquals(1, opened[0], "the CPU engine opened once, at the first tile too large");
        assertEquals(1, log.size(), "said once: " + log);
        assertTrue(log.get(0).contains("128x128") && log.get(0).contains("smaller tile"), log.get(0));
    }
}
