package org.cnnj.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.model.ModelSpec;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.Diameter;

/**
 * {@code ./cnnj segment --model M.onnx --input IMG|DIR --output DIR [--engine ort|java]
 * [--device auto|cpu|cuda] [--threads N] [--tile N] [--probabilities] [--diameter auto|none|PX]}. The image is resized so its
 * objects have the size the model was trained for (auto: estimated from the image) and results come back at its own size. Per image: labels.tif (16-bit
 * object labels, or classes for semantic models), probabilities.tif (optional), rois.zip and
 * results.csv; a folder of images gets one subfolder per image. Stacks go slice by slice.
 */
final class SegmentCommand {
    private SegmentCommand() {}

    static int run(String[] args) throws IOException {
        Path model = null, input = null, output = null;
        EngineKind engine = EngineKind.ORT;
        Device device = Device.AUTO;
        int threads = 0, tile = 0;
        boolean probabilities = false;
        int classes = 0,
                multiple = SegmentFiles.External.DEFAULTS.tileMultiple(),
                halo = SegmentFiles.External.DEFAULTS.halo();
        ModelSpec.NormalizationMethod normalize = SegmentFiles.External.DEFAULTS.normalize();
        Diameter diameter = Diameter.AUTO;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--probabilities")) {
                probabilities = true;
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("segment: " + a + " needs a value");
            String v = args[++i];
            switch (a) {
                case "--model" -> model = Path.of(v);
                case "--input" -> input = Path.of(v);
                case "--output" -> output = Path.of(v);
                case "--engine" -> engine = EngineKind.parse(v);
                case "--device" -> device = Device.parse(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--tile" -> tile = Integer.parseInt(v);
                case "--classes" -> classes = Integer.parseInt(v);
                case "--tile-multiple" -> multiple = Integer.parseInt(v);
                case "--halo" -> halo = Integer.parseInt(v);
                case "--normalize" -> normalize = ModelSpec.NormalizationMethod.parse(v);
                case "--diameter" -> diameter = Diameter.parse(v);
                default ->
                    throw new IllegalArgumentException(
                            "segment: unknown option " + a
                                    + "; options: --model --input --output --engine ort|java --device auto|cpu|cuda --threads --tile --probabilities --diameter auto|none|PX"
                                    + " and, for models without a sidecar, --classes N --tile-multiple N --halo N --normalize percentile|none");
            }
        }
        if (model == null || input == null || output == null) {
            throw new IllegalArgumentException("segment: --model, --input and --output are required");
        }
        return SegmentFiles.segment(new SegmentFiles.Options(
                model,
                input,
                output,
                engine,
                device,
                threads,
                tile,
                probabilities,
                new SegmentFiles.External(classes, multiple, halo, normalize),
                diameter));
    }
}
