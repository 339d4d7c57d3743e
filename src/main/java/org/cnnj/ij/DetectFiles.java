package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.measure.Calibration;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.cnnj.det.Detection;
import org.cnnj.det.Instance;
import org.cnnj.det.MaskPaste;
import org.cnnj.det.ObjectDetector;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.Batch;
import org.cnnj.io.ImageFiles;
import org.cnnj.io.Staging;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;
import org.cnnj.seg.Diameter;

/**
 * Detects objects in image files and writes, per image: rois.zip (rectangles named "class score",
 * grouped by class, opened by the ROI Manager), detections.csv (class, score, x, y, width, height)
 * and overlay.tif (the image with coloured, labelled boxes in its overlay). A folder of images gets
 * one subfolder per image; stacks go slice by slice (ROI positions set). `./cnnj detect` and
 * Plugins › CNN-J › Detection › Detect in Folder… are thin layers over this.
 */
public final class DetectFiles {
    /** Class colours: distinct, visible on dark fluorescence images. */
    private static final Color[] COLORS = {
        Color.YELLOW, Color.CYAN, Color.MAGENTA, Color.GREEN, Color.ORANGE, Color.PINK, Color.RED, Color.BLUE
    };

    private static final Pattern TRAILING_SCORE = Pattern.compile("\\s+[01](\\.\\d+)?$"),
            TRAILING_NUMBER = Pattern.compile("[-_#\\s]*\\d+$");

    /**
     * @param score   minimum class probability, or NaN for the sidecar's default
     * @param nms     NMS IoU, or NaN for the sidecar's default
     * @param classes keep only these class names (empty: all)
     */
    public record Options(
            Path model,
            Path input,
            Path output,
            EngineKind engine,
            Device device,
            int threads,
            int tile,
            float score,
            float nms,
            List<String> classes,
            ChannelChoice channels,
            Diameter size) {
        public Options {
            channels = channels == null ? ChannelChoice.ALL : channels;
            size = size == null ? Diameter.NONE : size;
        }

        /** ONNX Runtime on the best device, all cores, the sidecar's tile, score and NMS, every class and channel. */
        public static Options of(Path model, Path input, Path output) {
            return new Options(
                    model,
                    input,
                    output,
                    EngineKind.ORT,
                    Device.AUTO,
                    0,
                    0,
                    Float.NaN,
                    Float.NaN,
                    List.of(),
                    ChannelChoice.ALL,
                    Diameter.NONE);
        }

        public Options withEngine(EngineKind e, Device d, int t) {
            return new Options(model, input, output, e, d, t, tile, score, nms, classes, channels, size);
        }

        /** Tiles of {@code side} px (0: the sidecar's), minimum score and NMS IoU (NaN: the sidecar's). */
        public Options withDetection(int side, float minScore, float nmsIou) {
            return new Options(
                    model, input, output, engine, device, threads, side, minScore, nmsIou, classes, channels, size);
        }

        /** Keep only these classes (empty: all). */
        public Options withClasses(List<String> names) {
            return new Options(model, input, output, engine, device, threads, tile, score, nms, names, channels, size);
        }

        /** The same options giving the detector only these channels of each image, in this order. */
        public Options withChannels(ChannelChoice c) {
            return new Options(model, input, output, engine, device, threads, tile, score, nms, classes, c, size);
        }

        /**
         * The size of the objects in the images (the median side of their boxes): auto (estimated with the detector),
         * pixels, or none (the images as they are); images are resized to the size the detector was trained on.
         */
        public Options withSize(Diameter objects) {
            return new Options(
                    model, input, output, engine, device, threads, tile, score, nms, classes, channels, objects);
        }
    }

    public static int detect(Options o) throws IOException {
        List<Path> images = ImageFiles.list(o.input());
        try (Batch.Worker worker = open(o, System.out::println)) {
            Batch.Summary s = Batch.run("detect", images, Files.isDirectory(o.input()), o.output(), worker);
            return (int) s.counted();
        }
    }

    /**
     * The detector opened once for many images ({@code log} hears the engine, tile, score and NMS line): what
     * {@link #detect} runs on each file of a folder, and what a Spark executor keeps for all the images it is given.
     */
    public static Batch.Worker open(Options o, Consumer<String> log) throws IOException {
        ObjectDetector detector = o.engine() == EngineKind.JAVA
                ? ObjectDetector.openJava(o.model())
                : ObjectDetector.open(o.model(), o.device(), o.threads(), System.err::println);
        try {
            ObjectDetector.Options options = options(detector, o);
            Filter filter = new Filter(classFilter(detector.spec().classes(), o.classes()), o.channels(), o.size());
            log.accept("engine: " + detector.describe() + "; tiles " + options.tile() + " px, score >= "
                    + options.scoreThreshold() + ", NMS IoU " + options.nmsIou()
                    + (detector.spec().scale() != 1
                            ? "; images resized x" + detector.spec().scale() + " as in training"
                            : ""));
            return Batch.Worker.of((image, dir) -> detectImage(detector, options, filter, image, dir), detector::close);
        } catch (RuntimeException e) {
            detector.close();
            throw e;
        }
    }

    static ObjectDetector.Options options(ObjectDetector detector, Options o) {
        ObjectDetector.Options d = ObjectDetector.Options.of(detector.spec());
        return new ObjectDetector.Options(
                o.tile() > 0 ? o.tile() : d.tile(),
                Float.isNaN(o.score()) ? d.scoreThreshold() : o.score(),
                Float.isNaN(o.nms()) ? d.nmsIou() : o.nms(),
                d.maxDetections(),
                d.scale());
    }

    /** Indices of the named classes; a name the model does not know is an error naming the ones it does. */
    public static Set<Integer> classFilter(List<String> modelClasses, List<String> wanted) {
        if (wanted == null || wanted.isEmpty()) return null;
        Set<Integer> keep = new TreeSet<>();
        for (String w : wanted) {
            int i = modelClasses.indexOf(w.trim());
            if (i < 0)
                throw new IllegalArgumentException(
                        "the model has no class \"" + w.trim() + "\"; its classes are " + modelClasses);
            keep.add(i);
        }
        return keep;
    }

    /**
     * What detecting in one image gives: ROIs ("class score"; outlines for a detector with masks, else boxes), the
     * CSV rows and, with masks, the instance label image (ROI i is label i + 1; one slice per position), else null.
     */
    public record Output(List<Roi> rois, String csv, ImagePlus labels) {}

    /** Which classes to keep (null: all), which channels of an image the detector sees, and how big its objects are. */
    public record Filter(Set<Integer> classes, ChannelChoice channels, Diameter size) {}

    /** Detects in one image file (all slices of a stack) and writes its outputs to {@code dir}. */
    public static int detectImage(
            ObjectDetector detector, ObjectDetector.Options options, Filter filter, Path file, Path dir)
            throws IOException {
        ImagePlus imp = Tiffs.open(file);
        String name = file.getFileName().toString();
        ImagePlus seen = filter.channels().apply(imp, name);
        ObjectDetector.Options sized = sized(detector, options, filter.size(), seen, System.err::println);
        Output out = detect(detector, sized, filter.classes(), seen, name);
        write(out, imp, dir, ImageFiles.baseName(file));
        return out.rois().size();
    }

    /**
     * The options resizing {@code imp} so its objects have the size the detector was trained on: as given, estimated
     * on its first plane ({@code log} hears the estimate), or none.
     */
    public static ObjectDetector.Options sized(
            ObjectDetector detector,
            ObjectDetector.Options options,
            Diameter size,
            ImagePlus imp,
            Consumer<String> log) {
        if (size.auto())
            return options.withScale(detector.estimateScale(Planes.of(imp, 0), imp.getWidth(), imp.getHeight(), log));
        return size.pixels() > 0 ? options.withScale(detector.scaleForSize(size.pixels())) : options;
    }

    /** Detects in every slice (position) of an image; {@code name} names it in messages. */
    public static Output detect(
            ObjectDetector detector, ObjectDetector.Options options, Set<Integer> keep, ImagePlus imp, String name) {
        int w = imp.getWidth(), h = imp.getHeight(), positions = Planes.positions(imp);
        if (Planes.channels(imp) != detector.spec().inputChannels())
            throw new IllegalArgumentException(
                    Planes.mismatch(name, imp, detector.spec().inputChannels(), "detector")
                            + SegmentFiles.channelsHint(
                                    imp,
                                    detector.spec().inputChannels(),
                                    detector.spec().provenance()));
        boolean masks = detector.spec().hasMasks();
        List<Roi> rois = new ArrayList<>();
        String unit = LabelResults.unit(imp.getCalibration());
        StringBuilder csv = new StringBuilder(
                masks
                        ? "position,label,class,score,x,y,width,height,area_" + unit + "2,perimeter_" + unit
                                + ",circularity\n"
                        : "position,class,score,x,y,width,height\n");
        ImageStack labels = masks ? new ImageStack(w, h) : null;
        for (int pos = 0; pos < positions; pos++) {
            float[][] planes = Planes.of(imp, pos);
            int position = positions > 1 ? pos + 1 : 0;
            ProgressReporter progress = new ProgressReporter(
                    "detecting in " + name + (positions > 1 ? " slice " + (pos + 1) : ""), System.err::println);
            List<Instance> found = new ArrayList<>();
            for (Instance in : detector.detectInstances(planes, w, h, options, progress))
                if (keep == null || keep.contains(in.detection().classIndex())) found.add(in);
            if (!masks) {
                for (Instance in : found) {
                    Detection d = in.detection();
                    rois.add(roi(d, position));
                    csv.append(String.format(
                            Locale.ROOT,
                            "%d,%s,%.4f,%.2f,%.2f,%.2f,%.2f%n",
                            position,
                            d.className(),
                            d.score(),
                            d.x1(),
                            d.y1(),
                            d.width(),
                            d.height()));
                }
                continue;
            }
            MaskPaste.Result pasted = MaskPaste.labels(found, w, h);
            labels.addSlice(SegmentFiles.labelProcessor(
                    pasted.labels(), w, h, pasted.objects().size(), name));
            outlines(pasted, position, imp.getCalibration(), rois, csv);
        }
        ImagePlus labelImage = null;
        if (masks) {
            labelImage = new ImagePlus(ImageFiles.baseName(Path.of(name)) + "-labels", labels);
            labelImage.setCalibration(imp.getCalibration());
        }
        return new Output(rois, csv.toString(), labelImage);
    }

    /**
     * The pasted objects as outline ROIs named "class score" (grouped and coloured by class, in label order) and their
     * CSV rows: box, area, perimeter and circularity (4π·area/perimeter², 1 for a disc) in the image's units.
     */
    private static void outlines(
            MaskPaste.Result pasted, int position, Calibration cal, List<Roi> rois, StringBuilder csv) {
        List<Roi> traced = LabelResults.rois(pasted.labels(), pasted.width(), pasted.height(), position);
        for (Roi outline : traced) {
            int label = Integer.parseInt(outline.getName());
            Detection d = pasted.objects().get(label - 1).detection();
            style(outline, d, position);
            rois.add(outline);
            double area = pasted.areas()[label - 1] * cal.pixelWidth * cal.pixelHeight;
            double perimeter = outline.getLength() * (cal.scaled() ? cal.pixelWidth : 1);
            csv.append(String.format(
                    Locale.ROOT,
                    "%d,%d,%s,%.4f,%.2f,%.2f,%.2f,%.2f,%.4f,%.4f,%.4f%n",
                    position,
                    label,
                    d.className(),
                    d.score(),
                    d.x1(),
                    d.y1(),
                    d.width(),
                    d.height(),
                    area,
                    perimeter,
                    perimeter > 0 ? Math.min(1, 4 * Math.PI * area / (perimeter * perimeter)) : 0));
        }
    }

    /** rois.zip, detections.csv and overlay.tif (a copy of the image with the boxes as overlay) into {@code dir}. */
    public static void write(Output out, ImagePlus imp, Path dir, String baseName) throws IOException {
        Staging.write(
                dir,
                staging -> { // all three or none (see Staging)
                    RoiZips.write(out.rois(), staging.resolve("rois.zip"));
                    byte[] bytes = out.csv().getBytes(StandardCharsets.UTF_8);
                    AtomicFiles.write(staging.resolve("detections.csv"), o -> o.write(bytes));
                    AtomicFiles.write(
                            staging.resolve("detections.geojson"),
                            o -> o.write(ObjectFiles.geoJson(shapes(out.rois()), imp.getTitle())));
                    AtomicFiles.write(
                            staging.resolve("coco.json"),
                            o -> o.write(ObjectFiles.coco(
                                    shapes(out.rois()), imp.getTitle(), imp.getWidth(), imp.getHeight())));
                    if (out.labels() != null) Tiffs.save(out.labels(), staging.resolve("labels.tif"));
                    ImagePlus overlay = imp.duplicate();
                    overlay.setTitle(baseName + "-detections");
                    overlay.setOverlay(
                            ResultsDisplay.outlines(out.rois(), true)); // class-coloured boxes named "class score"
                    Tiffs.save(overlay, staging.resolve("overlay.tif"));
                });
    }

    /** Detections as objects for GeoJSON and COCO: the class and score their ROI names carry ("round 0.93"). */
    static List<ObjectFiles.Shape> shapes(List<Roi> rois) {
        List<ObjectFiles.Shape> shapes = new ArrayList<>();
        for (Roi roi : rois) {
            String name = roi.getName() == null ? "" : roi.getName().trim();
            int space = name.lastIndexOf(' ');
            double score = Double.NaN;
            try {
                if (space > 0) score = Double.parseDouble(name.substring(space + 1));
            } catch (NumberFormatException e) {
                space = -1; // a name without a score: all of it is the class
            }
            String cls = space > 0 ? name.substring(0, space) : name;
            shapes.add(new ObjectFiles.Shape(roi, cls, score, Map.of(), Math.max(0, roi.getPosition())));
        }
        return shapes;
    }

    /** A rectangle ROI named "class score", coloured and grouped by class (group = class index + 1). */
    public static Roi roi(Detection d, int position) {
        Roi roi = new Roi(d.x1(), d.y1(), d.width(), d.height());
        style(roi, d, position);
        return roi;
    }

    /** Names a detection's ROI "class score", groups and colours it by class, and sets its slice. */
    private static void style(Roi roi, Detection d, int position) {
        roi.setName(String.format(Locale.ROOT, "%s %.2f", d.className(), d.score()));
        // ImageJ colours a group from luts/glasbey.lut and logs a line per ROI when that file is missing
        // (plain ImageJ, headless servers): group only where it exists; the name carries the class anyway.
        if (ResultsDisplay.GROUP_COLOURS_AVAILABLE)
            roi.setGroup(d.classIndex() + 1); // before the colour: setGroup also sets the group's colour
        roi.setStrokeColor(COLORS[d.classIndex() % COLORS.length]);
        if (position > 0) roi.setPosition(position);
    }

    /**
     * The class a ROI names: its group's name when ImageJ has one, else its name without a trailing
     * score or number ("round 0.93", "round-0004", "round_12" → "round"); null when nothing is left
     * (e.g. ImageJ's default coordinate names like "0012-0034").
     */
    public static String classOf(Roi roi) {
        int group = roi.getGroup();
        if (group > 0) {
            String groupName = Roi.getGroupName(group);
            if (groupName != null && !groupName.isBlank()) return groupName.trim();
        }
        String name = roi.getName() == null ? "" : roi.getName().trim();
        name = TRAILING_SCORE.matcher(name).replaceFirst("");
        name = TRAILING_NUMBER.matcher(name).replaceFirst("").trim();
        return name.matches("[\\d\\s_#.-]*") ? null : name; // nothing but numbers: ImageJ's coordinate names
    }

    /** Bounding box of a ROI (any shape) as x1, y1, x2, y2. */
    public static float[] box(Roi roi) {
        Rectangle r = roi.getBounds();
        Rectangle2D f = roi.getFloatBounds();
        return f != null
                ? new float[] {
                    (float) f.getX(),
                    (float) f.getY(),
                    (float) (f.getX() + f.getWidth()),
                    (float) (f.getY() + f.getHeight())
                }
                : new float[] {r.x, r.y, r.x + r.width, r.y + r.height};
    }
}
