package org.cnnj.cli;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.cnnj.data.PatchSampler;
import org.cnnj.data.Percentiles;
import org.cnnj.data.SyntheticNuclei;
import org.cnnj.eval.InstanceMatching;
import org.cnnj.eval.Instances;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.Checkpoint;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.nn.UNet;
import org.cnnj.nn.UNetConfig;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.optim.LrSchedule;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * {@code ./cnnj demo [--out DIR] [--steps N] [--seed S]}: generates synthetic nuclei images, trains a
 * U-Net (background / interior / boundary) from scratch, segments a held-out image, and reports the
 * object count and AP@0.5. Writes model.ckpt, labels.tif (16-bit instance labels) and summary.txt.
 */
final class DemoCommand {
    private static final int TRAIN_IMAGES = 6, IMAGE_SIZE = 256, PATCH = 96, BATCH = 8;

    private DemoCommand() {}

    /** What the demo measured. */
    record Report(int steps, double seconds, float finalLoss, int trueObjects, int foundObjects, InstanceMatching.Result match) {}

    static int run(String[] args) throws IOException {
        Path out = Path.of("demo-output");
        int steps = 200;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(value(args, ++i));
                case "--steps" -> steps = Integer.parseInt(value(args, ++i));
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                default -> throw new IllegalArgumentException("demo: unknown option " + args[i] + "; options: --out DIR --steps N --seed S");
            }
        }
        if (steps < 1) throw new IllegalArgumentException("demo: --steps must be at least 1");
        Report r = train(out, steps, seed, true);
        String summary = String.format(Locale.ROOT,
                "trained %d steps in %.1f s (final loss %.4f)%nheld-out image: %d true nuclei, %d found%nAP@0.5 = %.3f (TP %d, FP %d, FN %d; mean IoU of matches %.3f)%n",
                r.steps(), r.seconds(), r.finalLoss(), r.trueObjects(), r.foundObjects(), r.match().averagePrecision(),
                r.match().truePositives(), r.match().falsePositives(), r.match().falseNegatives(), r.match().meanMatchedIou());
        System.out.print(summary);
        AtomicFiles.write(out.resolve("summary.txt"), os -> os.write(summary.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        System.out.println("outputs in " + out.toAbsolutePath());
        return 0;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException("demo: " + args[i - 1] + " needs a value");
        return args[i];
    }

    static Report train(Path out, int steps, long seed, boolean verbose) throws IOException {
        Files.createDirectories(out);
        float[][] images = new float[TRAIN_IMAGES][];
        int[][] classes = new int[TRAIN_IMAGES][];
        int[] sizes = new int[TRAIN_IMAGES];
        for (int i = 0; i < TRAIN_IMAGES; i++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(seed * 1000 + i, IMAGE_SIZE, IMAGE_SIZE);
            images[i] = Percentiles.of(s.image(), 1, 99.8).apply(s.image());
            classes[i] = SyntheticNuclei.threeClass(s.labels(), IMAGE_SIZE, IMAGE_SIZE);
            sizes[i] = IMAGE_SIZE;
        }
        Rng rng = new Rng(seed);
        UNet net = new UNet(new UNetConfig(1, 3, 3, 16, true, false, 0f), rng);
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(3e-3));
        LrSchedule schedule = new LrSchedule.Warmup(20, new LrSchedule.Cosine(Math.max(1, steps - 20), 0.05));
        PatchSampler sampler = new PatchSampler(images, classes, sizes, sizes, 0.1f, rng.split());
        float[] classWeights = {1f, 1f, 2f}; // boundaries are thin but decide whether touching nuclei separate
        long t0 = System.nanoTime();
        float loss = 0;
        for (int step = 0; step < steps; step++) {
            PatchSampler.Batch b = sampler.next(BATCH, PATCH);
            adam.setLearningRate(schedule.lr(3e-3, step));
            adam.zeroGrad();
            Tensor l = SoftmaxCrossEntropy.apply(net.forward(Tensor.of(b.images(), BATCH, 1, PATCH, PATCH)), b.labels(), classWeights, SoftmaxCrossEntropy.NO_IGNORE);
            Autograd.backward(l);
            adam.step();
            loss = l.item();
            if (verbose && ((step + 1) % 25 == 0 || step == steps - 1)) {
                double elapsed = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "step %4d/%d  loss %.4f  %5.1f s  ETA %5.1f s%n", step + 1, steps, loss, elapsed,
                        elapsed / (step + 1) * (steps - step - 1));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Checkpoint.save(out.resolve("model.ckpt"), net, adam, Map.of("config", net.config.toString(), "command", "./cnnj demo --steps " + steps + " --seed " + seed));

        SyntheticNuclei.Sample test = SyntheticNuclei.generate(seed * 1000 + 999, IMAGE_SIZE, IMAGE_SIZE);
        int[] predicted = segment(net, Percentiles.of(test.image(), 1, 99.8).apply(test.image()), IMAGE_SIZE, IMAGE_SIZE);
        saveLabels(out.resolve("labels.tif"), predicted, IMAGE_SIZE, IMAGE_SIZE);
        InstanceMatching.Result match = InstanceMatching.match(test.labels(), predicted, 0.5);
        return new Report(steps, seconds, loss, test.objects(), Instances.count(predicted), match);
    }

    /** Whole-image prediction (sizes must be multiples of 8) → instance labels. */
    static int[] segment(UNet net, float[] image, int width, int height) {
        net.train(false);
        Tensor logits = GradMode.noGrad(() -> net.forward(Tensor.of(image, 1, 1, height, width)));
        net.train(true);
        int plane = width * height;
        int[] classes = new int[plane];
        float[] v = logits.data();
        for (int p = 0; p < plane; p++) {
            int best = 0;
            for (int c = 1; c < 3; c++) if (v[c * plane + p] > v[best * plane + p]) best = c;
            classes[p] = best;
        }
        return Instances.fromThreeClass(classes, width, height, 6);
    }

    static void saveLabels(Path file, int[] labels, int width, int height) throws IOException {
        short[] pixels = new short[labels.length];
        for (int i = 0; i < labels.length; i++) pixels[i] = (short) labels[i];
        saveTiff(file, new ImagePlus(file.getFileName().toString(), new ShortProcessor(width, height, pixels, null)));
    }

    /** Writes a TIFF through a temporary sibling and a rename, so a failure leaves no half-written file. */
    static void saveTiff(Path file, ImagePlus imp) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (!new FileSaver(imp).saveAsTiff(tmp.toString())) throw new IOException("could not write " + file + "; is the folder writable and the disk not full?");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
