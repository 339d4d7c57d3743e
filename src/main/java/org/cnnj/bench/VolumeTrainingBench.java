package org.cnnj.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.loss.BceWithLogits;
import org.cnnj.ops.Add;
import org.cnnj.ops.Narrow;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.seg.VolumeUNet;
import org.cnnj.seg.VolumeUNetConfig;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Parallel;
import org.cnnj.util.Rng;

/**
 * {@code ./cnnj bench unet3d [--filters 16] [--depth 2] [--z-ratio 2] [--batch 2] [--patch 64] [--patch-depth 32]
 * [--steps 5] [--torch]}: one training step of the 3-D U-Net that train-seg3d trains (forward, BCE on both outputs,
 * backward, Adam) and, with --torch, the same network and step in PyTorch on the same machine and threads
 * (src/test/python/bench_unet3d_torch.py, development only), as a ratio; the Java heap's peak over the steps is the
 * memory a step takes.
 */
final class VolumeTrainingBench {
    private VolumeTrainingBench() {}

    record Options(int filters, int depth, double zRatio, int batch, int patch, int patchDepth, int steps) {}

    static Map<String, Object> run(Options o, boolean torch) throws IOException, InterruptedException {
        VolumeUNetConfig c = new VolumeUNetConfig(1, 2, o.depth(), o.filters(), o.zRatio());
        VolumeUNet net = new VolumeUNet(c, new Rng(0));
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-3));
        Rng rng = new Rng(1);
        int n = o.batch() * o.patchDepth() * o.patch() * o.patch();
        float[] x = new float[n], t = new float[2 * n];
        for (int i = 0; i < n; i++) x[i] = rng.normal();
        for (int i = 0; i < 2 * n; i++) t[i] = rng.uniform();
        int[] shape = {o.batch(), 1, o.patchDepth(), o.patch(), o.patch()};
        List<Double> times = new ArrayList<>();
        int warmup = 3;
        for (int s = 0; s < warmup + o.steps(); s++) {
            if (s == warmup) {
                System.gc();
                ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            }
            long t0 = System.nanoTime();
            adam.zeroGrad();
            Tensor out = net.forward(Tensor.of(x.clone(), shape));
            Tensor fg = Tensor.of(Arrays.copyOf(t, n), o.batch(), 1, o.patchDepth(), o.patch(), o.patch());
            Tensor dist =
                    Tensor.of(Arrays.copyOfRange(t, n, 2 * n), o.batch(), 1, o.patchDepth(), o.patch(), o.patch());
            Tensor loss = Add.apply(
                    BceWithLogits.apply(Narrow.channels(out, 0, 1), fg),
                    BceWithLogits.apply(Narrow.channels(out, 1, 1), dist));
            Autograd.backwardAndRelease(loss);
            adam.step();
            if (s >= warmup) times.add((System.nanoTime() - t0) / 1e9);
        }
        long heap = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
            if (p.getType() == MemoryType.HEAP) heap += p.getPeakUsage().getUsed();
        Collections.sort(times);
        double median = times.get(times.size() / 2);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put(
                "benchmark",
                "3-D U-Net training step, batch " + o.batch() + " of " + o.patch() + "x" + o.patch() + "x"
                        + o.patchDepth() + ", depth " + o.depth() + ", " + o.filters() + " filters, z/xy "
                        + o.zRatio());
        r.put("parameters", net.parameterCount());
        r.put("threads", Parallel.threads());
        r.put("seconds_per_step_median", median);
        r.put("heap_peak_mb", heap >> 20);
        if (torch) {
            Double ts = TorchReference.secondsPerStep(
                    "bench_unet3d_torch.py",
                    List.of(
                            "--filters",
                            "" + o.filters(),
                            "--depth",
                            "" + o.depth(),
                            "--z-ratio",
                            "" + o.zRatio(),
                            "--batch",
                            "" + o.batch(),
                            "--patch",
                            "" + o.patch(),
                            "--patch-depth",
                            "" + o.patchDepth(),
                            "--steps",
                            "" + o.steps(),
                            "--threads",
                            "" + Parallel.threads()),
                    "bench unet3d");
            r.put("torch_seconds_per_step", ts == null ? "unavailable" : ts);
            if (ts != null) r.put("speed_vs_torch", ts / median);
        }
        return r;
    }
}
