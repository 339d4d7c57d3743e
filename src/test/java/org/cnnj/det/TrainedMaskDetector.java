package org.cnnj.det;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnj.io.AtomicFiles;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingRun;

/**
 * A detector with masks trained once per test run on synthetic cell scenes (4 × 25 steps, about a minute on 2 cores) and saved
 * as cells.onnx (+ head, mask head, sidecar) in a temporary folder (deleted when the JVM exits), for the tests of
 * every layer that need one.
 */
public final class TrainedMaskDetector {
    private static Path model;
    private static DetectorTrainer.Result result;

    private TrainedMaskDetector() {}

    /** A scene with its boxes, classes and instance masks. */
    public static AnnotatedImage scene(long seed, int size) {
        DetectionScenes.Scene s = DetectionScenes.generate(seed, size, size, 0.0015);
        return new AnnotatedImage(
                "scene-" + seed, new float[][] {s.image()}, size, size, s.boxes(), s.classes(), s.labels());
    }

    public static synchronized Path model() {
        if (model != null) return model;
        try {
            Path dir = Files.createTempDirectory("cnnj-mask-detector");
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(() -> AtomicFiles.deleteTree(dir))); // every test run left one behind
            List<AnnotatedImage> data = List.of(scene(11, 128), scene(12, 128), scene(13, 128), scene(14, 128));
            TrainConfig cfg = TrainConfig.defaults()
                    .withSchedule(4, 25)
                    .withBatches(4, 96)
                    .withLearningRate(2e-3)
                    .withValidation(0.25)
                    .withPatience(0)
                    .withSeed(3);
            result = DetectorTrainer.train(
                    TrainingRun.of(data, cfg).withCheckpoints(dir.resolve("checkpoints")),
                    DetectorConfig.defaults(1, DetectionScenes.CLASSES),
                    MaskConfig.defaults(),
                    BoxAugmentation.BASIC,
                    null);
            Path file = dir.resolve("cells.onnx");
            ObjectDetector.save(result.model(), result.spec().withHead(file), file);
            model = file;
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized DetectorTrainer.Result result() {
        model();
        return result;
    }
}
