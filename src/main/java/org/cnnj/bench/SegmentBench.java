package org.cnnj.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.cnnj.data.SyntheticNuclei;
import org.cnnj.infer.Device;
import org.cnnj.infer.Engine;
import org.cnnj.infer.ModelSpec;
import org.cnnj.infer.OrtEngine;
import org.cnnj.infer.Segmenter;
import org.cnnj.infer.TiledPredictor;
import org.cnnj.tensor.Tensor;

/**
 * Segmentation of one synthetic size×size image with a model: total time (normalization, tiling,
 * argmax, object extraction) against the time spent inside ONNX Runtime's session on the same tiles.
 */
public final class SegmentBench {
    private SegmentBench() {}

    /** Counts the time spent in the wrapped engine's run(). */
    private static final class Timed implements Engine {
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

    public static Map<String, Object> run(Path model, int size, int tile, int threads) throws IOException {
        ModelSpec spec = ModelSpec.read(ModelSpec.sidecarOf(model));
        SyntheticNuclei.Sample sample = SyntheticNuclei.generate(77, size, size);
        TiledPredictor.Layout layout = new TiledPredictor.Layout(tile, spec.halo(), spec.tileMultiple());
        Map<String, Object> r = new LinkedHashMap<>();
        try (Timed engine = new Timed(OrtEngine.open(model, Device.CPU, threads, System.err::println))) {
            Segmenter.Options options = new Segmenter.Options(layout, false, 6);
            SyntheticNuclei.Sample warm = SyntheticNuclei.generate(78, tile, tile);
            Segmenter.segment(engine, spec, new float[][] {warm.image()}, tile, tile, options, null);
            engine.nanos.set(0);
            long t0 = System.nanoTime();
            Segmenter.Result result = Segmenter.segment(engine, spec, new float[][] {sample.image()}, size, size, options, null);
            double total = (System.nanoTime() - t0) / 1e9, ort = engine.nanos.get() / 1e9;
            r.put("benchmark", "segment " + size + "x" + size);
            r.put("engine", engine.describe());
            r.put("tile", tile + " + " + spec.halo() + " halo");
            r.put("objects_found", result.objectCount());
            r.put("objects_true", sample.objects());
            r.put("seconds_total", total);
            r.put("seconds_in_onnxruntime", ort);
            r.put("overhead_vs_onnxruntime", total / ort - 1);
        }
        return r;
    }
}
