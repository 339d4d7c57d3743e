package org.cnnj.ij;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.Batch;
import org.cnnj.io.ImageFiles;
import org.cnnj.io.Staging;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.VolumeObjects;
import org.cnnj.seg.VolumeSegmenter;
import org.cnnj.seg.VolumeTrainer;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingRun;

/**
 * 3-D segmentation from and to files: stacks in (TIFF/OME-TIFF with their calibration), per stack a folder with
 * labels.tif (a calibrated 16/32-bit label stack with the label LUT), rois.zip (per slice one ROI per object, named
 * "object-zSLICE", position set, so the ROI Manager groups an object's slices by name) and results.csv (one row per
 * object: volume in calibrated units, centroid, bounding box, mean intensity); training from stack/label-stack pairs.
 */
public final class VolumeFiles {
    /** What segmenting one stack gives. */
    public record Output(ImagePlus labels, List<Roi> rois, List<VolumeObjects.Row> rows, String unit, int objects) {}

    private VolumeFiles() {}

    /** The model opened once for the files of a batch; each file is segmented into its folder. */
    public static Batch.Worker worker(
            VolumeSegmenter segmenter,
            VolumeSegmenter.Options options,
            double[] voxel,
            ChannelChoice channels,
            Consumer<String> log) {
        return Batch.Worker.of(
                (file, dir) -> {
                    ImagePlus imp =
                            channels.apply(Tiffs.open(file), file.getFileName().toString());
                    Output out = segment(segmenter, imp, options, voxel, log);
                    write(out, dir);
                    return out.objects();
                },
                () -> segmenter.engine().close());
    }

    /**
     * Segment Folder's files with a 3-D model: each stack's first time point into its folder; {@code voxel} (z, y, x)
     * replaces the stacks' calibration when given.
     */
    public static int segment(SegmentFiles.Options o, double[] voxel) throws IOException {
        try (Batch.Worker worker = open(o, voxel, System.out::println)) {
            Batch.run("segment", ImageFiles.list(o.input()), Files.isDirectory(o.input()), o.output(), worker);
        }
        return 0;
    }

    /**
     * The 3-D model opened once for many stacks ({@code log} hears the engine line and what each stack needs said):
     * what {@link #segment} runs on each file of a folder, and what a Spark executor keeps for the stacks it is given.
     */
    public static Batch.Worker open(SegmentFiles.Options o, double[] voxel, Consumer<String> log) throws IOException {
        VolumeSegmenter segmenter =
                VolumeSegmenter.open(o.model(), o.engine(), o.device(), o.threads(), System.err::println);
        log.accept("engine: " + segmenter.engine().describe() + "; 3-D model, blocks with a halo of "
                + Arrays.toString(segmenter.spec().halo()) + " voxels (d, h, w)");
        double diameter = o.request().diameter().pixels();
        VolumeSegmenter.Options options = VolumeSegmenter.Options.defaults().withDiameter(diameter);
        return worker(segmenter, options, voxel, o.channels(), log);
    }

    /** Segments the stack's first time point (all its channels) with a 3-D model. */
    public static Output segment(
            VolumeSegmenter segmenter,
            ImagePlus imp,
            VolumeSegmenter.Options options,
            double[] voxel,
            Consumer<String> log) {
        LabeledVolume v = Stacks.volume(imp, 0, voxel);
        if (imp.getNFrames() > 1)
            log.accept(imp.getTitle() + ": " + imp.getNFrames() + " time points; segmenting the first (split the"
                    + " frames to segment each)");
        VolumeSegmenter.Result r = segmenter.segment(v, options, log, null);
        Output out = output(v, r.labels(), r.objects());
        // on a hyperstack with channels or frames a ROI's slice is a hyperstack position (every channel, every frame)
        if (imp.getNChannels() > 1 || imp.getNFrames() > 1)
            for (Roi roi : out.rois()) roi.setPosition(0, roi.getPosition(), 0);
        return out;
    }

    /** Label stack, ROIs and table for the labels of {@code v}. */
    public static Output output(LabeledVolume v, int[] labels, int objects) {
        String base = v.name().replaceFirst("\\.(ome\\.)?tiff?$", "");
        ImagePlus stack = Stacks.labelStack(base + "-labels", labels, v);
        return new Output(stack, rois(labels, v), VolumeSegmenter.measure(v, labels), v.unit(), objects);
    }

    /** Per slice, one ROI per object (its id and slice in the name, position set). */
    static List<Roi> rois(int[] labels, LabeledVolume v) {
        int plane = v.width() * v.height();
        List<Roi> rois = new ArrayList<>();
        int[] slice = new int[plane];
        for (int z = 0; z < v.depth(); z++) {
            System.arraycopy(labels, z * plane, slice, 0, plane);
            for (Roi roi : LabelResults.rois(slice, v.width(), v.height(), z + 1)) {
                roi.setName(String.format(Locale.ROOT, "%04d-z%03d", Integer.parseInt(roi.getName()), z + 1));
                rois.add(roi);
            }
        }
        return rois;
    }

    /** labels.tif, rois.zip and results.csv into {@code dir} as one set, as the 2-D results are ({@link Staging}). */
    public static void write(Output out, Path dir) throws IOException {
        byte[] csv = csv(out.rows(), out.unit()).getBytes(StandardCharsets.UTF_8);
        Staging.write(dir, staging -> {
            Tiffs.save(out.labels(), staging.resolve("labels.tif"));
            RoiZips.write(out.rois(), staging.resolve("rois.zip"));
            AtomicFiles.write(staging.resolve("results.csv"), o -> o.write(csv));
        });
    }

    /** The objects table as an ImageJ results table (one row per object, calibrated). */
    public static ResultsTable table(List<VolumeObjects.Row> rows, String unit) {
        ResultsTable t = new ResultsTable();
        for (VolumeObjects.Row r : rows) {
            t.incrementCounter();
            t.addValue("Label", r.id());
            t.addValue("Voxels", r.voxels());
            t.addValue("Volume (" + unit + "³)", r.volume());
            t.addValue("Diameter (" + unit + ")", r.diameter());
            t.addValue("Z (" + unit + ")", r.centroidZ());
            t.addValue("Y (" + unit + ")", r.centroidY());
            t.addValue("X (" + unit + ")", r.centroidX());
            t.addValue("First slice", r.z0() + 1);
            t.addValue("Last slice", r.z1() + 1);
            t.addValue("BX", r.x0());
            t.addValue("BY", r.y0());
            t.addValue("Width", r.x1() - r.x0() + 1);
            t.addValue("Height", r.y1() - r.y0() + 1);
            t.addValue("Mean", r.meanIntensity());
        }
        return t;
    }

    /** The objects table as CSV, units in the header. */
    public static String csv(List<VolumeObjects.Row> rows, String unit) {
        StringBuilder b = new StringBuilder("label,voxels,volume_" + unit + "3,diameter_" + unit + ",centroid_z_" + unit
                + ",centroid_y_" + unit + ",centroid_x_" + unit + ",z0,y0,x0,z1,y1,x1,mean_intensity\n");
        for (VolumeObjects.Row r : rows) {
            b.append(String.format(
                    Locale.ROOT,
                    "%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%d,%d,%d,%d,%d,%.6g%n",
                    r.id(),
                    r.voxels(),
                    r.volume(),
                    r.diameter(),
                    r.centroidZ(),
                    r.centroidY(),
                    r.centroidX(),
                    r.z0(),
                    r.y0(),
                    r.x0(),
                    r.z1(),
                    r.y1(),
                    r.x1(),
                    r.meanIntensity()));
        }
        return b.toString();
    }

    /**
     * Stack/label-stack pairs: X.tif with X.tif in {@code labels} (a folder), or its label stack beside it as tools name
     * it (X-labels.tif, X_masks.tif, …, masks/X.tif beside images/: {@link ImageFiles#labelImage}); {@code voxel}
     * (z, y, x) replaces every stack's calibration when given.
     */
    public static List<LabeledVolume> load(Path images, Path labels, double[] voxel) throws IOException {
        if (!Files.isDirectory(images))
            throw new IOException(images + " is not a folder; give the folder of training stacks (--images DIR)");
        List<Path> files;
        try (Stream<Path> s = Files.list(images)) {
            files = s.filter(ImageFiles::isImage).sorted().toList();
        }
        List<LabeledVolume> out = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            Path label = ImageFiles.labelImage(file, labels);
            if (!Files.exists(label)) {
                throw new IOException(name + " has no label stack: expected " + label + " (object ids, 0 ="
                        + " background); add it, or move the stack out of " + images);
            }
            ImagePlus lab = LabelImages.open(label);
            lab.setTitle(label.getFileName().toString());
            out.add(pair(Tiffs.open(file), lab, voxel));
        }
        if (out.isEmpty()) throw new IOException(images + " has no stacks with label stacks (X.tif with X-labels.tif)");
        return out;
    }

    /**
     * A stack (its first time point) with its label stack (object ids, 0 = background) as training data; {@code voxel}
     * (z, y, x) replaces the stack's calibration when given.
     */
    public static LabeledVolume pair(ImagePlus image, ImagePlus labels, double[] voxel) {
        LabeledVolume v = Stacks.volume(image, 0, voxel);
        if (labels.getNSlices() != v.depth() || labels.getWidth() != v.width() || labels.getHeight() != v.height()) {
            throw new IllegalArgumentException(labels.getTitle() + " is " + labels.getWidth() + "x"
                    + labels.getHeight() + "x" + labels.getNSlices() + " but " + image.getTitle() + " is " + v.width()
                    + "x" + v.height() + "x" + v.depth() + "; a label stack must have its image's size and slices");
        }
        return v.withLabels(Stacks.labels(labels));
    }

    /**
     * A training run on {@code data} (read from {@code images}) that records how the model was made ({@code command},
     * the data, the date) and keeps its checkpoints in MODEL-checkpoints/ beside {@code model}.
     */
    public static TrainingRun<LabeledVolume> run(
            List<LabeledVolume> data, TrainConfig config, String command, Path images, Path model) {
        Map<String, String> made = new LinkedHashMap<>();
        made.put("command", command);
        made.put("data", images + " (" + data.size() + " stacks)");
        made.put("date", LocalDate.now().toString());
        return TrainingRun.of(data, config)
                .withProvenance(made)
                .withCheckpoints(model.resolveSibling(ImageFiles.baseName(model) + "-checkpoints"));
    }

    /** Trains as {@link VolumeTrainer} does and writes the model + sidecar ({@code output}). */
    public static VolumeTrainer.Result train(
            TrainingRun<LabeledVolume> run, VolumeTrainer.Recipe recipe, Path output, AtomicBoolean cancel)
            throws IOException {
        VolumeTrainer.Result r = VolumeTrainer.train(run.withCancel(cancel), recipe);
        VolumeSegmenter.save(r.model(), r.spec(), output);
        return r;
    }
}
