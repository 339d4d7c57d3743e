package org.cnnj.cli;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.cnnj.fiji.SegmentFolderCommand;
import org.cnnj.ij.SegmentFiles;
import org.cnnj.ij.VolumeFiles;
import org.cnnj.model.NormalizationMethod;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.VolumeSpec;

/**
 * {@code ./cnnj segment --model M.onnx --input IMG|DIR --output DIR [--engine ort|java]
 * [--device auto|cpu|cuda] [--threads N] [--tile N] [--probabilities] [--diameter auto|none|PX]}. The image is resized so its
 * objects have the size the model was trained for (auto: estimated from the image) and results come back at its own size. Per image: labels.tif (16-bit
 * object labels, or classes for semantic models), probabilities.tif (optional), rois.zip and
 * results.csv; a folder of images gets one subfolder per image. Stacks go slice by slice. Its options are those
 * of Fiji's Segment Folder command (the same names, defaults and checks), plus the ones for a model without a
 * sidecar.
 */
final class SegmentCommand {
    static final CommandLine.Extras EXTRAS = new CommandLine.Extras(
            List.of("--classes", "--tile-multiple", "--halo", "--normalize", "--voxel"),
            List.of(),
            String.join(
                    "\n",
                    "  for models without a sidecar:",
                    "    --classes 0                output channels (0 = from the model)",
                    "    --tile-multiple " + SegmentationModel.External.DEFAULTS.tileMultiple()
                            + "         tile sizes are a multiple of this",
                    "    --halo (measured)          context around each tile in pixels (default: the receptive field)",
                    "    --normalize "
                            + SegmentationModel.External.DEFAULTS.normalize().option()
                            + "     percentile or none: how input values are scaled",
                    "  for 3-D models (z-stacks; the model's sidecar says instances-3d):",
                    Volume3dCommands.VOXEL_HELP));

    private SegmentCommand() {}

    static int run(String[] args) throws IOException {
        SegmentFiles.Options o = options(args);
        if (isVolume(o)) return VolumeFiles.segment(o, voxel(args));
        return SegmentFiles.segment(o);
    }

    /** True when the options name a 3-D model (its sidecar says instances-3d): the stacks are segmented in 3-D. */
    static boolean isVolume(SegmentFiles.Options o) {
        return o.model() != null && VolumeSpec.describes(o.model());
    }

    /** The voxel size (z, y, x) {@code --voxel} gives, or null for the stacks' own calibration. */
    static double[] voxel(String[] args) {
        return Volume3dCommands.voxel(CommandLine.parse("segment", SegmentFolderCommand.class, args, Map.of(), EXTRAS)
                .extras());
    }

    /** The options {@code args} give, checked as the command checks them. */
    static SegmentFiles.Options options(String[] args) {
        CommandLine.Parsed<SegmentFolderCommand> p =
                CommandLine.parse("segment", SegmentFolderCommand.class, args, Map.of(), EXTRAS);
        CliOptions o = p.extras();
        SegmentationModel.External d = SegmentationModel.External.DEFAULTS;
        return p.command()
                .request(new SegmentationModel.External(
                        o.integer("--classes", d.classes()),
                        o.integer("--tile-multiple", d.tileMultiple()),
                        o.integer("--halo", d.halo()),
                        o.has("--normalize") ? NormalizationMethod.parse(o.text("--normalize", null)) : d.normalize()));
    }
}
