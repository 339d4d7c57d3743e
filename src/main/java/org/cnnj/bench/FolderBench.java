package org.cnnj.bench;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.cnnj.ij.ChannelChoice;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.ij.Tiffs;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.SyntheticNuclei;

/**
 * {@code segment} on a folder of many small images, through the same per-image path as {@code ./cnnj segment
 * --input DIR} (read the TIFF, estimate the diameter, segment, write labels, ROI zip and CSV): the engine and model
 * are opened once, and the time outside the engine per image is set against the time inside it.
 */
final class FolderBench {
    private FolderBench() {}

    static Map<String, Object> run(Path model, int count, int size, int threads) throws IOException {
        Path dir = Files.createTempDirectory("cnnj-folder-bench");
        try {
            Path in = Files.createDirectories(dir.resolve("in")), out = Files.createDirectories(dir.resolve("out"));
            for (int i = 0; i < count; i++) {
                SyntheticNuclei.Sample s = SyntheticNuclei.generate(500 + i, size, size);
                Tiffs.save(
                        new ImagePlus("n" + i, new FloatProcessor(size, size, s.image())),
                        in.resolve("n" + i + ".tif"));
            }
            SegmentationModel found = SegmentationModel.resolve(model);
            Map<String, Object> r = new LinkedHashMap<>();
            long t0 = System.nanoTime();
            try (SegmentBench.Timed engine =
                    new SegmentBench.Timed(OrtEngine.open(found.onnx(), Device.CPU, threads, System.err::println))) {
                double open = (System.nanoTime() - t0) / 1e9;
                Segmenter segmenter = Segmenter.of(engine, found.spec());
                Segmenter.Request request = Segmenter.Request.defaults()
                        .withTile(segmenter.layout(0, line -> {}).tile());
                // The first image warms ONNX Runtime and the JIT up; it is not counted.
                SegmentFiles.segmentImage(segmenter, request, ChannelChoice.ALL, in.resolve("n0.tif"), out);
                engine.nanos.set(0);
                long objects = 0, files = 0, t1 = System.nanoTime();
                for (int i = 1; i < count; i++) {
                    // SegmentFiles.segmentImage's three steps, with the file reading and writing timed apart
                    Path image = in.resolve("n" + i + ".tif");
                    long t = System.nanoTime();
                    ImagePlus imp = Tiffs.open(image);
                    files += System.nanoTime() - t;
                    SegmentFiles.Output o = SegmentFiles.segment(
                            segmenter, request, imp, image.getFileName().toString());
                    t = System.nanoTime();
                    SegmentFiles.write(o, imp.getCalibration(), out.resolve("n" + i));
                    files += System.nanoTime() - t;
                    objects += o.objects();
                }
                double total = (System.nanoTime() - t1) / 1e9, inside = engine.nanos.get() / 1e9, io = files / 1e9;
                r.put("benchmark", "segment a folder of " + count + " images of " + size + "x" + size);
                r.put("engine", engine.describe());
                r.put("seconds_open_model_once", open);
                r.put("images_timed", count - 1);
                r.put("objects_found", objects);
                r.put("seconds_total", total);
                r.put("seconds_in_engine", inside);
                r.put("milliseconds_per_image", 1000 * total / (count - 1));
                r.put("milliseconds_per_image_outside_engine", 1000 * (total - inside) / (count - 1));
                r.put("milliseconds_per_image_files", 1000 * io / (count - 1));
                // files: reading the TIFF, writing labels.tif, rois.zip and results.csv; post-processing: the rest
                // outside the engine (normalization, softmax, objects from the maps at each diameter-estimate scale,
                // ROI outlines and measurements)
                r.put("files_vs_inference", io / inside);
                r.put("post_processing_vs_inference", (total - inside - io) / inside);
                r.put("overhead_vs_inference", (total - inside) / inside);
            }
            return r;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
