package org.cnnj.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.cnnj.det.AnnotatedImage;
import org.cnnj.det.DetectionScenes;
import org.cnnj.det.DetectorConfig;
import org.cnnj.det.DetectorTrainer;
import org.cnnj.det.MeanAveragePrecision;
import org.cnnj.det.ObjectDetector;
import org.cnnj.io.AtomicFiles;
import org.cnnj.runtime.Device;
import org.cnnj.train.EpochReport;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingRun;

/**
 * {@code ./cnnj demo-det [--out DIR] [--steps N] [--seed S]}: generates synthetic detection scenes
 * (round and elongated cells), trains the two-stage detector from scratch, exports it (detector.onnx,
 * detector.head.onnx, detector.json) and reports mAP@0.5 per class on held-out scenes, run through
 * ONNX Runtime exactly as `detect` runs a user's model.
 */
final class DetectDemoCommand {
    static final int TRAIN_SCENES = 16, TEST_SCENES = 8, SCENE_SIZE = 192, TEST_SIZE = 256, PATCH = 128, BATCH = 4;
    static final double DENSITY = 0.0015;

    private DetectDemoCommand() {}

    /** What the demo measured on the held-out scenes (ONNX Runtime). */
    record Report(int steps, double seconds, MeanAveragePrecision.Result test, int testObjects) {}

    static int run(String[] args) throws IOException {
        CliOptions o = new CliOptions("demo-det", args, List.of("--out", "--steps", "--seed"), List.of());
        Path out = o.has("--out") ? o.path("--out") : Path.of("demo-output", "detect");
        int steps = o.integer("--steps", 600);
        long seed = o.longInteger("--seed", 1);
        if (steps < 1) throw new IllegalArgumentException("demo-det: --steps must be at least 1");
        Report r = train(out, steps, seed, true);
        StringBuilder summary = new StringBuilder(String.format(
                Locale.ROOT,
                "trained %d steps in %.1f s%nheld-out: %d scenes %dx%d, %d true cells%n",
                r.steps(),
                r.seconds(),
                TEST_SCENES,
                TEST_SIZE,
                TEST_SIZE,
                r.testObjects()));
        for (int c = 0; c < DetectionScenes.CLASSES.size(); c++) {
            summary.append(String.format(
                    Locale.ROOT,
                    "AP@0.5 %-10s = %.3f (%d true, %d TP, %d FP at score >= 0.05)%n",
                    DetectionScenes.CLASSES.get(c),
                    r.test().averagePrecision()[c],
                    r.test().truths()[c],
                    r.test().truePositives()[c],
                    r.test().falsePositives()[c]));
        }
        summary.append(String.format(Locale.ROOT, "mAP@0.5 = %.3f%n", r.test().mean()));
        System.out.print(summary);
        AtomicFiles.write(
                out.resolve("summary.txt"), os -> os.write(summary.toString().getBytes(StandardCharsets.UTF_8)));
        System.out.println("outputs in " + out.toAbsolutePath());
        return 0;
    }

    static List<AnnotatedImage> scenes(long firstSeed, int count, int size) {
        List<AnnotatedImage> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            DetectionScenes.Scene s = DetectionScenes.generate(firstSeed + i, size, size, DENSITY);
            out.add(new AnnotatedImage(
                    "scene-" + (firstSeed + i),
                    new float[][] {s.image()},
                    size,
                    size,
                    s.boxes(),
                    s.classes(),
                    s.labels()));
        }
        return out;
    }

    static Report train(Path out, int steps, long seed, boolean verbose) throws IOException {
        AtomicFiles.createFolder(out);
        List<AnnotatedImage> data = scenes(seed * 1000, TRAIN_SCENES, SCENE_SIZE);
        String command = "./cnnj demo-det --steps " + steps + " --seed " + seed;
        Map<String, String> provenance = new TreeMap<>(Map.of(
                "command",
                command,
                "data",
                TRAIN_SCENES + " synthetic scenes " + SCENE_SIZE + "x" + SCENE_SIZE
                        + " (org.cnnj.det.DetectionScenes, density " + DENSITY + ", seeds " + seed * 1000
                        + "..), 2 held out for validation",
                "patches",
                BATCH + " x " + PATCH + "x" + PATCH + ", flips/rotations, intensity jitter",
                "steps",
                String.valueOf(steps)));
        int epochs = Math.min(10, steps);
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(epochs, (steps + epochs - 1) / epochs)
                .withBatches(BATCH, PATCH)
                .withLearningRate(2e-3)
                .withValidation(2.0 / TRAIN_SCENES)
                .withPatience(0)
                .withSeed(seed);
        long t0 = System.nanoTime();
        DetectorTrainer.Result trained = DetectorTrainer.train(
                TrainingRun.of(data, cfg)
                        .withListener(new TrainingListener() {
                            public void epoch(EpochReport e) {
                                if (verbose) {
                                    System.out.println(e.line());
                                }
                            }
                        })
                        .withProvenance(provenance),
                DetectorConfig.defaults(1, DetectionScenes.CLASSES),
                verbose ? System.err::println : null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path model = out.resolve("detector.onnx");
        ObjectDetector.save(trained.model(), trained.spec().withHead(model), model);

        List<AnnotatedImage> test = scenes(seed * 1000 + 500, TEST_SCENES, TEST_SIZE);
        int objects = test.stream().mapToInt(AnnotatedImage::objects).sum();
        try (ObjectDetector detector = ObjectDetector.open(model, Device.AUTO, 0, msg -> {
            if (verbose) System.err.println(msg);
        })) {
            return new Report(
                    cfg.epochs() * cfg.stepsPerEpoch(), seconds, DetectorTrainer.evaluate(detector, test), objects);
        }
    }
}
