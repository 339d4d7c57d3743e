package org.cnnj.cli;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.ij.Tiffs;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.Checkpoint;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.Instances;
import org.cnnj.seg.LabeledImage;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.SegmentationTask;
import org.cnnj.seg.SegmentationTrainer;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.SyntheticNuclei;
import org.cnnj.seg.UNet;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingRun;

/**
 * {@code ./cnnj demo [--out DIR] [--steps N] [--seed S]}: generates synthetic nuclei images, trains a
 * U-Net (background / interior / boundary) from scratch, segments a held-out image, and reports the
 * object count and AP@0.5. Writes model.ckpt, the exported nuclei.onnx + nuclei.json, the held-out image
 * with its truth, and what `segment` writes for it (labels.tif, rois.zip, results.csv), plus summary.txt.
 */
final class DemoCommand {
    private static final int TRAIN_IMAGES = 6, IMAGE_SIZE = 256, PATCH = 96, BATCH = 8;

    private DemoCommand() {}

    /** What the demo measured. */
    record Report(
            int steps,
            double seconds,
            float finalLoss,
            int trueObjects,
            int foundObjects,
            InstanceMatching.Result match) {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions("demo", args, List.of("--out", "--steps", "--seed"), List.of());
        Path out = o.has("--out") ? o.path("--out") : Path.of("demo-output");
        int steps = o.integer("--steps", 200);
        long seed = o.longInteger("--seed", 1);
        if (steps < 1) throw new IllegalArgumentException("demo: --steps must be at least 1");
        Report r = train(out, steps, seed, true);
        String summary = String.format(
                Locale.ROOT,
                "trained %d steps in %.1f s (final loss %.4f)%nheld-out image: %d true nuclei, %d found%nAP@0.5 = %.3f (TP %d, FP %d, FN %d; mean IoU of matches %.3f)%n",
                r.steps(),
                r.seconds(),
                r.finalLoss(),
                r.trueObjects(),
                r.foundObjects(),
                r.match().averagePrecision(),
                r.match().truePositives(),
                r.match().falsePositives(),
                r.match().falseNegatives(),
                r.match().meanMatchedIou());
        System.out.print(summary);
        AtomicFiles.write(out.resolve("summary.txt"), os -> os.write(summary.getBytes(StandardCharsets.UTF_8)));
        System.out.println("outputs in " + out.toAbsolutePath());
        return 0;
    }

    static Report train(Path out, int steps, long seed, boolean verbose) throws IOException {
        AtomicFiles.createFolder(out);
        List<LabeledImage> data = new ArrayList<>();
        for (int i = 0; i < TRAIN_IMAGES; i++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(seed * 1000 + i, IMAGE_SIZE, IMAGE_SIZE);
            data.add(new LabeledImage("synthetic-" + i, new float[][] {s.image()}, s.labels(), IMAGE_SIZE, IMAGE_SIZE));
        }
        String command = "./cnnj demo --steps " + steps + " --seed " + seed;
        Map<String, String> provenance = new TreeMap<>(Map.of(
                "command",
                command,
                "data",
                TRAIN_IMAGES + " synthetic nuclei images " + IMAGE_SIZE + "x" + IMAGE_SIZE
                        + " (org.cnnj.seg.SyntheticNuclei, seeds " + seed * 1000 + "..), one held out for validation",
                "patches",
                BATCH + " x " + PATCH + "x" + PATCH + ", flips/rotations, intensity jitter",
                "steps",
                String.valueOf(steps)));
        int epochs = Math.min(4, steps);
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, (steps + epochs - 1) / epochs)
                .withBatches(BATCH, PATCH)
                .withLearningRate(3e-3)
                .withValidation(1.0 / TRAIN_IMAGES)
                .withPatience(0)
                .withSeed(seed);
        float[] lastLoss = {0};
        long t0 = System.nanoTime();
        SegmentationTrainer.Result trained = SegmentationTrainer.train(
                TrainingRun.of(data, cfg)
                        .withListener(new TrainingListener() {
                            public void epoch(EpochReport e) {
                                lastLoss[0] = (float) e.trainLoss();
                                if (verbose) {
                                    System.out.println(e.line());
                                }
                            }
                        })
                        .withProvenance(provenance),
                SegmentationTrainer.Recipe.defaults()
                        .withTask(SegmentationTask.INSTANCES_3CLASS, null)
                        .withNetwork(3, 16, false, 0));
        double seconds = (System.nanoTime() - t0) / 1e9;
        UNet net = (UNet) trained.model(); // a new network of a recipe is a UNet
        SegmentationSpec spec = trained.spec();
        Checkpoint.save(
                out.resolve("model.ckpt"),
                net,
                null,
                new TreeMap<>(Map.of("config", net.config.toString(), "command", command)));
        Path onnx = out.resolve("nuclei.onnx");
        Segmenter.save(net, spec, IMAGE_SIZE, onnx);

        // The held-out image goes through the same path a user's image takes: TIFF → ONNX Runtime → outputs.
        SyntheticNuclei.Sample test = SyntheticNuclei.generate(seed * 1000 + 999, IMAGE_SIZE, IMAGE_SIZE);
        Path heldOut = out.resolve("heldout.tif");
        Tiffs.save(
                new ImagePlus(
                        "heldout",
                        new FloatProcessor(IMAGE_SIZE, IMAGE_SIZE, test.image()).convertToShortProcessor(false)),
                heldOut);
        saveLabels(out.resolve("heldout-truth.tif"), test.labels(), IMAGE_SIZE, IMAGE_SIZE);
        try (OrtEngine engine = OrtEngine.open(onnx, Device.AUTO, 0, msg -> {
            if (verbose) System.err.println(msg);
        })) {
            SegmentFiles.segmentImage(
                    Segmenter.of(engine, spec),
                    new Segmenter.Request(Diameter.NONE, false, 128),
                    ChannelChoice.ALL,
                    heldOut,
                    out);
        }
        int[] predicted = labelsOf(Tiffs.open(out.resolve("labels.tif")));
        InstanceMatching.Result match = InstanceMatching.match(test.labels(), predicted, 0.5);
        return new Report(
                cfg.epochs() * cfg.stepsPerEpoch(),
                seconds,
                lastLoss[0],
                test.objects(),
                Instances.count(predicted),
                match);
    }

    private static int[] labelsOf(ImagePlus imp) {
        short[] pixels = (short[]) imp.getProcessor().getPixels();
        int[] out = new int[pixels.length];
        for (int i = 0; i < out.length; i++) out[i] = pixels[i] & 0xffff;
        return out;
    }

    static void saveLabels(Path file, int[] labels, int width, int height) throws IOException {
        short[] pixels = new short[labels.length];
        for (int i = 0; i < labels.length; i++) pixels[i] = (short) labels[i];
        Tiffs.save(new ImagePlus(file.getFileName().toString(), new ShortProcessor(width, height, pixels, null)), file);
    }
}
