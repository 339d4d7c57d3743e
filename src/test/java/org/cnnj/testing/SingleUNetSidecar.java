package org.cnnj.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cnnj.model.Sidecars;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.UNetConfig;

/**
 * A model file whose sidecar says it is one U-Net of a given shape and object size, for tests of what the dialogs and
 * options take from a model's sidecar: the built-in nuclei model is an ensemble (no one U-Net shape). Its graph is the
 * built-in one: only the sidecar is read there.
 */
public final class SingleUNetSidecar {
    private SingleUNetSidecar() {}

    /** Writes {@code file} (.onnx) and its sidecar; returns {@code file}. */
    public static Path write(Path file, UNetConfig shape, double objectDiameter) throws IOException {
        SegmentationSpec n = SegmentationSpec.read(Path.of("models/nuclei.json"));
        Files.copy(Path.of("models/nuclei.onnx"), file);
        new SegmentationSpec(
                        n.format(),
                        n.axes(),
                        n.inputChannels(),
                        n.classes(),
                        n.output(),
                        n.task(),
                        n.normalization(),
                        n.tileMultiple(),
                        n.halo(),
                        shape,
                        Map.of(),
                        objectDiameter,
                        n.splitDepth(),
                        n.decoding(),
                        n.tensorIo())
                .write(Sidecars.of(file));
        return file;
    }
}
