package org.cnnj.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cnnj.onnx.HalfPrecisionModels;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.seg.UNet;
import org.cnnj.seg.UNetConfig;
import org.cnnj.tensor.Tensor;
import org.cnnj.testing.Close;
import org.cnnj.testing.GradCheck;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models converted to float16 the way onnxconverter-common does it (computing in half precision, with a FLOAT16 input
 * and output, or float32 ones and casts): both engines run them, fed and read as float32.
 */
class HalfPrecisionModelTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void bothEnginesRunAModelComputingInHalfPrecision(boolean keepIoTypes) throws Exception {
        UNet net = new UNet(new UNetConfig(1, 4, 2, 8, true, false, 0f), new Rng(1));
        net.train(false);
        byte[] full = OnnxExport.export(net, new int[] {1, 1, 32, 32}, Map.of());
        Path single = dir.resolve("full.onnx"), half = dir.resolve("half.onnx");
        Files.write(single, full);
        Files.write(half, HalfPrecisionModels.convert(full, keepIoTypes));
        Tensor x = GradCheck.uniform(new Rng(2), 1, 1, 48, 64).requiresGrad(false);

        Tensor exact, ort, java;
        try (OrtEngine e = OrtEngine.open(single, Device.CPU, 2, line -> {})) {
            exact = e.run(x);
        }
        try (OrtEngine e = OrtEngine.open(half, Device.CPU, 2, line -> {})) {
            ort = e.run(x);
        }
        try (JavaEngine e = JavaEngine.open(half)) {
            java = e.run(x);
        }
        assertArrayEquals(exact.shape(), ort.shape());
        assertArrayEquals(exact.shape(), java.shape());
        double spread = 0;
        for (float v : exact.data()) spread = Math.max(spread, Math.abs(v));
        double ortMoved = Close.maxAbsDiff(exact.data(), ort.data()),
                javaMoved = Close.maxAbsDiff(ort.data(), java.data());
        assertTrue(
                ortMoved > 0 && ortMoved < 1e-2 * spread,
                "half precision moved ORT's outputs by " + ortMoved + " of " + spread);
        assertTrue(javaMoved < 1e-2 * spread, "Java engine vs ORT on the half model: " + javaMoved + " of " + spread);
    }
}
