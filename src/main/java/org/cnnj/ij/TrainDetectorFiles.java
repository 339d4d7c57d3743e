package org.cnnj.ij;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.cnnj.det.AnchorChoice;
import org.cnnj.det.AnnotatedImage;
import org.cnnj.det.BoxAugmentation;
import org.cnnj.det.DetectorConfig;
import org.cnnj.det.DetectorKind;
import org.cnnj.det.DetectorSpec;
import org.cnnj.det.DetectorTrainer;
import org.cnnj.det.MaskConfig;
import org.cnnj.det.ObjectDetector;
import org.cnnj.det.OneStageConfig;
import org.cnnj.io.ImageFiles;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Sidecars;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingOutput;
import org.cnnj.train.TrainingRun;

/**
 * Trains a detector from image files (TIFF, PNG, JPEG) with their boxes: ImageJ ROIs — for every image NAME, a ROI zip
 * NAME.zip (or NAME-rois.zip, or NAME.roi) in the ROI folder, a ROI's class being its group name or its name ("round",
 * "round-0003", "round 0.91"), any ROI shape counting by its bounding box — or an instance label image, or boxes as
 * annotation tools write them ({@link BoxAnnotations}: Pascal VOC, QuPath GeoJSON, COCO, CVAT, YOLO, CSV). With a
 * mask head the ROIs' outlines (label images, polygons, masks) are the masks to learn. Writes the model (NAME.onnx,
 * NAME.head.onnx, NAME.mask.onnx with masks, NAME.json), a training log CSV (updated every epoch) and checkpoints.
 */
public final class TrainDetectorFiles {
    /**
     * Where the examples come from and how they are read.
     *
     * @param rois        folder of ROI files, or null for the image folder
     * @param annotations where the boxes are: ROI zips, label images, Pascal VOC, QuPath GeoJSON, COCO, CVAT, YOLO or
     *                    CSV (auto: whichever is there for each image)
     * @param channels     which channels of each image the detector learns from, in which order
     * @param augmentation how the training patches vary (null: {@link BoxAugmentation#BASIC})
     */
    public record Examples(
            Path images,
            Path rois,
            BoxAnnotations.Format annotations,
            ChannelChoice channels,
            BoxAugmentation augmentation) {
        public Examples {
            annotations = annotations == null ? BoxAnnotations.Format.AUTO : annotations;
            channels = channels == null ? ChannelChoice.ALL : channels;
            augmentation = augmentation == null ? BoxAugmentation.BASIC : augmentation;
        }
    }

    /**
     * The network to train.
     *
     * @param kind        two-stage (Faster R-CNN style) or one-stage (FCOS style); a model to fine-tune keeps its own
     * @param classes     class names in model order, or empty to take them from the ROIs (sorted)
     * @param anchorSizes anchor sizes in pixels (two-stage), or null: chosen from the training boxes ({@link
     *                    AnchorChoice})
     * @param masks       a mask head (Mask R-CNN, two-stage only) learning each object's outline from label images
     *                    or outlined ROIs, or null for boxes only
     * @param imageScale  the factor every image is resized by before the network, in training and (recorded in the
     *                    sidecar) when detecting: 0.5 for objects larger than the network needs, 4× fewer pixels; 1
     *                    as they are
     */
    public record Network(
            DetectorKind kind, List<String> classes, float[] anchorSizes, MaskConfig masks, double imageScale) {
        public Network {
            kind = kind == null ? DetectorKind.TWO_STAGE : kind;
            classes = classes == null ? List.of() : List.copyOf(classes);
            imageScale = imageScale == 0 ? 1 : imageScale;
            if (!(imageScale >= 0.125 && imageScale <= 2))
                throw new IllegalArgumentException("train-det: the image scale must be in 0.125..2 (1: images as they"
                        + " are, 0.5: half size), got " + imageScale);
        }
    }

    /** A detector training from files: examples, network, schedule, where it goes, and where it starts. */
    public record Options(
            Examples examples,
            Network network,
            TrainConfig config,
            Path output,
            Path from,
            boolean resume,
            String commandLine) {
        /** The detector's default schedule and anchors chosen from the boxes; classes from the ROI names. */
        public static Options of(Path images, Path output) {
            return new Options(
                    new Examples(images, null, BoxAnnotations.Format.AUTO, ChannelChoice.ALL, null),
                    new Network(DetectorKind.TWO_STAGE, List.of(), null, null, 1),
                    DetectorTrainer.DEFAULTS,
                    output,
                    null,
                    false,
                    "");
        }

        private Options with(Examples e) {
            return new Options(e, network, config, output, from, resume, commandLine);
        }

        private Options with(Network n) {
            return new Options(examples, n, config, output, from, resume, commandLine);
        }

        /** ROI zips in {@code folder} instead of beside the images. */
        public Options withRois(Path folder) {
            return with(new Examples(
                    examples.images(), folder, examples.annotations(), examples.channels(), examples.augmentation()));
        }

        /** Where the boxes are: ROI zips, label images, Pascal VOC, QuPath GeoJSON, COCO, CVAT, YOLO or CSV (auto). */
        public Options withAnnotations(BoxAnnotations.Format f) {
            return with(
                    new Examples(examples.images(), examples.rois(), f, examples.channels(), examples.augmentation()));
        }

        /** The same options giving the detector only these channels of each image, in this order. */
        public Options withChannels(ChannelChoice c) {
            return with(new Examples(
                    examples.images(), examples.rois(), examples.annotations(), c, examples.augmentation()));
        }

        /** How the training patches vary beyond flips and rotations. */
        public Options withAugmentation(BoxAugmentation a) {
            return with(
                    new Examples(examples.images(), examples.rois(), examples.annotations(), examples.channels(), a));
        }

        public Options withClasses(List<String> names) {
            return with(
                    new Network(network.kind(), names, network.anchorSizes(), network.masks(), network.imageScale()));
        }

        /** Anchor sizes in pixels (null: chosen from the training boxes). */
        public Options withAnchors(float[] sizes) {
            return with(new Network(network.kind(), network.classes(), sizes, network.masks(), network.imageScale()));
        }

        /** Two-stage (Faster R-CNN style) or one-stage (FCOS style); a model to fine-tune keeps its own. */
        public Options withKind(DetectorKind k) {
            return with(
                    new Network(k, network.classes(), network.anchorSizes(), network.masks(), network.imageScale()));
        }

        /** A mask head of {@code config} beside the boxes (Mask R-CNN; null: boxes only). */
        public Options withMasks(MaskConfig config) {
            return with(new Network(
                    network.kind(), network.classes(), network.anchorSizes(), config, network.imageScale()));
        }

        /** Every image resized by {@code factor} before the network, in training and when detecting (1: as it is). */
        public Options withImageScale(double factor) {
            return with(new Network(network.kind(), network.classes(), network.anchorSizes(), network.masks(), factor));
        }

        public Options withConfig(TrainConfig c) {
            return new Options(examples, network, c, output, from, resume, commandLine);
        }

        public Options withFrom(Path model, boolean continueTraining) {
            return new Options(examples, network, config, output, model, continueTraining, commandLine);
        }

        public Options withCommandLine(String line) {
            return new Options(examples, network, config, output, from, resume, line);
        }
    }

    private TrainDetectorFiles() {}

    public static DetectorTrainer.Result train(Options o, AtomicBoolean cancel, TrainingListener listener)
            throws IOException {
        Consumer<String> log = logOf(listener);
        Start start = start(o);
        Path roiFolder = boxesFolder(o.examples().images(), o.examples().rois());
        List<Annotated> pairs =
                pairs(o.examples().images(), roiFolder, o.examples().annotations(), log);
        List<String> classes = start.classes().isEmpty()
                ? classesOf(pairs.stream().flatMap(a -> a.rois().stream()).toList())
                : start.classes();
        List<AnnotatedImage> data = annotate(pairs, classes, o.examples().channels());
        return trainOn(
                data,
                classes,
                start,
                o,
                data.size() + " images from " + o.examples().images(),
                cancel,
                listener,
                log);
    }

    /** Trains on one open image (all its slices) with ROIs from the ROI Manager or a zip; {@code o.examples().images()} and {@code o.examples().rois()} are unused. */
    public static DetectorTrainer.Result trainOnImage(
            ImagePlus image, List<Roi> rois, Options o, AtomicBoolean cancel, TrainingListener listener)
            throws IOException {
        Consumer<String> log = logOf(listener);
        if (rois.isEmpty())
            throw new IllegalArgumentException(
                    "there are no ROIs to learn from; draw boxes around objects and add them to the ROI Manager (t)");
        Start start = start(o);
        List<String> classes = start.classes().isEmpty() ? classesOf(rois) : start.classes();
        List<AnnotatedImage> data = annotated(
                o.examples().channels().apply(image, image.getTitle()),
                rois,
                classes,
                image.getTitle(),
                Path.of(image.getTitle()));
        return trainOn(
                data,
                classes,
                start,
                o,
                "image " + image.getTitle() + " with " + rois.size() + " ROIs",
                cancel,
                listener,
                log);
    }

    /** "12, 24, 48" → anchor sizes; empty or null → null (the defaults). */
    public static float[] anchorSizes(String text) {
        if (text == null || text.isBlank()) return null;
        String[] parts = text.trim().split("\\s*,\\s*");
        float[] sizes = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Float.parseFloat(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "anchors take sizes in pixels like 12,24,48; \"" + parts[i] + "\" is not a number");
            }
        }
        return sizes;
    }

    /** The model to fine-tune (or null) and the classes to train (empty: to be found in the ROIs). */
    private record Start(Path model, DetectorSpec spec, List<String> classes) {}

    private static Start start(Options o) throws IOException {
        if (o.from() == null) return new Start(null, null, o.network().classes());
        Path file = BuiltInModels.file(o.from());
        DetectorSpec from = DetectorSpec.read(Sidecars.of(file));
        if (!o.network().classes().isEmpty() && !o.network().classes().equals(from.classes())) {
            throw new IllegalArgumentException("train-det: the model to fine-tune detects " + from.classes() + ", not "
                    + o.network().classes() + "; train with the same classes or start a new model");
        }
        return new Start(file, from, from.classes());
    }

    private static DetectorTrainer.Result trainOn(
            List<AnnotatedImage> data,
            List<String> classes,
            Start start,
            Options o,
            String source,
            AtomicBoolean cancel,
            TrainingListener listener,
            Consumer<String> log)
            throws IOException {
        Path output = o.output().toAbsolutePath();
        if (!output.getFileName().toString().endsWith(".onnx"))
            throw new IllegalArgumentException("train-det: the output must name a .onnx file, got " + output);
        // A model to fine-tune keeps the scale it was trained at; a new one takes the one asked for.
        double scale =
                start.model() != null ? start.spec().scale() : o.network().imageScale();
        if (scale != 1) {
            log.accept(String.format(Locale.ROOT, "images resized x%.3g before the network (image scale)", scale));
            data = data.stream().map(a -> a.scaled(scale)).toList();
        }
        try (TrainingOutput out =
                TrainingOutput.open(output, o.resume(), "epoch,train_loss,validation_map50,seconds", "train-det")) {
            Map<String, String> provenance = new LinkedHashMap<>();
            provenance.put("command", o.commandLine());
            provenance.put("images", source);
            provenance.put("date", Instant.now().toString());
            if (o.examples().channels() != ChannelChoice.ALL)
                provenance.put("channels", o.examples().channels().option());
            if (!o.examples().augmentation().equals(BoxAugmentation.BASIC))
                provenance.put("augmentation", o.examples().augmentation().option());
            TrainingRun<AnnotatedImage> run = TrainingRun.of(data, o.config())
                    .withCheckpoints(out.checkpoints())
                    .withCancel(cancel)
                    .withListener(out.recording(listener, log))
                    .withProvenance(provenance);
            DetectorTrainer.Result r;
            if (start.model() != null) {
                if (start.spec().kind() != o.network().kind())
                    log.accept(
                            "the model to fine-tune is a " + start.spec().kind().option() + " detector; it stays one");
                r = DetectorTrainer.fineTune(
                        run, start.model(), start.spec(), o.examples().augmentation(), log);
            } else if (o.network().kind() == DetectorKind.ONE_STAGE) {
                if (o.network().masks() != null)
                    throw new IllegalArgumentException(
                            "masks (--masks) come with the two-stage detector; leave out --architecture one-stage");
                r = DetectorTrainer.trainOneStage(
                        run, oneStage(data, classes, log), o.examples().augmentation());
            } else {
                r = DetectorTrainer.train(
                        run,
                        twoStage(data, classes, o, log),
                        o.network().masks(),
                        o.examples().augmentation(),
                        log);
            }
            return finish(r, scale, output, log);
        }
    }

    /** A one-stage detector sized from the training boxes (its tiles' overlap from the largest). */
    private static OneStageConfig oneStage(List<AnnotatedImage> data, List<String> classes, Consumer<String> log) {
        float[] split = OneStageConfig.fromBoxes(data);
        log.accept(String.format(
                Locale.ROOT,
                "one-stage detector: objects up to %.0f px learnt at stride 8, larger at 16; largest box %.0f px",
                2 * split[0],
                split[1]));
        return OneStageConfig.defaults(data.get(0).channels().length, classes, split[0], split[1]);
    }

    /** A two-stage detector with the anchors asked for, or chosen from the boxes. */
    private static DetectorConfig twoStage(
            List<AnnotatedImage> data, List<String> classes, Options o, Consumer<String> log) {
        DetectorConfig d = DetectorConfig.defaults(data.get(0).channels().length, classes);
        float[] anchors = o.network().anchorSizes();
        if (anchors == null) {
            anchors = AnchorChoice.fromBoxes(data);
            log.accept("anchor sizes from the training boxes: " + Arrays.toString(anchors)
                    + " px (choose others with --anchors / anchors=)");
        }
        return anchors == null
                ? d
                : new DetectorConfig(
                        d.inputChannels(), classes, d.widths(), anchors, d.aspectRatios(), d.roiSize(), d.hidden());
    }

    private static DetectorTrainer.Result finish(
            DetectorTrainer.Result r, double scale, Path output, Consumer<String> log) throws IOException {
        ObjectDetector.save(r.model(), r.spec().withHead(output).withImageScale(scale), output);
        if (r.diverged() != null)
            log.accept("training stopped: " + r.diverged() + " (--resume --lr X, or resume=true in Fiji)");
        log.accept(String.format(
                Locale.ROOT,
                "%s after %d epoch(s)%s%s; model: %s",
                r.outcome().bestScore(),
                r.epochsRun(),
                r.stoppedEarly() ? " (stopped early)" : "",
                r.cancelled() ? " (cancelled; best model kept)" : "",
                output));
        return r;
    }

    /** Images with their boxes (classes as indices into {@code classes}); each slice of a stack is one sample (ROIs at position p go to slice p, position 0 to all). */
    public static List<AnnotatedImage> load(Path images, Path rois, List<String> classes) throws IOException {
        return annotate(
                pairs(images, boxesFolder(images, rois), BoxAnnotations.Format.AUTO, System.err::println),
                classes,
                ChannelChoice.ALL);
    }

    /**
     * Where the boxes are when none was given ({@code rois} null): beside the images, or a VOC dataset's Annotations
     * folder beside its JPEGImages.
     */
    static Path boxesFolder(Path images, Path rois) {
        if (rois != null) return rois;
        if (!Files.isDirectory(images)) return images.toAbsolutePath().getParent();
        Path voc = ImageFiles.vocAnnotations(images);
        return voc != null ? voc : images;
    }

    /** An image file, where its boxes came from and the boxes as ROIs (read once: they also give the class names). */
    private record Annotated(Path image, Path roiFile, List<Roi> rois) {}

    private static List<Annotated> pairs(Path images, Path rois, BoxAnnotations.Format format, Consumer<String> log)
            throws IOException {
        List<Annotated> out = new ArrayList<>();
        BoxAnnotations annotations = new BoxAnnotations(rois, format, log);
        boolean roiFiles = format == BoxAnnotations.Format.AUTO || format == BoxAnnotations.Format.ROIS,
                labelImages = format == BoxAnnotations.Format.AUTO || format == BoxAnnotations.Format.LABELS;
        for (Path image : ImageFiles.list(images)) {
            Path roiFile = roiFiles ? RoiZips.forImage(image, rois) : null;
            String base = ImageFiles.baseName(image);
            // label images named as tools name them (X-labels.tif, Cellpose's X_masks.png or X_seg.npy, ilastik's
            // X_Object Identities.h5, …) in the boxes folder
            Path labels = ImageFiles.labelImage(rois.resolve(image.getFileName().toString()), null);
            if (roiFile != null) {
                out.add(new Annotated(image, roiFile, RoiZips.read(roiFile)));
                continue;
            }
            if (labelImages && Files.exists(labels)) {
                out.add(new Annotated(image, labels, roisOfLabels(labels)));
                continue;
            }
            BoxAnnotations.Found found = null;
            if (format != BoxAnnotations.Format.ROIS && format != BoxAnnotations.Format.LABELS) {
                int[] size = Tiffs.size(image);
                found = annotations.forImage(image, size[0], size[1]);
            }
            if (found == null) {
                throw new IOException("no boxes for " + image.getFileName() + " in " + rois + ": looked for "
                        + (roiFiles ? base + ".zip (ROI Manager), " : "")
                        + (labelImages ? labels.getFileName() + ", " : "")
                        + annotations.lookedFor(image)
                        + "; annotate it (ROI Manager › More › Save…, or labelImg/CVAT/Roboflow) or move it out");
            }
            out.add(new Annotated(image, found.file(), found.rois()));
        }
        return out;
    }

    /** The objects of an instance label image as ROIs of one class, "object" (each slice's at its position). */
    private static List<Roi> roisOfLabels(Path file) throws IOException {
        ImagePlus lab = LabelImages.open(file);
        List<Roi> out = new ArrayList<>();
        int slices = lab.getStackSize();
        for (int s = 1; s <= slices; s++) {
            ImageProcessor ip = lab.getStack().getProcessor(s);
            int[] ids = new int[ip.getPixelCount()];
            for (int i = 0; i < ids.length; i++) ids[i] = (int) ip.getf(i);
            for (Roi roi : LabelResults.rois(ids, lab.getWidth(), lab.getHeight(), slices > 1 ? s : 0)) {
                roi.setName("object-" + (out.size() + 1));
                out.add(roi);
            }
        }
        return out;
    }

    private static List<AnnotatedImage> annotate(List<Annotated> pairs, List<String> classes, ChannelChoice channels)
            throws IOException {
        List<AnnotatedImage> out = new ArrayList<>();
        for (Annotated a : pairs)
            out.addAll(annotated(
                    channels.apply(
                            Tiffs.open(a.image()), a.image().getFileName().toString()),
                    a.rois(),
                    classes,
                    a.image().getFileName().toString(),
                    a.roiFile()));
        return out;
    }

    /** One sample per slice; ROIs at position p belong to slice p, ROIs without a position to every slice. */
    static List<AnnotatedImage> annotated(
            ImagePlus imp, List<Roi> all, List<String> classes, String name, Path roiSource) {
        List<AnnotatedImage> out = new ArrayList<>();
        int slices = Planes.positions(imp);
        for (int s = 1; s <= slices; s++) {
            float[][] planes = Planes.of(imp, s - 1);
            List<Roi> here = new ArrayList<>();
            for (Roi roi : all) if (LabelResults.onSlice(roi, s)) here.add(roi);
            List<float[]> boxes = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            for (Roi roi : here) {
                ids.add(classIndex(roi, classes, roiSource));
                boxes.add(DetectFiles.box(roi));
            }
            float[] flat = new float[4 * boxes.size()];
            int[] cls = new int[ids.size()];
            for (int i = 0; i < cls.length; i++) {
                System.arraycopy(boxes.get(i), 0, flat, 4 * i, 4);
                cls[i] = ids.get(i);
            }
            out.add(new AnnotatedImage(
                    name + (slices > 1 ? " slice " + s : ""),
                    planes,
                    imp.getWidth(),
                    imp.getHeight(),
                    flat,
                    cls,
                    outlines(here, s, imp.getWidth(), imp.getHeight())));
        }
        return out;
    }

    /**
     * The slice's ROIs as an instance label map (ROI i of those on {@code slice} as i + 1; where ROIs overlap the
     * later one wins), for a mask head; null when every ROI is a plain rectangle (boxes, not outlines).
     */
    static int[] outlines(List<Roi> rois, int slice, int width, int height) {
        List<Roi> here = new ArrayList<>();
        for (Roi roi : rois) if (LabelResults.onSlice(roi, slice)) here.add(roi);
        if (here.stream().allMatch(r -> r.getMask() == null)) return null;
        FloatProcessor ip = new FloatProcessor(width, height); // ids exact up to 2^24, beyond a 16-bit image's
        LabelResults.paint(ip, here, slice);
        int[] labels = new int[width * height];
        for (int i = 0; i < labels.length; i++) labels[i] = (int) ip.getf(i);
        return labels;
    }

    /** The class names the ROIs carry, sorted; "object" when none names a class. */
    static List<String> classesOf(List<Roi> rois) {
        TreeSet<String> names = new TreeSet<>();
        boolean unnamed = false;
        for (Roi roi : rois) {
            String c = DetectFiles.classOf(roi);
            if (c == null) unnamed = true;
            else names.add(c);
        }
        if (names.isEmpty()) return List.of("object");
        if (unnamed) {
            throw new IllegalArgumentException(
                    "train-det: some ROIs name a class " + names + " and some name none; rename every ROI by its class"
                            + " (e.g. \"" + names.first() + "\") or give classes=... explicitly");
        }
        return List.copyOf(names);
    }

    private static int classIndex(Roi roi, List<String> classes, Path file) {
        String c = DetectFiles.classOf(roi);
        if (c == null && classes.size() == 1) return 0;
        int i = c == null ? -1 : classes.indexOf(c);
        if (i < 0) {
            throw new IllegalArgumentException(file.getFileName() + ": ROI \"" + roi.getName() + "\" has class \"" + c
                    + "\", which is not one of " + classes + "; rename the ROI or add the class");
        }
        return i;
    }

    /** Where a training's messages go: its listener, or standard error. */
    private static Consumer<String> logOf(TrainingListener listener) {
        return listener == null ? System.err::println : listener::log;
    }
}
