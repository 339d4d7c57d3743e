package org.cnnj.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.cnnj.imglib.ImgLib2Segmenter;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.SyntheticNuclei;
import org.cnnj.tensor.Tensor;

/**
 * Segmentation of one synthetic size×size image with a model: total time (normalization, tiling,
 * argmax, object extraction) against the time spent inside ONNX Runtime's session on the same tiles.
 */
public final class SegmentBench {
    private SegmentBench() {}

    /** Counts the time spent in the wrapped engine's run(). */
    static final class Timed implements Engine {
        final Engine inner;
        final AtomicLong nanos = new AtomicLong();

        Timed(Engine inner) {
            this.inner = inner;
        }

        public Tensor run(Tensor x) {
            long t0 = System.nanoTime();
            try {
                return inner.run(x);
            } finally {
                nanos.addAndGet(System.nanoTime() - t0);
            }
        }

        public String describe() {
            return inner.describe();
        }

        public void close() {
            inner.close();
        }
    }

    /**
     * A size×size 8-bit image (a 2048² synthetic image repeated, so making it needs little memory)
     * segmented through an ImgLib2 view, as a script would: time, objects and peak heap.
     */
    public static Map<String, Object> runLarge(Path model, int size, int tile, int threads) throws IOException {
        return runLarge(model, size, tile, threads, false);
    }

    /** With {@code cells}, the results go band by band into cell images (the path for planes beyond 2^31 pixels). */
    public static Map<String, Object> runLarge(Path model, int size, int tile, int threads, boolean cells)
            throws IOException {
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        int block = Math.min(2048, size);
        SyntheticNuclei.Sample sample = SyntheticNuclei.generate(77, block, block);
        byte[] pixels = new byte[Math.multiplyExact(size, size)];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                pixels[y * size + x] =
                        (byte) Math.min(255, Math.round(sample.image()[(y % block) * block + x % block]));
            }
        }
        int objectsPerBlock = sample.objects();
        sample = null; // only the 8-bit image stays
        Img<UnsignedByteType> image = ArrayImgs.unsignedBytes(pixels, size, size);
        Map<String, Object> r = new LinkedHashMap<>();
        try (OrtEngine engine = OrtEngine.open(model, Device.CPU, threads, System.err::println)) {
            long t0 = System.nanoTime();
            Segmenter.Options options = Segmenter.Options.of(spec).withTile(tile);
            int found = cells
                    ? ImgLib2Segmenter.segmentLarge(engine, spec, image, options, 2048)
                            .objectCount()
                    : ImgLib2Segmenter.segment(engine, spec, image, options).objectCount();
            r.put(
                    "benchmark",
                    "segment " + size + "x" + size + " 8-bit via ImgLib2"
                            + (cells ? " into cell images, 2048-row bands" : ""));
            r.put("engine", engine.describe());
            r.put("seconds_total", (System.nanoTime() - t0) / 1e9);
            r.put("objects_found", found);
            r.put("objects_expected_about", (long) objectsPerBlock * (size / block) * (size / block));
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        r.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        r.put("peak_heap_mb_sum_of_pools", peak >> 20);
        return r;
    }

    public static Map<String, Object> run(Path model, int size, int tile, int threads, boolean java)
            throws IOException {
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        SyntheticNuclei.Sample sample = SyntheticNuclei.generate(77, size, size);
        TiledPredictor.Layout layout = new TiledPredictor.Layout(tile, spec.halo(), spec.tileMultiple());
        Map<String, Object> r = new LinkedHashMap<>();
        Segmenter.Options options = new Segmenter.Options(layout, false, 6);
        try (Timed engine = new Timed(OrtEngine.open(model, Device.CPU, threads, System.err::println))) {
            Run ort = Run.of(engine, spec, sample, size, options);
            r.put("benchmark", "segment " + size + "x" + size);
            r.put("engine", engine.describe());
            r.put("tile", tile + " + " + spec.halo() + " halo");
            r.put("objects_found", ort.objects());
            r.put("objects_true", sample.objects());
            r.put("seconds_total", ort.seconds());
            r.put("seconds_in_onnxruntime", ort.inEngine());
            r.put("overhead_vs_onnxruntime", ort.seconds() / ort.inEngine() - 1);
            r.put("seconds_in_onnxruntime_second_pass", ort.inEngineAgain());
            if (java) r.put("java_engine", javaEngine(model, spec, sample, size, options, ort));
        }
        return r;
    }

    /**
     * Two timed segmentations of the sample after one tile to warm the engine up: the first as a user's first image
     * meets it (the Java engine's first pass also pays C2 compiling its loops for each new tile shape, and the heap
     * growing), the second at steady state (every tile shape seen before), as every later image of a batch.
     */
    private record Run(int objects, double seconds, double inEngine, double inEngineAgain) {
        static Run of(
                Timed engine, SegmentationSpec spec, SyntheticNuclei.Sample sample, int size, Segmenter.Options o) {
            int tile = o.layout().tile();
            SyntheticNuclei.Sample warm = SyntheticNuclei.generate(78, tile, tile);
            Segmenter.of(engine, spec).apply(new float[][] {warm.image()}, tile, tile, o, null);
            engine.nanos.set(0);
            long t0 = System.nanoTime();
            Segmenter.Result result =
                    Segmenter.of(engine, spec).apply(new float[][] {sample.image()}, size, size, o, null);
            double seconds = (System.nanoTime() - t0) / 1e9, inEngine = engine.nanos.get() / 1e9;
            engine.nanos.set(0);
            Segmenter.of(engine, spec).apply(new float[][] {sample.image()}, size, size, o, null);
            return new Run(result.objectCount(), seconds, inEngine, engine.nanos.get() / 1e9);
        }
    }

    /** The same image and tiles through the Java engine: its time inside the engine against ONNX Runtime's. */
    private static Map<String, Object> javaEngine(
            Path model,
            SegmentationSpec spec,
            SyntheticNuclei.Sample sample,
            int size,
            Segmenter.Options options,
            Run ort)
            throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        // A CNN-J U-Net is rebuilt as itself; an ensemble (the built-in nuclei model) or another graph node by node.
        JavaEngine network = spec.architecture() != null
                ? new JavaEngine(Segmenter.loadNetwork(model, spec))
                : JavaEngine.open(model);
        try (Timed engine = new Timed(network)) {
            Run java = Run.of(engine, spec, sample, size, options);
            r.put("engine", engine.describe());
            r.put("seconds_total", java.seconds());
            r.put("seconds_in_engine", java.inEngine());
            r.put("engine_time_vs_onnxruntime", java.inEngine() / ort.inEngine());
            r.put("seconds_in_engine_second_pass", java.inEngineAgain());
            r.put("engine_time_vs_onnxruntime_second_pass", java.inEngineAgain() / ort.inEngineAgain());
            r.put("objects_found", java.objects());
            r.put("objects_found_with_onnxruntime", ort.objects());
        }
        return r;
    }
}
