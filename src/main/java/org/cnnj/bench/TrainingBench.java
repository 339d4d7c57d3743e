package org.cnnj.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.kernel.Kernels;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.onnx.TrainingLoss;
import org.cnnj.ops.ConvParams;
import org.cnnj.ops.Convolution;
import org.cnnj.ops.TransposedConvolution;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtTraining;
import org.cnnj.seg.UNet;
import org.cnnj.seg.UNetConfig;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.BufferPool;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Parallel;
import org.cnnj.util.Rng;

/**
 * Times training steps of the reference U-Net (batch 8 of 128×128, 3 classes, Adam 1e-3) and the
 * conv kernels on its layer shapes. Numbers are printed, never asserted.
 */
public final class TrainingBench {
    /** Options: step counts, sizes and threads. */
    public record Options(int warmup, int steps, int batch, int size, int threads, boolean opsToo, boolean blas) {
        /**
         * 15 untimed steps: C2 is still compiling the hot loops over the first ~20 steps (measured: 0.45 s per
         * step at the third, 0.30 s from the twentieth), and training runs for thousands of steps.
         */
        public static Options defaults() {
            return new Options(15, 10, 8, 128, Parallel.threads(), true, false);
        }
    }

    /** One conv layer of the network: in/out channels, input size, kernel, transposed or not. */
    record Layer(int in, int out, int h, int w, int k, int stride, boolean transposed) {
        long macs(int batch) {
            long outPixels = transposed ? (long) h * w * k * k : (long) h * w;
            return batch * outPixels * in * out * (transposed ? 1 : (long) k * k);
        }
    }

    private TrainingBench() {}

    public static Map<String, Object> run(Options o) throws IOException, InterruptedException {
        Parallel.setThreads(o.threads());
        UNetConfig config = UNetConfig.reference();
        Rng rng = new Rng(2024);
        UNet net = new UNet(config, rng);
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(1e-3));
        Batch batch = Batch.of(config, o, rng);
        float[] image = batch.image();
        int[] labels = batch.labels();
        Tensor x = Tensor.of(image, o.batch(), 1, o.size(), o.size());
        double[] times = new double[o.steps()];
        float loss = 0;
        long gcCount0 = 0, gcMillis0 = 0, misses0 = 0;
        for (int s = -o.warmup(); s < o.steps(); s++) {
            if (s == 0) {
                misses0 = BufferPool.misses();
                for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                    gcCount0 += gc.getCollectionCount();
                    gcMillis0 += gc.getCollectionTime();
                }
            }
            long t0 = System.nanoTime();
            loss = javaStep(net, adam, x, labels);
            if (s >= 0) times[s] = (System.nanoTime() - t0) / 1e9;
        }
        long gcCount = -gcCount0, gcMillis = -gcMillis0, misses = BufferPool.misses() - misses0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += gc.getCollectionCount();
            gcMillis += gc.getCollectionTime();
        }
        double median = median(times);
        long macs = UNet.forwardMacs(config, o.batch(), o.size(), o.size());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", "unet_training_step");
        r.put(
                "config",
                "U-Net 1->3 classes, base 16, depth 3, BN, batch " + o.batch() + " of " + o.size() + "x" + o.size()
                        + ", Adam 1e-3");
        r.put("parameters", net.parameterCount());
        r.put("forward_gmac", macs / 1e9);
        r.put("kernel", Kernels.describe());
        r.put("threads", Parallel.threads());
        r.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        r.put("seconds_per_step_median", median);
        r.put("seconds_per_step_min", Arrays.stream(times).min().orElse(0));
        r.put("seconds_per_step", times);
        r.put("effective_gflops", 6.0 * macs / median / 1e9);
        r.put("final_loss", loss);
        r.put("gc_collections_during_timed_steps", gcCount);
        r.put("gc_millis_during_timed_steps", gcMillis);
        r.put("buffers_allocated_during_timed_steps", misses); // activations/gradients not taken from the pool
        r.put(
                "heap_used_mb",
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        if (o.opsToo()) r.put("conv_ops", convOps(config, o));
        r.put("machine_gemm", MachineGemm.section(6.0 * macs / median / 1e9, o.blas()));
        return r;
    }

    /**
     * The reference U-Net's training step in Java and on ONNX Runtime (the whole step as one ONNX graph, on {@code
     * device}), the two alternating step by step from the same weights and batch, so that a machine whose speed drifts
     * (shared cores: the same run measured 0.86 and 4.3 s per step an hour apart here) slows both alike: the median of
     * each, the median of the step-by-step ratio, where ORT ran, and the megabytes each ORT step sends in and reads back
     * (weights, Adam's moments and running statistics both ways; the batch and its targets in).
     */
    public static Map<String, Object> compareEngines(Options o, Device device) throws IOException {
        UNetConfig config = UNetConfig.reference();
        UNet java = new UNet(config, new Rng(2024)), ort = new UNet(config, new Rng(2024));
        Adam javaAdam = new Adam(java.parameters(), AdamConfig.adam(1e-3)),
                ortAdam = new Adam(ort.parameters(), AdamConfig.adam(1e-3));
        Rng rng = new Rng(7);
        Batch batch = Batch.of(config, o, rng);
        float[] image = batch.image();
        int[] labels = batch.labels();
        int[] shape = {o.batch(), 1, o.size(), o.size()};
        float[][] targets = TrainingLoss.crossEntropyTargets(
                labels, config.classes(), o.size() * o.size(), null, 0f, SoftmaxCrossEntropy.NO_IGNORE);
        Map<String, float[]> feed = Map.of("target", targets[0], "weight", targets[1]);
        TrainingGraph.Plan plan =
                TrainingGraph.build(ort, shape, new TrainingLoss.CrossEntropy(), ortAdam.config(), false);
        Map<String, Object> r = new LinkedHashMap<>();
        try (OrtTraining engine = OrtTraining.open(ort, ortAdam, plan, device, line -> {})) {
            double[] javaTimes = new double[o.steps()],
                    ortTimes = new double[o.steps()],
                    ratios = new double[o.steps()];
            float javaLoss = 0, ortLoss = 0;
            for (int s = -Math.min(o.warmup(), 5); s < o.steps(); s++) {
                long t0 = System.nanoTime();
                javaLoss = javaStep(java, javaAdam, Tensor.of(image, shape), labels);
                long t1 = System.nanoTime();
                ortAdam.zeroGrad();
                ortLoss = engine.step(image, feed);
                ortAdam.step();
                long t2 = System.nanoTime();
                if (s < 0) continue;
                javaTimes[s] = (t1 - t0) / 1e9;
                ortTimes[s] = (t2 - t1) / 1e9;
                ratios[s] = javaTimes[s] / ortTimes[s];
            }
            long state = 3 * ort.parameterCount()
                    + ort.buffers().values().stream().mapToLong(b -> b.length).sum();
            r.put("ort_engine", engine.description());
            r.put("java_seconds_per_step_median", median(javaTimes));
            r.put("ort_seconds_per_step_median", median(ortTimes));
            r.put("ort_speed_vs_java_median_of_pairs", median(ratios));
            r.put("java_final_loss", javaLoss);
            r.put("ort_final_loss", ortLoss);
            r.put("ort_mb_in_per_step", 4.0 * (state + image.length + targets[0].length + targets[1].length) / 1e6);
            r.put("ort_mb_out_per_step", 4.0 * (state + 1) / 1e6);
        }
        return r;
    }

    /** A batch whose pixels are their class plus noise: learnable, the same for every engine from one seed. */
    private record Batch(float[] image, int[] labels) {
        static Batch of(UNetConfig config, Options o, Rng rng) {
            float[] image = new float[o.batch() * o.size() * o.size()];
            int[] labels = new int[image.length];
            for (int i = 0; i < image.length; i++) {
                labels[i] = rng.nextInt(config.classes());
                image[i] = labels[i] + rng.normal();
            }
            return new Batch(image, labels);
        }
    }

    /** One Java training step (forward, cross-entropy, backward, Adam); returns the loss. */
    private static float javaStep(UNet net, Adam adam, Tensor x, int[] labels) {
        adam.zeroGrad();
        Tensor l = SoftmaxCrossEntropy.apply(net.forward(x), labels);
        Autograd.backwardAndRelease(l);
        adam.step();
        return l.item();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The conv layers of the reference U-Net for one batch, in forward order. */
    static List<Layer> layers(UNetConfig c, int size) {
        List<Layer> out = new ArrayList<>();
        int in = c.inChannels();
        for (int i = 0; i <= c.depth(); i++) {
            int s = size >> i, f = c.filters(i);
            out.add(new Layer(in, f, s, s, 3, 1, false));
            out.add(new Layer(f, f, s, s, 3, 1, false));
            in = f;
        }
        for (int i = c.depth() - 1; i >= 0; i--) {
            int s = size >> i, f = c.filters(i);
            out.add(new Layer(c.filters(i + 1), f, s / 2, s / 2, 2, 2, true));
            out.add(new Layer(2 * f, f, s, s, 3, 1, false));
            out.add(new Layer(f, f, s, s, 3, 1, false));
        }
        out.add(new Layer(c.filters(0), c.classes(), size, size, 1, 1, false));
        return out;
    }

    /** GFLOP/s of conv forward, backward-data and backward-weights, each over all layers of the network. */
    private static Map<String, Object> convOps(UNetConfig c, Options o) {
        Rng rng = new Rng(7);
        List<Layer> layers = layers(c, o.size());
        long macs = 0;
        List<Tensor[]> tensors = new ArrayList<>();
        for (Layer l : layers) {
            macs += l.macs(o.batch());
            Tensor x = random(rng, o.batch(), l.in, l.h, l.w);
            Tensor w = l.transposed ? random(rng, l.in, l.out, l.k, l.k) : random(rng, l.out, l.in, l.k, l.k);
            tensors.add(new Tensor[] {x, w});
        }
        Map<String, Object> r = new LinkedHashMap<>();
        String[] phases = {"forward", "backward_data", "backward_weights"};
        double[] best = new double[phases.length];
        Arrays.fill(best, Double.MAX_VALUE);
        // The phases take turns within each repetition, so a burst of load on a shared machine hits all of them alike
        // (one phase after the other, their ratio swung between 0.6 and 0.9 from run to run).
        for (int rep = 0; rep < 20; rep++) {
            for (int ph = 0; ph < phases.length; ph++) {
                String phase = phases[ph];
                double total = 0;
                for (int i = 0; i < layers.size(); i++) {
                    Layer l = layers.get(i);
                    Tensor x = tensors.get(i)[0], w = tensors.get(i)[1];
                    x.requiresGrad(phase.equals("backward_data"));
                    w.requiresGrad(phase.equals("backward_weights"));
                    x.dropGrad();
                    w.dropGrad();
                    if (phase.equals("forward")) {
                        long t0 = System.nanoTime();
                        GradMode.noGrad(() -> conv(l, x, w));
                        total += (System.nanoTime() - t0) / 1e9;
                    } else {
                        Tensor y = conv(l, x, w);
                        // Seeded before the clock: in a step dy comes from the next op, and a single-threaded
                        // fill of a 2M-value output gradient took a third of a 128² layer's weight gradient.
                        Arrays.fill(y.grad(), 1e-3f);
                        long t0 = System.nanoTime();
                        Autograd.backwardFromGrad(y);
                        total += (System.nanoTime() - t0) / 1e9;
                    }
                }
                best[ph] = Math.min(best[ph], total);
            }
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (int ph = 0; ph < phases.length; ph++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("seconds", best[ph]);
            p.put("gflops", 2.0 * macs / best[ph] / 1e9);
            r.put(phases[ph], p);
            seconds.put(phases[ph], best[ph]);
        }
        // The same products in both phases: the rate ratio is the inverse time ratio.
        r.put("backward_weights_vs_forward", seconds.get("forward") / seconds.get("backward_weights"));
        return r;
    }

    private static Tensor conv(Layer l, Tensor x, Tensor w) {
        return l.transposed
                ? TransposedConvolution.apply(x, w, null, ConvParams.of(l.stride, 0))
                : Convolution.apply(x, w, null, ConvParams.of(l.stride, l.k / 2));
    }

    private static Tensor random(Rng rng, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.uniform(-1, 1);
        return Tensor.of(v, shape);
    }
}
