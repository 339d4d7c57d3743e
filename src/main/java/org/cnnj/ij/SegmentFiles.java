package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.Batch;
import org.cnnj.io.ImageFiles;
import org.cnnj.io.Staging;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.seg.SegmentationModel;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.SliceLinking;
import org.cnnj.seg.VolumeSpec;

/**
 * Segments image files with a model and writes what Fiji users work with, per image: labels.tif
 * (16-bit object labels, or classes for semantic models), probabilities.tif (optional), rois.zip and
 * results.csv; a folder of images gets one subfolder per image; stacks go slice by slice. The command
 * line (`./cnnj segment`) and the Fiji command (Plugins › CNN-J › Segmentation › Segment Folder…) are thin layers over this.
 */
public final class SegmentFiles {
    private SegmentFiles() {}

    /**
     * What to segment, with what, and where the results go: the model (a file, a built-in name or a package; for a
     * model without a sidecar, {@code external} says how to apply it), the engine, device and threads, and the request
     * (diameter, probabilities, tile side).
     */
    public record Options(
            Path model,
            Path input,
            Path output,
            EngineKind engine,
            Device device,
            int threads,
            Segmenter.Request request,
            SegmentationModel.External external,
            ChannelChoice channels) {
        public Options {
            channels = channels == null ? ChannelChoice.ALL : channels;
        }

        /** ONNX Runtime on the best device, all cores, {@link Segmenter.Request#defaults()}, every channel. */
        public static Options of(Path model, Path input, Path output) {
            return new Options(
                    model,
                    input,
                    output,
                    EngineKind.ORT,
                    Device.AUTO,
                    0,
                    Segmenter.Request.defaults(),
                    SegmentationModel.External.DEFAULTS,
                    ChannelChoice.ALL);
        }

        public Options withEngine(EngineKind e, Device d, int t) {
            return new Options(model, input, output, e, d, t, request, external, channels);
        }

        public Options withRequest(Segmenter.Request r) {
            return new Options(model, input, output, engine, device, threads, r, external, channels);
        }

        public Options withExternal(SegmentationModel.External e) {
            return new Options(model, input, output, engine, device, threads, request, e, channels);
        }

        /** The same options giving the model only these channels of each image, in this order. */
        public Options withChannels(ChannelChoice c) {
            return new Options(model, input, output, engine, device, threads, request, external, c);
        }
    }

    public static int segment(Options o) throws IOException {
        if (o.model() != null && VolumeSpec.describes(o.model())) return VolumeFiles.segment(o, null);
        List<Path> images = ImageFiles.list(o.input());
        try (Batch.Worker worker = open(o, System.out::println)) {
            Batch.run("segment", images, Files.isDirectory(o.input()), o.output(), worker);
            return 0;
        }
    }

    /**
     * The model opened once for many images ({@code log} hears the engine and tile line): what {@link #segment} runs
     * on each file of a folder, and what a Spark executor keeps for all the images it is given.
     */
    public static Batch.Worker open(Options o, Consumer<String> log) throws IOException {
        SegmentationModel model = SegmentationModel.resolve(o.model(), o.external(), System.err::println);
        Segmenter segmenter = Segmenter.open(model, o.engine(), o.device(), o.threads(), System.err::println);
        try {
            TiledPredictor.Layout layout = segmenter.layout(o.request().tile(), System.err::println);
            log.accept("engine: " + segmenter.engine().describe() + "; tiles " + layout.tile() + " px + "
                    + layout.halo() + " px halo");
            Segmenter.Request request = o.request().withTile(layout.tile());
            return Batch.Worker.of(
                    (image, dir) -> segmentImage(segmenter, request, o.channels(), image, dir), segmenter::close);
        } catch (RuntimeException e) {
            segmenter.close();
            throw e;
        }
    }

    /** What segmenting one image gives: labels (16-bit stack), class probabilities (or null), ROIs, measurements. */
    public record Output(
            ImagePlus labels,
            ImagePlus probabilities,
            List<Roi> rois,
            List<LabelResults.Measurement> rows,
            int objects) {}

    public static int segmentImage(
            Segmenter segmenter, Segmenter.Request request, ChannelChoice channels, Path file, Path dir)
            throws IOException {
        ImagePlus imp = Tiffs.open(file);
        String name = file.getFileName().toString();
        Output out = segment(segmenter, request, channels.apply(imp, name), name);
        write(out, imp.getCalibration(), dir);
        return out.objects();
    }

    /**
     * Segments every slice (position) of an image; {@code name} names it in messages. With a diameter (or
     * auto) each slice is resized so its objects match the model's object size, and results come back at the image's size.
     */
    public static Output segment(Segmenter segmenter, Segmenter.Request request, ImagePlus imp, String name) {
        return segment(segmenter, request, imp, name, System.err::println);
    }

    /** As above; {@code log} hears what each slice's segmentation says (the diameter used, warnings, progress). */
    public static Output segment(
            Segmenter segmenter, Segmenter.Request request, ImagePlus imp, String name, Consumer<String> log) {
        SegmentationSpec spec = segmenter.spec();
        int w = imp.getWidth(), h = imp.getHeight(), positions = Planes.positions(imp);
        if (Planes.channels(imp) != spec.inputChannels())
            throw new IllegalArgumentException(Planes.mismatch(name, imp, spec.inputChannels(), "model")
                    + channelsHint(imp, spec.inputChannels(), spec.provenance()));
        Calibration cal = imp.getCalibration();
        ImageStack labelStack = new ImageStack(w, h), probabilityStack = new ImageStack(w, h);
        List<Roi> rois = new ArrayList<>();
        List<LabelResults.Measurement> rows = new ArrayList<>();
        List<int[]> labelPlanes = new ArrayList<>();
        List<float[]> intensities = new ArrayList<>();
        int objects = 0;
        for (int pos = 0; pos < positions; pos++) {
            float[][] planes = Planes.of(imp, pos);
            String where = name + (positions > 1 ? " slice " + (pos + 1) : "");
            ProgressReporter progress = new ProgressReporter("segmenting " + where, log);
            Segmenter.Result r;
            try {
                r = segmenter.segment(
                        planes, w, h, request, new Segmenter.Feedback(msg -> log.accept(where + ": " + msg), progress));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            int[] labels = r.labels();
            if (r.probabilities() != null) {
                for (int k = 0; k < r.probabilities().length; k++)
                    probabilityStack.addSlice(spec.classes().get(k), new FloatProcessor(w, h, r.probabilities()[k]));
            }
            objects += r.objectCount();
            labelPlanes.add(labels);
            intensities.add(planes[0]);
        }
        if (request.linkSlices() && imp.getNSlices() > 1) objects = linkSlices(labelPlanes, imp, log, name);
        else if (imp.getNSlices() > 1)
            log.accept(name + ": a z-stack segmented slice by slice with a 2-D model (objects are numbered per slice);"
                    + " for 3-D objects link the slices (Link slices; --link) or use a 3-D model");
        for (int pos = 0; pos < positions; pos++) {
            int position = positions > 1 ? pos + 1 : 0;
            rois.addAll(LabelResults.rois(labelPlanes.get(pos), w, h, position));
            rows.addAll(LabelResults.measure(labelPlanes.get(pos), intensities.get(pos), w, h, cal, position));
        }
        int maxLabel = 0;
        for (int[] labels : labelPlanes) for (int l : labels) maxLabel = Math.max(maxLabel, l);
        if (maxLabel > 65_535)
            log.accept(name + ": " + maxLabel
                    + " objects in one plane, more than 16-bit ids hold: labels are written as 32-bit");
        for (int[] labels : labelPlanes) labelStack.addSlice(labelProcessor(labels, w, h, maxLabel, name));
        ImagePlus labelImage = new ImagePlus(ImageFiles.baseName(Path.of(name)) + "-labels", labelStack);
        labelImage.setCalibration(cal);
        // A hyperstack keeps its shape: Z and T as the input's (positions are Z·T, in ImageJ's order).
        if (positions > 1 && imp.getNSlices() * imp.getNFrames() == positions)
            labelImage.setDimensions(1, imp.getNSlices(), imp.getNFrames());
        labelImage.getProcessor().resetMinAndMax();
        ImagePlus probs = null;
        if (request.probabilities()) {
            probs = new ImagePlus(ImageFiles.baseName(Path.of(name)) + "-probabilities", probabilityStack);
            if (imp.getNSlices() * imp.getNFrames() == positions)
                probs.setDimensions(spec.classChannels(), imp.getNSlices(), imp.getNFrames());
            else probs.setDimensions(spec.classChannels(), 1, positions);
            probs.setCalibration(cal);
        }
        return new Output(labelImage, probs, rois, rows, objects);
    }

    /**
     * The 2.5-D objects of a stack: per time point, the slices' objects linked where they overlap ({@link
     * SliceLinking}), numbered over the stack; the planes are replaced. Returns the 3-D objects of all time points.
     */
    private static int linkSlices(List<int[]> planes, ImagePlus imp, Consumer<String> log, String name) {
        int z = imp.getNSlices(), frames = planes.size() / z, objects = 0, plane = planes.get(0).length;
        for (int t = 0; t < frames; t++) {
            List<int[]> stack = new ArrayList<>(planes.subList(t * z, (t + 1) * z));
            int[] linked = SliceLinking.link(stack, SliceLinking.DEFAULT_MIN_IOU);
            int max = 0;
            for (int k = 0; k < z; k++) {
                int[] ids = Arrays.copyOfRange(linked, k * plane, (k + 1) * plane);
                for (int id : ids) max = Math.max(max, id);
                planes.set(t * z + k, ids);
            }
            objects += max;
        }
        log.accept(name + ": slices linked into " + objects + " 3-D objects (overlap IoU >= "
                + SliceLinking.DEFAULT_MIN_IOU + "; a 3-D model segments stacks in 3-D)");
        return objects;
    }

    /**
     * How to choose the channels a model takes: the channels it was trained on (a CNN-J model records them), else the
     * image's channel names to choose from.
     */
    static String channelsHint(ImagePlus imp, int expected, Map<String, String> provenance) {
        String trained = provenance.get("channels");
        if (trained != null) return "; it was trained on channels=" + trained + ": give the same";
        if (Planes.channels(imp) <= expected) return "";
        return "; or choose " + expected + " of its channels (" + String.join(", ", ChannelChoice.names(imp))
                + ") with channels=, e.g. channels=" + (expected == 1 ? "1" : "1,2") + " (command line --channels)";
    }

    /**
     * A label plane as 16-bit pixels, or as 32-bit when ids go beyond 65,535 (a large image of small
     * nuclei has more), so every object keeps its own id in labels.tif, as in rois.zip and results.csv.
     * 32-bit float holds whole numbers exactly up to 2^24.
     */
    static ImageProcessor labelProcessor(int[] labels, int w, int h, int max, String name) {
        if (max <= 65_535) {
            short[] pixels = new short[labels.length];
            for (int i = 0; i < labels.length; i++) pixels[i] = (short) labels[i];
            return new ShortProcessor(w, h, pixels, null);
        }
        if (max > (1 << 24)) {
            throw new IllegalArgumentException(name + " has " + max
                    + " objects, more than a label image can number exactly (16,777,216); segment it in parts");
        }
        float[] pixels = new float[labels.length];
        for (int i = 0; i < labels.length; i++) pixels[i] = labels[i];
        return new FloatProcessor(w, h, pixels, null);
    }

    /**
     * labels.tif, probabilities.tif (when kept), rois.zip and results.csv into {@code dir}, as one set:
     * written first into a hidden staging folder there and then renamed into place, so a full disk or a
     * crash never leaves labels.tif without its rois.zip, or new labels beside old results.
     */
    public static void write(Output out, Calibration cal, Path dir) throws IOException {
        String image = out.labels().getTitle().replaceFirst("-labels$", "");
        byte[] geoJson = ObjectFiles.geoJson(shapes(out, cal), image),
                coco =
                        ObjectFiles.coco(
                                shapes(out, cal),
                                image,
                                out.labels().getWidth(),
                                out.labels().getHeight());
        Staging.write(dir, staging -> {
            Tiffs.save(out.labels(), staging.resolve("labels.tif"));
            OmeTiff.save(out.labels(), List.of("labels"), staging.resolve("labels.ome.tif"));
            if (out.probabilities() != null) {
                Tiffs.save(out.probabilities(), staging.resolve("probabilities.tif"));
                List<String> classes = new ArrayList<>();
                for (int c = 1; c <= out.probabilities().getNChannels(); c++)
                    classes.add(out.probabilities().getStack().getSliceLabel(c));
                OmeTiff.save(out.probabilities(), classes, staging.resolve("probabilities.ome.tif"));
            }
            RoiZips.write(out.rois(), staging.resolve("rois.zip"));
            LabelResults.saveCsv(out.rows(), cal, staging.resolve("results.csv"));
            AtomicFiles.write(staging.resolve("objects.geojson"), o -> o.write(geoJson));
            AtomicFiles.write(staging.resolve("coco.json"), o -> o.write(coco));
        });
    }

    /** The objects with their results rows (ROI names are the label numbers the rows carry). */
    static List<ObjectFiles.Shape> shapes(Output out, Calibration cal) {
        Map<String, LabelResults.Measurement> rows = new HashMap<>();
        for (LabelResults.Measurement m : out.rows()) rows.put(m.position() + "/" + m.label(), m);
        String unit = LabelResults.unit(cal);
        List<ObjectFiles.Shape> shapes = new ArrayList<>();
        for (Roi roi : out.rois()) {
            int position = Math.max(0, roi.getPosition());
            LabelResults.Measurement m = rows.get(position + "/" + roi.getName());
            shapes.add(new ObjectFiles.Shape(
                    roi, "object", Double.NaN, m == null ? Map.of() : ObjectFiles.measurements(m, unit), position));
        }
        return shapes;
    }
}
