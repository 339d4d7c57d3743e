package org.cnnj.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.cls.ImageClassifier;
import org.cnnj.cls.SyntheticCells;
import org.cnnj.det.Detection;
import org.cnnj.det.DetectionScenes;
import org.cnnj.det.ObjectDetector;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.SyntheticNuclei;

/**
 * {@code ./cnnj bench devices}: CUDA against the CPU in one run, on the built-in models — one large image and a folder
 * segmented on each (time, and the objects of the two matched: AP@0.5 of CUDA's against the CPU's), classifier
 * probabilities and detections compared, and the reference U-Net's training step on ONNX Runtime's CUDA and CPU
 * providers against the Java engine. It needs the GPU build (mvn -Pcuda) and a GPU; without CUDA it says why and
 * stops (src/test/gpu/check.sh runs it whenever a GPU machine is lent).
 */
final class DeviceBench {
    /**
     * What to run: the large image's side, the folder's images (256 × 256), ORT's threads (0: its default), and the
     * device to check against the CPU (CUDA; the CPU itself for a dry run of this benchmark on a machine without GPU).
     */
    record Options(int largeSize, int folderCount, int threads, Device device) {}

    private DeviceBench() {}

    static Map<String, Object> run(Options o, Consumer<String> log) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("device", o.device().name().toLowerCase(Locale.ROOT));
        Segmenter cuda = Segmenter.open(Path.of("models/nuclei.onnx"), EngineKind.ORT, o.device(), o.threads(), log);
        Segmenter cpu = Segmenter.open(Path.of("models/nuclei.onnx"), EngineKind.ORT, Device.CPU, o.threads(), log);
        r.put("segment_large", segment(cuda, cpu, List.of(SyntheticNuclei.generate(1, o.largeSize(), o.largeSize()))));
        List<SyntheticNuclei.Sample> folder = new ArrayList<>();
        for (int i = 0; i < o.folderCount(); i++) folder.add(SyntheticNuclei.generate(100 + i, 256, 256));
        r.put("segment_folder", segment(cuda, cpu, folder));
        r.put("classify", classify(o, log));
        r.put("detect", detect(o, log));
        TrainingBench.Options step = TrainingBench.Options.defaults();
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("java_against_ort_device", TrainingBench.compareEngines(step, o.device()));
        training.put("java_against_ort_cpu", TrainingBench.compareEngines(step, Device.CPU));
        r.put("training_step_reference_unet_batch_8", training);
        return r;
    }

    /** Seconds on each device, and the CUDA objects matched against the CPU's (pooled over the images). */
    private static Map<String, Object> segment(Segmenter cuda, Segmenter cpu, List<SyntheticNuclei.Sample> images) {
        long[] counts = new long[3];
        double[] seconds = new double[2];
        Segmenter.Options options = Segmenter.Options.of(cpu.spec());
        // One untimed image: a GPU's first run compiles its kernels.
        SyntheticNuclei.Sample first = images.get(0);
        cuda.apply(new float[][] {first.image()}, first.width(), first.height(), options, null);
        for (SyntheticNuclei.Sample s : images) {
            long t0 = System.nanoTime();
            Segmenter.Result onCuda = cuda.apply(new float[][] {s.image()}, s.width(), s.height(), options, null);
            long t1 = System.nanoTime();
            Segmenter.Result onCpu = cpu.apply(new float[][] {s.image()}, s.width(), s.height(), options, null);
            long t2 = System.nanoTime();
            seconds[0] += (t1 - t0) / 1e9;
            seconds[1] += (t2 - t1) / 1e9;
            InstanceMatching.Result m = InstanceMatching.match(onCpu.labels(), onCuda.labels(), 0.5);
            counts[0] += m.truePositives();
            counts[1] += m.falsePositives();
            counts[2] += m.falseNegatives();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("images", images.size());
        r.put("device_seconds", seconds[0]);
        r.put("cpu_seconds", seconds[1]);
        r.put("device_speed_vs_cpu", seconds[1] / seconds[0]);
        long all = counts[0] + counts[1] + counts[2];
        r.put("objects_cpu", counts[0] + counts[2]);
        r.put("ap50_device_vs_cpu", all == 0 ? 1.0 : (double) counts[0] / all);
        return r;
    }

    /** The largest difference of a class probability between the devices, over synthetic crops of every class. */
    private static Map<String, Object> classify(Options o, Consumer<String> log) throws IOException {
        ImageClassifier cuda = ImageClassifier.open(Path.of("models/cells.onnx"), EngineKind.ORT, o.device(), 0, log);
        ImageClassifier cpu = ImageClassifier.open(Path.of("models/cells.onnx"), EngineKind.ORT, Device.CPU, 0, log);
        int size = 64;
        List<float[][]> crops = new ArrayList<>();
        for (int i = 0; i < 64; i++) crops.add(new float[][] {SyntheticCells.crop(i, i % 4, size)});
        List<ImageClassifier.Prediction> a = cuda.classify(crops, size, size), b = cpu.classify(crops, size, size);
        double worst = 0;
        int agree = 0;
        for (int i = 0; i < a.size(); i++) {
            float[] p = a.get(i).probabilities(), q = b.get(i).probabilities();
            for (int k = 0; k < p.length; k++) worst = Math.max(worst, Math.abs(p[k] - q[k]));
            if (a.get(i).label() == b.get(i).label()) agree++;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("crops", crops.size());
        r.put("max_probability_difference", worst);
        r.put("same_class", agree);
        return r;
    }

    /** Detections of the demo detector on a synthetic scene: counts and the largest score difference of matched boxes. */
    private static Map<String, Object> detect(Options o, Consumer<String> log) throws IOException {
        ObjectDetector cuda = ObjectDetector.open(Path.of("models/detector.onnx"), o.device(), o.threads(), log);
        ObjectDetector cpu = ObjectDetector.open(Path.of("models/detector.onnx"), Device.CPU, o.threads(), log);
        DetectionScenes.Scene scene = DetectionScenes.generate(5, 1024, 1024, 0.0015);
        float[][] planes = {scene.image()};
        List<Detection> a =
                cuda.detect(planes, scene.width(), scene.height(), ObjectDetector.Options.of(cuda.spec()), null);
        List<Detection> b =
                cpu.detect(planes, scene.width(), scene.height(), ObjectDetector.Options.of(cpu.spec()), null);
        double worst = 0;
        int matched = 0;
        for (Detection d : a) {
            Detection best = null;
            double bestIou = 0.5;
            for (Detection e : b) {
                double iou = iou(d, e);
                if (e.classIndex() == d.classIndex() && iou >= bestIou) {
                    bestIou = iou;
                    best = e;
                }
            }
            if (best != null) {
                matched++;
                worst = Math.max(worst, Math.abs(best.score() - d.score()));
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("detections_device", a.size());
        r.put("detections_cpu", b.size());
        r.put("matched_at_iou_0.5", matched);
        r.put("max_score_difference", worst);
        return r;
    }

    private static double iou(Detection a, Detection b) {
        double w = Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1());
        double h = Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1());
        if (w <= 0 || h <= 0) return 0;
        double inter = w * h;
        return inter / (a.width() * a.height() + b.width() * b.height() - inter);
    }
}
