package org.cnnj.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.cnnj.fiji.TrainSegmentation3dCommand;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.VolumeSegmenter;
import org.cnnj.seg.VolumeSpec;

/**
 * The plan of a volume segmented in blocks by a 3-D model, fixed once on the driver for every block: the
 * normalization (percentiles of the whole volume, from a sample of its chunks), the z spacing over the xy spacing (the
 * OME-Zarr scale, {@code --voxel}, or the model's), the objects' diameter (measured with the model on the centre of the
 * volume, as {@code ./cnnj segment} measures a stack) and the margin per axis: the network's halo plus twice the
 * objects' size, in the volume's voxels (z voxels are {@code zRatio} times as deep).
 */
final class VolumePlan {
    /** The centre the diameter is measured on: as much as the estimate looks at in xy, and this many slices at most. */
    private static final int CENTRE_SIDE = 448, CENTRE_SLICES = 48;

    private VolumePlan() {}

    static BlockSegmentation.Plan of(BlockSegmentation.Request r, BlockSource image, String voxel) throws IOException {
        VolumeSpec spec = VolumeSpec.read(Sidecars.of(Path.of(r.model())));
        int channels = BlockSegmentation.checkChannels(r, image, spec.inputChannels());
        float[][] range = BlockSegmentation.percentiles(image, spec.normalization());
        double zRatio = zRatio(image, voxel, spec);
        long[] size = {image.depth(), image.height(), image.width()};
        long[] block = {Math.min(r.blockZ(), size[0]), r.block(), r.block()};
        double diameter = r.diameter().pixels() > 0 ? r.diameter().pixels() : spec.objectDiameter();
        if (r.diameter().auto()) {
            VolumeSegmenter s =
                    VolumeSegmenter.open(Path.of(r.model()), EngineKind.ORT, Device.AUTO, r.threads(), line -> {});
            try {
                LabeledVolume centre = centre(image, channels, range, spec, zRatio);
                diameter = s.measureDiameter(centre, centre.image(), System.out::println);
            } finally {
                s.engine().close();
            }
        }
        double scale = spec.objectDiameter() / diameter, scaleZ = scale * zRatio / spec.zRatio();
        long[] margin = new long[3];
        for (int a = 0; a < 3; a++) {
            double objects = a == 0 ? diameter / zRatio : diameter, seen = a == 0 ? scaleZ : scale;
            margin[a] = r.margin() > 0 && a > 0 ? r.margin() : (long) Math.ceil(spec.halo()[a] / seen + 2 * objects);
        }
        System.out.printf(
                Locale.ROOT,
                "spark segment-blocks: 3-D model, objects %.1f voxels across in xy, z/xy %.2f%n",
                diameter,
                zRatio);
        // At the model's own voxel size the blocks start on its pooling grid; resized, the segmenter resamples each
        // block on the whole resized volume's grid (VolumeSegmenter.Part).
        int[] grid = scale == 1 && scaleZ == 1 ? spec.tileMultiple() : new int[] {1, 1, 1};
        return new BlockSegmentation.Plan(
                r.model(),
                r.input(),
                r.dataset(),
                r.threads(),
                scale,
                zRatio,
                range[0],
                range[1],
                0,
                size,
                block,
                margin,
                grid,
                channels,
                true);
    }

    /** z spacing over xy spacing: {@code --voxel}, else the OME-Zarr scale, else the model's (said once). */
    static double zRatio(BlockSource image, String voxel, VolumeSpec spec) {
        double[] v = voxel != null ? TrainSegmentation3dCommand.voxelSize(voxel) : image.voxel();
        if (v == null) {
            System.out.printf(
                    Locale.ROOT,
                    "spark segment-blocks: %s has no voxel size: taking the model's z/xy ratio"
                            + " %.2f (give --voxel z,y,x)%n",
                    image.describe(),
                    spec.zRatio());
            return spec.zRatio();
        }
        return v[0] / ((v[1] + v[2]) / 2);
    }

    /** The centre of the volume, normalized with the whole volume's percentiles, for the diameter estimate. */
    private static LabeledVolume centre(
            BlockSource image, int channels, float[][] range, VolumeSpec spec, double zRatio) throws IOException {
        int d = (int) Math.min(CENTRE_SLICES, image.depth()),
                h = (int) Math.min(CENTRE_SIDE, image.height()),
                w = (int) Math.min(CENTRE_SIDE, image.width());
        long z0 = (image.depth() - d) / 2, y0 = (image.height() - h) / 2, x0 = (image.width() - w) / 2;
        float[][] raw = BlockTask.read(image, channels, new BlockSource.Box(z0, y0, x0, d, h, w));
        return BlockTask.volume(zRatio, BlockTask.normalized(range[0], range[1], spec.normalization(), raw), d, h, w);
    }
}
