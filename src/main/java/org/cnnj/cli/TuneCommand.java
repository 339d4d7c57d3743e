package org.cnnj.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.ij.TrainSegmentationFiles;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.LabeledImage;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.SegmentationTrainer;

/**
 * {@code ./cnnj tune-seg --model M.onnx --images DIR [--every N] [--decoding]}: chooses the split depth of an
 * instances-distance model (how far its distance map must dip between two peaks for two objects) on
 * annotated images (X.tif + X-labels.tif; every N-th pair), and writes it into the sidecar. train-seg
 * does this on its validation images by itself; this is for images of your own, or a model trained
 * before. Use images the model was not trained on. {@code --decoding} also chooses the foreground and seed
 * thresholds and the relative speck size ({@link org.cnnj.seg.Decoding}) with it.
 */
final class TuneCommand {
    private TuneCommand() {}

    static int run(String[] args) throws IOException {
        CliOptions o =
                new CliOptions("tune-seg", args, List.of("--model", "--images", "--every"), List.of("--decoding"));
        o.require("--model", "--images");
        Path model = o.path("--model");
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(model));
        List<LabeledImage> all = TrainSegmentationFiles.load(o.path("--images"), null), some = new ArrayList<>();
        int every = o.integer("--every", 1);
        for (int i = 0; i < all.size(); i += every) some.add(all.get(i));
        SegmentationSpec tuned;
        try (Engine engine = OrtEngine.open(model, Device.CPU, 0, System.err::println)) {
            tuned = o.has("--decoding")
                    ? SegmentationTrainer.tuneDecoding(engine, spec, some, System.out::println)
                    : SegmentationTrainer.tuneSplitDepth(engine, spec, some, System.out::println);
        }
        Map<String, String> provenance = new LinkedHashMap<>(tuned.provenance());
        provenance.put(
                o.has("--decoding") ? "decoding" : "split_depth",
                "./cnnj tune-seg " + String.join(" ", args) + " (" + some.size() + " images)");
        tuned.withProvenance(provenance).write(Sidecars.of(model));
        System.out.println("split depth " + tuned.split()
                + (o.has("--decoding") ? ", decoding " + tuned.decodingOrDefault() : "") + " written to "
                + Sidecars.of(model));
        return 0;
    }
}
