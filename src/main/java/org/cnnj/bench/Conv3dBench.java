package org.cnnj.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.ops.Conv3dParams;
import org.cnnj.ops.Convolution3d;
import org.cnnj.ops.Relu;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Parallel;
import org.cnnj.util.Rng;

/**
 * {@code ./cnnj bench conv3d [--channels C] [--depth D] [--size S] [--steps N] [--torch]}: one training step of a 3-D
 * conv block (conv3d 3×3×3 C → 2C, ReLU, conv3d 2C → C, forward and backward) on a [1, C, D, S, S] volume, and with
 * --torch the same step in PyTorch on the same machine and threads (src/test/python/bench_conv3d_torch.py,
 * development only), as a ratio.
 */
final class Conv3dBench {
    private Conv3dBench() {}

    static Map<String, Object> run(int channels, int depth, int size, int warmup, int steps, boolean torch)
            throws IOException, InterruptedException {
        Rng rng = new Rng(0);
        Tensor x = random(rng, 1f, 1, channels, depth, size, size),
                w1 = random(rng, 0.1f, 2 * channels, channels, 3, 3, 3),
                w2 = random(rng, 0.1f, channels, 2 * channels, 3, 3, 3);
        Conv3dParams same = Conv3dParams.of(1, 1);
        List<Double> times = new ArrayList<>();
        for (int s = 0; s < warmup + steps; s++) {
            long t0 = System.nanoTime();
            for (Tensor t : List.of(x, w1, w2)) t.zeroGrad();
            Tensor y = Convolution3d.apply(Relu.apply(Convolution3d.apply(x, w1, null, same)), w2, null, same);
            float[] ones = new float[y.size()];
            Arrays.fill(ones, 1f);
            Autograd.backward(y, ones);
            if (s >= warmup) times.add((System.nanoTime() - t0) / 1e9);
        }
        Collections.sort(times);
        double median = times.get(times.size() / 2);
        long voxels = (long) depth * size * size;
        // Activations kept for backward (x, conv1, relu, y) and one unfolded block (27·2C rows, bounded by the chunk).
        long bytes = 4L * voxels * (channels + 2 * channels * 2 + channels)
                + 4L * Math.min((long) Convolution3d.CHUNK, 27L * 2 * channels * voxels);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(
                "benchmark",
                "conv3d block training step, [1, " + channels + ", " + depth + ", " + size + ", " + size + "], 3x3x3 "
                        + channels + " -> " + 2 * channels + " -> " + channels);
        r.put("threads", Parallel.threads());
        r.put("seconds_per_step_median", median);
        r.put("gflops_per_second", 3 * 2.0 * 2 * 27 * channels * 2 * channels * voxels / median / 1e9);
        r.put("memory_per_step_mb", bytes / 1e6);
        if (torch) {
            Double t = torchSeconds(channels, depth, size, warmup, steps);
            r.put("torch_seconds_per_step", t == null ? "unavailable" : t);
            if (t != null) r.put("speed_vs_torch", t / median);
        }
        return r;
    }

    private static Tensor random(Rng rng, float scale, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = scale * rng.normal();
        return Tensor.of(v, shape).requiresGrad(true);
    }

    private static Double torchSeconds(int channels, int depth, int size, int warmup, int steps)
            throws IOException, InterruptedException {
        return TorchReference.secondsPerStep(
                "bench_conv3d_torch.py",
                List.of(
                        "--channels",
                        "" + channels,
                        "--depth",
                        "" + depth,
                        "--size",
                        "" + size,
                        "--warmup",
                        "" + warmup,
                        "--steps",
                        "" + steps,
                        "--threads",
                        "" + Parallel.threads()),
                "bench conv3d");
    }
}
