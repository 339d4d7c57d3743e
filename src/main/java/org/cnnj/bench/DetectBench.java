package org.cnnj.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.det.AnnotatedImage;
import org.cnnj.det.Detection;
import org.cnnj.det.DetectionScenes;
import org.cnnj.det.MeanAveragePrecision;
import org.cnnj.det.ObjectDetector;
import org.cnnj.ij.TrainDetectorFiles;
import org.cnnj.runtime.Device;
import org.cnnj.seg.Diameter;

/**
 * {@code ./cnnj bench detect}: detection time on a large synthetic scene (default 2048×2048, ~6,300
 * cells, CPU) against the time spent inside ONNX Runtime on the same tiles, plus the mAP@0.5 on that
 * scene (which also checks that cross-tile merging neither loses nor doubles border objects).
 */
public final class DetectBench {
    private DetectBench() {}

    /**
     * The detector on annotated images ({@code data}: a folder of images with ROI zips, label images or VOC, COCO,
     * YOLO or CSV boxes): AP@0.5 per class and their mean (detections from score 0.05, as mAP is measured), and
     * images per second at the detector's own score threshold.
     */
    public static Map<String, Object> onData(Path model, Path data, int threads, Diameter diameter) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        try (ObjectDetector detector = ObjectDetector.open(model, Device.CPU, threads, System.err::println)) {
            List<AnnotatedImage> images =
                    TrainDetectorFiles.load(data, null, detector.spec().classes());
            ObjectDetector.Options defaults = ObjectDetector.Options.of(detector.spec());
            ObjectDetector.Options low = defaults.withScoreThreshold(0.05f);
            // The accuracy pass first: it also warms the JIT up on every code path; then the faster of two timed
            // passes, so the time is the detector's, not compilation's (measured on 2 cores: a first pass 5.0 s, the
            // second 3.5–5.0, later ones 3.2–3.5 — warm-up cut a fast detector's ratio to a slow one's most).
            List<List<Detection>> found = new ArrayList<>();
            for (AnnotatedImage a : images)
                found.add(
                        detector.detect(a.channels(), a.width(), a.height(), sized(detector, low, diameter, a), null));
            double seconds = Double.POSITIVE_INFINITY, network0 = 0, network1 = 0;
            double[] java0 = null, java1 = null;
            for (int pass = 0; pass < 2; pass++) {
                double n0 = detector.networkSeconds();
                double[] j0 = detector.javaStageSeconds();
                long t0 = System.nanoTime();
                for (AnnotatedImage a : images)
                    detector.detect(a.channels(), a.width(), a.height(), sized(detector, defaults, diameter, a), null);
                double s = (System.nanoTime() - t0) / 1e9;
                if (s < seconds) {
                    seconds = s;
                    network0 = n0;
                    java0 = j0;
                    network1 = detector.networkSeconds();
                    java1 = detector.javaStageSeconds();
                }
            }
            MeanAveragePrecision.Result map = MeanAveragePrecision.evaluate(
                    found,
                    images.stream().map(AnnotatedImage::boxes).toList(),
                    images.stream().map(AnnotatedImage::classes).toList(),
                    detector.spec().classes().size(),
                    0.5f);
            r.put("benchmark", "detect on " + data);
            r.put("architecture", detector.spec().kind().option());
            r.put("image_scale", detector.spec().scale());
            r.put("diameter", diameter.auto() ? "auto" : diameter.pixels() > 0 ? diameter.pixels() : "none");
            r.put("engine", detector.describe());
            r.put("images", images.size());
            r.put("images_per_second", images.size() / seconds);
            r.put("seconds", seconds);
            r.put("seconds_in_onnx_runtime", network1 - network0); // every graph, masks included
            r.put("seconds_proposals_nms", java1[0] - java0[0]);
            r.put("seconds_roi_align", java1[1] - java0[1]); // box and mask crops
            r.put("seconds_decoding", java1[2] - java0[2]);
            r.put("masks", detector.spec().hasMasks());
            for (int c = 0; c < map.averagePrecision().length; c++)
                r.put("ap50_" + detector.spec().classes().get(c), map.averagePrecision()[c]);
            r.put("map50", map.mean());
        }
        return r;
    }

    /**
     * The options for one image at the object size asked for: none (the detector's own scale), a number of pixels, or
     * auto (estimated on the image, as detect does; the estimate is part of the time measured).
     */
    private static ObjectDetector.Options sized(
            ObjectDetector detector, ObjectDetector.Options o, Diameter diameter, AnnotatedImage a) {
        if (diameter.auto()) return o.withScale(detector.estimateScale(a.channels(), a.width(), a.height(), m -> {}));
        return diameter.pixels() > 0 ? o.withScale(detector.scaleForSize(diameter.pixels())) : o;
    }

    /**
     * Several detectors' results side by side: each under its file name, then each one's speed (images/s, or the scene's
     * seconds) and mAP@0.5 relative to the first's.
     */
    static Map<String, Object> compare(List<Path> models, List<Map<String, Object>> results) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", "detect, " + models.size() + " detectors on the same images");
        for (int i = 0; i < models.size(); i++) r.put(models.get(i).toString(), results.get(i));
        Map<String, Object> first = results.get(0);
        for (int i = 1; i < models.size(); i++) {
            Map<String, Object> other = results.get(i);
            String name = label(models, i) + "_vs_" + label(models, 0);
            r.put(
                    "speed_" + name,
                    first.containsKey("images_per_second")
                            ? number(other, "images_per_second") / number(first, "images_per_second")
                            : number(first, "seconds_total") / number(other, "seconds_total"));
            r.put("map50_difference_" + name, number(other, "map50") - number(first, "map50"));
        }
        return r;
    }

    /** A model's file name, or its whole path where another model has the same file name. */
    private static String label(List<Path> models, int i) {
        Path name = models.get(i).getFileName();
        long same = models.stream().filter(m -> m.getFileName().equals(name)).count();
        return same > 1 ? models.get(i).toString() : name.toString();
    }

    private static double number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    public static Map<String, Object> run(Path model, int size, int tile, int threads) throws IOException {
        DetectionScenes.Scene scene = DetectionScenes.generate(4242, size, size, 0.0015);
        Map<String, Object> r = new LinkedHashMap<>();
        try (ObjectDetector detector = ObjectDetector.open(model, Device.CPU, threads, System.err::println)) {
            ObjectDetector.Options defaults = ObjectDetector.Options.of(detector.spec());
            ObjectDetector.Options options = defaults.withTile(tile);
            DetectionScenes.Scene warm = DetectionScenes.generate(4243, tile, tile, 0.0015);
            detector.detect(new float[][] {warm.image()}, tile, tile, options, null);
            double before = detector.networkSeconds();
            double[] stagesBefore = detector.javaStageSeconds();
            long t0 = System.nanoTime();
            List<Detection> found = detector.detect(new float[][] {scene.image()}, size, size, options, null);
            double total = (System.nanoTime() - t0) / 1e9, ort = detector.networkSeconds() - before;
            double[] stages = detector.javaStageSeconds();
            ObjectDetector.Options low = options.withScoreThreshold(0.05f);
            MeanAveragePrecision.Result map = MeanAveragePrecision.evaluate(
                    List.of(detector.detect(new float[][] {scene.image()}, size, size, low, null)),
                    List.of(scene.boxes()),
                    List.of(scene.classes()),
                    detector.spec().classes().size(),
                    0.5f);
            r.put("benchmark", "detect " + size + "x" + size);
            r.put("architecture", detector.spec().kind().option());
            r.put("engine", detector.describe());
            r.put("tile", tile);
            r.put("objects_true", scene.objects());
            r.put("objects_found", found.size());
            r.put("seconds_total", total);
            r.put("seconds_in_onnxruntime", ort);
            r.put("overhead_vs_onnxruntime", total / ort - 1);
            r.put("seconds_java_proposals_nms", stages[0] - stagesBefore[0]);
            r.put("seconds_java_roi_align", stages[1] - stagesBefore[1]);
            r.put("seconds_java_decode_nms", stages[2] - stagesBefore[2]);
            for (int c = 0; c < map.averagePrecision().length; c++)
                r.put("ap50_" + detector.spec().classes().get(c), map.averagePrecision()[c]);
            r.put("map50", map.mean());
        }
        return r;
    }
}
