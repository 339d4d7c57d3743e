package org.cnnj.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.cnnj.ij.VolumeFiles;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.SyntheticVolumes;
import org.cnnj.seg.VolumeSegmenter;

/**
 * {@code cnnj bench seg3d [--model models/nuclei3d.onnx] [--size 512] [--slices 100] [--threads 0]}: segments one
 * synthetic stack of size × size × slices (at the model's voxel ratio) with ONNX Runtime and with the Java engine, and
 * prints for each the seconds, the objects and their AP@0.5 against the stack's truth, the Java heap's peak and the
 * process's resident-memory high-water mark (ONNX Runtime's memory is native, outside the heap). With {@code --data
 * DIR}: the model's object accuracy on annotated stacks instead ({@link #accuracy}).
 */
final class VolumeBench {
    private VolumeBench() {}

    static Map<String, Object> run(Path model, int size, int slices, int threads) throws IOException {
        VolumeSegmenter probe = VolumeSegmenter.open(model, EngineKind.JAVA, Device.CPU, threads, line -> {});
        double ratio = probe.spec().zRatio(), diameter = probe.spec().objectDiameter();
        LabeledVolume v = SyntheticVolumes.generate(
                77, slices, size, size, SyntheticVolumes.Settings.defaults().withZRatio(ratio));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stack", size + "x" + size + "x" + slices + " (" + v.voxels() / 1_000_000 + " M voxels)");
        out.put("threads", threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        for (EngineKind kind : new EngineKind[] {EngineKind.ORT, EngineKind.JAVA}) {
            VolumeSegmenter s =
                    kind == EngineKind.JAVA ? probe : VolumeSegmenter.open(model, kind, Device.CPU, threads, l -> {});
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            long t0 = System.nanoTime();
            VolumeSegmenter.Result r =
                    s.segment(v, VolumeSegmenter.Options.defaults().withDiameter(diameter), line -> {}, null);
            double seconds = (System.nanoTime() - t0) / 1e9;
            InstanceMatching.Result m = InstanceMatching.match(v.labels(), r.labels(), 0.5);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seconds", Math.round(seconds * 10) / 10.0);
            row.put("objects", r.objects());
            row.put(
                    "ap50",
                    Math.round(1000.0
                                    * m.truePositives()
                                    / Math.max(1, m.truePositives() + m.falsePositives() + m.falseNegatives()))
                            / 1000.0);
            row.put("heap_peak_mb", heapPeak() >> 20);
            row.put("rss_high_water_mb", rssHighWater() >> 10);
            out.put(kind.name().toLowerCase(Locale.ROOT), row);
            s.engine().close();
        }
        return out;
    }

    /**
     * Object accuracy of a 3-D model on annotated stacks (X.tif with X-labels.tif in {@code data}), applied as a user
     * applies it (diameter auto unless given, calibration from the files): per stack and pooled AP@0.5 (TP / (TP + FP +
     * FN) over all objects), precision and recall.
     */
    static Map<String, Object> accuracy(Path model, Path data, double diameter, int threads) throws IOException {
        VolumeSegmenter s = VolumeSegmenter.open(model, EngineKind.ORT, Device.CPU, threads, line -> {});
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> per = new LinkedHashMap<>();
        long tp = 0, fp = 0, fn = 0;
        for (LabeledVolume v : VolumeFiles.load(data, null, null)) {
            VolumeSegmenter.Result r =
                    s.segment(v, VolumeSegmenter.Options.defaults().withDiameter(diameter), line -> {}, null);
            InstanceMatching.Result m = InstanceMatching.match(v.labels(), r.labels(), 0.5);
            tp += m.truePositives();
            fp += m.falsePositives();
            fn += m.falseNegatives();
            per.put(
                    v.name(),
                    String.format(
                            Locale.ROOT,
                            "AP@0.5 %.3f (%d true, %d found, diameter %.1f)",
                            ap(m.truePositives(), m.falsePositives(), m.falseNegatives()),
                            m.truePositives() + m.falseNegatives(),
                            m.truePositives() + m.falsePositives(),
                            r.diameter()));
        }
        s.engine().close();
        out.put("model", model.toString());
        out.put("data", data.toString());
        out.put("pooled_ap50", Math.round(1000 * ap(tp, fp, fn)) / 1000.0);
        out.put("precision", Math.round(1000.0 * tp / Math.max(1, tp + fp)) / 1000.0);
        out.put("recall", Math.round(1000.0 * tp / Math.max(1, tp + fn)) / 1000.0);
        out.put("stacks", per);
        return out;
    }

    private static double ap(long tp, long fp, long fn) {
        return tp + fp + fn == 0 ? 0 : (double) tp / (tp + fp + fn);
    }

    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
            if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        return sum;
    }

    /** VmHWM in kB (Linux), or 0. */
    private static long rssHighWater() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return 0;
        for (String line : Files.readAllLines(status))
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        return 0;
    }
}
