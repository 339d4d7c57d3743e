package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.cnnj.io.ImageFiles;
import org.cnnj.io.Manifest;
import org.cnnj.seg.LabeledImage;
import org.cnnj.seg.SegmentationTask;
import org.cnnj.seg.SegmentationTrainer;
import org.cnnj.seg.Segmenter;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingListener;
import org.cnnj.train.TrainingOutput;
import org.cnnj.train.TrainingRun;

/**
 * Trains a segmentation U-Net from image files: pairs image X.tif with X.tif in a labels folder, or
 * with X-labels.tif beside it (stacks give one sample per slice), trains with {@link SegmentationTrainer},
 * and writes M.onnx + M.json, M-training.csv and checkpoints in M-checkpoints/. The command line
 * (`./cnnj train-seg`) and the Fiji command (Plugins › CNN-J › Training › Train Segmentation on Folder…) are thin layers over this.
 */
public final class TrainSegmentationFiles {
    private TrainSegmentationFiles() {}

    /**
     * Everything a training run needs: the images (a folder, or a list of folders) and their labels (null: beside
     * them), the model to write, images to validate on (null: a share of the training images), the schedule, the
     * recipe (task, network, augmentation, a model to start from), whether to resume, and the command line recorded in
     * the sidecar.
     */
    public record Options(
            Path images,
            Path labels,
            Path output,
            Path validation,
            TrainConfig config,
            SegmentationTrainer.Recipe recipe,
            boolean resume,
            String commandLine,
            ChannelChoice channels,
            BoxAnnotations.Format annotations) {
        public Options {
            channels = channels == null ? ChannelChoice.ALL : channels;
            annotations = annotations == null ? BoxAnnotations.Format.AUTO : annotations;
        }

        /** The defaults of the schedule and the recipe; labels beside the images. */
        public static Options of(Path images, Path output) {
            return new Options(
                    images,
                    null,
                    output,
                    null,
                    TrainConfig.defaults(),
                    SegmentationTrainer.Recipe.defaults(),
                    false,
                    "",
                    ChannelChoice.ALL,
                    BoxAnnotations.Format.AUTO);
        }

        public Options withLabels(Path folder) {
            return new Options(
                    images, folder, output, validation, config, recipe, resume, commandLine, channels, annotations);
        }

        public Options withValidationImages(Path imagesOrList) {
            return new Options(
                    images, labels, output, imagesOrList, config, recipe, resume, commandLine, channels, annotations);
        }

        public Options withConfig(TrainConfig c) {
            return new Options(
                    images, labels, output, validation, c, recipe, resume, commandLine, channels, annotations);
        }

        public Options withRecipe(SegmentationTrainer.Recipe r) {
            return new Options(
                    images, labels, output, validation, config, r, resume, commandLine, channels, annotations);
        }

        public Options withResume(boolean continueTraining) {
            return new Options(
                    images,
                    labels,
                    output,
                    validation,
                    config,
                    recipe,
                    continueTraining,
                    commandLine,
                    channels,
                    annotations);
        }

        public Options withCommandLine(String line) {
            return new Options(images, labels, output, validation, config, recipe, resume, line, channels, annotations);
        }

        /** The same options giving the network only these channels of each image, in this order. */
        public Options withChannels(ChannelChoice c) {
            return new Options(images, labels, output, validation, config, recipe, resume, commandLine, c, annotations);
        }

        /** Where the outlines are: AUTO (whichever each image has), or one format (geojson-nuclei: QuPath's nuclei). */
        public Options withAnnotations(BoxAnnotations.Format f) {
            return new Options(images, labels, output, validation, config, recipe, resume, commandLine, channels, f);
        }
    }

    public static SegmentationTrainer.Result train(Options o, AtomicBoolean cancel, TrainingListener listener)
            throws IOException {
        checkOutput(o.output());
        Consumer<String> log = listener == null ? System.err::println : listener::log;
        log.accept("reading the training images in " + o.images() + "...");
        List<LabeledImage> data = load(o);
        String what = describe(data, o.images());
        log.accept(what + "; preparing patches (rescaling to one object size), then training...");
        return train(data, what, o, cancel, listener);
    }

    /** The training samples {@code o} names (images, labels, channels, annotations), read as training reads them. */
    public static List<LabeledImage> load(Options o) throws IOException {
        return load(o.images(), o.labels(), Reading.of(o));
    }

    /**
     * Trains on one open image (each slice a sample) whose objects are ROIs (ROI Manager or zip): each ROI becomes one
     * object (instances), or paints its class (semantic: the ROI's class among the recipe's classes).
     */
    public static SegmentationTrainer.Result trainOnImage(
            ImagePlus image, List<Roi> rois, Options o, AtomicBoolean cancel, TrainingListener listener)
            throws IOException {
        if (rois.isEmpty())
            throw new IllegalArgumentException(
                    "there are no ROIs to learn from; outline objects and add them to the ROI Manager (t)");
        ImagePlus labels = labelsOf(rois, semanticClasses(o.recipe()), image, Path.of("ROIs"));
        return train(
                samples(image, labels, image.getTitle(), Path.of("ROIs")),
                "image " + image.getTitle() + " with " + rois.size() + " ROIs",
                o,
                cancel,
                listener);
    }

    private static void checkOutput(Path output) {
        if (!output.getFileName().toString().endsWith(".onnx"))
            throw new IllegalArgumentException("train: the output must name a .onnx file, got " + output);
    }

    private static SegmentationTrainer.Result train(
            List<LabeledImage> data, String source, Options o, AtomicBoolean cancel, TrainingListener listener)
            throws IOException {
        Path output = o.output();
        checkOutput(output);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("command", o.commandLine());
        provenance.put("images", source);
        provenance.put("date", Instant.now().toString());
        if (o.channels() != ChannelChoice.ALL)
            provenance.put("channels", o.channels().option());
        SegmentationTrainer.Result r;
        try (TrainingOutput out =
                TrainingOutput.open(output, o.resume(), "epoch,train_loss,validation_score,seconds", "train")) {
            TrainingListener progress = out.recording(listener, System.err::println);
            TrainingRun<LabeledImage> run = TrainingRun.of(data, o.config())
                    .withCheckpoints(out.checkpoints())
                    .withCancel(cancel)
                    .withListener(progress)
                    .withProvenance(provenance);
            if (o.validation() != null) {
                List<LabeledImage> held = load(o.validation(), null, Reading.of(o));
                provenance.put("validation", describe(held, o.validation()));
                run = run.validatedOn(held);
            }
            r = SegmentationTrainer.train(run, o.recipe());
            Segmenter.save(r.model(), r.spec(), o.config().patch(), output);
        }
        if (r.diverged() != null)
            System.err.println("training stopped: " + r.diverged() + " (--resume --lr X, or Resume in Fiji)");
        System.out.printf(
                Locale.ROOT,
                "%s after %d epoch(s)%s%s; model: %s%n",
                r.outcome().bestScore(),
                r.epochsRun(),
                r.stoppedEarly() ? " (stopped early)" : "",
                r.cancelled() ? " (cancelled; best model kept)" : "",
                output);
        return r;
    }

    /**
     * Image/label pairs; each slice of a stack is one sample. {@code images} is a folder, or a text file listing
     * folders (one per line, relative to the file; {@code exclude GLOB} leaves out images whose names match, {@code #}
     * starts a comment). Each folder is one source of images, unless it holds a {@code manifest.csv} with {@code name}
     * and {@code source} columns, which says each image's source.
     */
    public static List<LabeledImage> load(Path images, Path labels) throws IOException {
        return load(images, labels, ChannelChoice.ALL);
    }

    /** {@link #load(Path, Path)} giving the network only {@code channels} of each image, in that order. */
    public static List<LabeledImage> load(Path images, Path labels, ChannelChoice channels) throws IOException {
        return load(images, labels, channels, null);
    }

    /**
     * {@link #load(Path, Path, ChannelChoice)} for a semantic task when {@code semanticClasses} is not null: outlines
     * (ROI zips, annotation tools' files) paint their class's index in it instead of one object id each.
     */
    public static List<LabeledImage> load(
            Path images, Path labels, ChannelChoice channels, List<String> semanticClasses) throws IOException {
        return load(images, labels, new Reading(channels, semanticClasses, BoxAnnotations.Format.AUTO));
    }

    /**
     * How labels are read: the channels the network gets, the class names outlines paint for a semantic task (null for
     * instances) and where the outlines are.
     */
    private record Reading(ChannelChoice channels, List<String> semanticClasses, BoxAnnotations.Format annotations) {
        static Reading of(Options o) {
            return new Reading(o.channels(), TrainSegmentationFiles.semanticClasses(o.recipe()), o.annotations());
        }
    }

    private static List<LabeledImage> load(Path images, Path labels, Reading r) throws IOException {
        if (Files.isRegularFile(images)) return loadList(images, labels, r);
        return loadFolder(images, labels, List.of(), r);
    }

    /** The class names outlines paint for a semantic recipe (empty when it names none); null for instances. */
    private static List<String> semanticClasses(SegmentationTrainer.Recipe recipe) {
        if (recipe.task() != SegmentationTask.SEMANTIC) return null;
        return recipe.classes() == null ? List.of() : recipe.classes();
    }

    /** "N samples from SOURCE (k images), …". */
    static String describe(List<LabeledImage> data, Path from) {
        Map<String, Integer> bySource = new LinkedHashMap<>();
        for (LabeledImage d : data) bySource.merge(d.source(), 1, Integer::sum);
        if (bySource.size() < 2) return data.size() + " samples from " + from;
        List<String> parts = new ArrayList<>();
        bySource.forEach((source, n) -> parts.add(source + " " + n));
        return data.size() + " samples from " + from + " (" + String.join(", ", parts) + ")";
    }

    private static List<LabeledImage> loadList(Path list, Path labels, Reading r) throws IOException {
        List<Path> folders = new ArrayList<>();
        List<PathMatcher> excluded = new ArrayList<>();
        int n = 0;
        for (String raw : Files.readAllLines(list)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("exclude ")) {
                excluded.add(FileSystems.getDefault()
                        .getPathMatcher("glob:" + line.substring(8).strip()));
                continue;
            }
            Path folder = list.toAbsolutePath().getParent().resolve(line).normalize();
            if (!Files.isDirectory(folder)) {
                throw new IOException(list.getFileName() + " line " + n + ": " + line + " is not a folder (" + folder
                        + "); list folders of images, one per line, relative to the list");
            }
            folders.add(folder);
        }
        if (folders.isEmpty())
            throw new IOException(list + " lists no image folders; write one folder per line (relative to the file)");
        List<LabeledImage> out = new ArrayList<>();
        for (Path folder : folders) out.addAll(loadFolder(folder, labels, excluded, r));
        return out;
    }

    private static List<LabeledImage> loadFolder(Path images, Path labels, List<PathMatcher> excluded, Reading r)
            throws IOException {
        if (!Files.isDirectory(images)) throw new IOException("training images folder " + images + " does not exist");
        List<Path> files;
        try (Stream<Path> s = Files.list(images)) {
            files = s.filter(ImageFiles::isImage) // TIFF, and PNG/JPEG as QuPath and annotation tools export tiles
                    .filter(p -> excluded.stream().noneMatch(m -> m.matches(p.getFileName())))
                    .sorted()
                    .toList();
        }
        Map<String, String> sources = Manifest.sources(images);
        String folderSource = Manifest.folderSource(images);
        List<LabeledImage> out = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Exception first = null;
        for (Path image : files) {
            try {
                String source = sources.getOrDefault(ImageFiles.baseName(image), folderSource);
                for (LabeledImage d : pair(image, labels, r)) out.add(d.from(source));
            } catch (IOException | IllegalArgumentException e) {
                if (first == null) first = e;
                failures.add(image.getFileName() + " (" + e.getMessage() + ")");
            }
        }
        if (out.isEmpty() && first instanceof IOException io) throw io;
        if (out.isEmpty() && first instanceof IllegalArgumentException bad) throw bad;
        if (!failures.isEmpty()) {
            // One bad pair among many should not cost the run: train on the rest, and say which were left out and why.
            System.err.println("warning: training data: " + failures.size() + " of " + files.size()
                    + " image(s) left out: " + String.join("; ", failures));
        }
        if (out.isEmpty()) throw new IOException("no images (.tif, .png, .jpg, .h5) in " + images);
        return out;
    }

    /**
     * The object labels of {@code image}'s first plane as training reads them — its label image, ROI zip or an
     * annotation tool's outlines beside it — or null when it has none (or boxes only): ground truth for measuring a
     * model.
     */
    public static int[] objectLabels(Path image) throws IOException {
        return objectLabels(image, BoxAnnotations.Format.AUTO);
    }

    /** The same from one kind of labels only ({@code format}: label images, ROI zips, geojson-nuclei, …). */
    public static int[] objectLabels(Path image, BoxAnnotations.Format format) throws IOException {
        String name = image.getFileName().toString();
        ImagePlus img = Tiffs.open(image);
        Labels l = labels(image, img, null, new Reading(ChannelChoice.ALL, null, format));
        return l == null || l.boxesOnly() ? null : samples(img, l, name).get(0).labels();
    }

    /** The samples of one image file with its labels (a label image, a ROI zip or outlines beside it). */
    private static List<LabeledImage> pair(Path image, Path labels, Reading r) throws IOException {
        String name = image.getFileName().toString();
        ImagePlus img = r.channels().apply(Tiffs.open(image), name);
        Labels l = labels(image, img, labels, r);
        if (l == null) {
            Path folder = folderOf(image, labels);
            throw new IOException("no labels for " + name + " in " + folder + ": looked for "
                    + ImageFiles.labelImage(image, labels).getFileName() + ", a ROI zip " + ImageFiles.baseName(image)
                    + ".zip, or outlines: "
                    + new BoxAnnotations(folder, r.annotations(), line -> {}).lookedFor(image));
        }
        if (l.image() == null) {
            throw new IllegalArgumentException(l.file().getFileName() + " holds boxes, not outlines: a segmentation"
                    + " model learns each object's outline; draw outlines (QuPath, labelme, CVAT or Roboflow polygons,"
                    + " the ROI Manager) or train a detector on these boxes (train-det)");
        }
        return samples(img, l, name);
    }

    /**
     * An image's labels (null where a file holds boxes, which are not outlines), the file they came from and whether
     * that file holds boxes only.
     */
    private record Labels(ImagePlus image, Path file, boolean boxesOnly) {}

    /**
     * {@code image}'s labels: its label image, else its outlines drawn (the ROI Manager's X.zip, or an annotation tool's
     * outlines: QuPath's X.geojson, labelme's X.json, a COCO, VIA or Label Studio .json, CVAT's annotations.xml,
     * YOLO-seg — {@link BoxAnnotations}), as {@code r} asks; a file of boxes alone is flagged, not drawn; null when
     * there is none of them.
     */
    private static Labels labels(Path image, ImagePlus img, Path labels, Reading r) throws IOException {
        BoxAnnotations.Format format = r.annotations();
        boolean auto = format == BoxAnnotations.Format.AUTO;
        Path label = ImageFiles.labelImage(image, labels);
        if ((auto || format == BoxAnnotations.Format.LABELS) && Files.exists(label))
            return new Labels(LabelImages.open(label), label, false);
        Path folder = folderOf(image, labels);
        Path zip = auto || format == BoxAnnotations.Format.ROIS ? RoiZips.forImage(image, folder) : null;
        if (zip != null) return new Labels(labelsOf(RoiZips.read(zip), r.semanticClasses(), img, zip), zip, false);
        if (format == BoxAnnotations.Format.LABELS || format == BoxAnnotations.Format.ROIS) return null;
        BoxAnnotations.Found found = new BoxAnnotations(folder, format, System.err::println)
                .forImage(image, img.getWidth(), img.getHeight());
        if (found == null) return null;
        boolean boxes = found.boxesOnly(); // boxes are not drawn as objects; an empty file is drawn (no objects)
        ImagePlus drawn = boxes && !found.rois().isEmpty()
                ? null
                : labelsOf(found.rois(), r.semanticClasses(), img, found.file());
        return new Labels(drawn, found.file(), boxes);
    }

    /** Where an image's labels are: the labels folder, else the image's own. */
    private static Path folderOf(Path image, Path labels) {
        return labels != null ? labels : image.toAbsolutePath().getParent();
    }

    /** One sample per slice of {@code img} with its labels, checked to match it (size, whole numbers, slices). */
    private static List<LabeledImage> samples(ImagePlus img, Labels l, String name) {
        ImagePlus lab = l.image();
        if (img.getWidth() != lab.getWidth() || img.getHeight() != lab.getHeight()) {
            throw new IllegalArgumentException(
                    name + " is " + img.getWidth() + "x" + img.getHeight() + " but its label image is " + lab.getWidth()
                            + "x" + lab.getHeight() + "; they must match pixel for pixel");
        }
        if (lab.getBitDepth() == 24)
            throw new IllegalArgumentException(
                    l.file().getFileName() + " is RGB; label images must be 8-, 16- or 32-bit integers");
        int positions = Planes.positions(img);
        if (lab.getStackSize() != positions) {
            throw new IllegalArgumentException(
                    name + " has " + positions + " slice(s) but its label image " + lab.getStackSize());
        }
        return samples(img, lab, name, l.file());
    }

    /**
     * The label image outlines give {@code image}: one object id per outline, or for a semantic task (classes not null)
     * each outline's class index among {@code classes} — index 0 where no outline is, later outlines over earlier ones
     * (QuPath exports a region before the annotations inside it).
     */
    private static ImagePlus labelsOf(List<Roi> rois, List<String> classes, ImagePlus image, Path file) {
        int w = image.getWidth(), h = image.getHeight(), slices = Planes.positions(image);
        if (classes == null) return LabelResults.rasterize(withoutRegions(rois, file), w, h, slices);
        if (classes.isEmpty())
            throw new IllegalArgumentException("semantic training from outlines (" + file.getFileName() + ") needs the"
                    + " class names in order, the first for what no outline covers: give classes (e.g. --classes"
                    + " background,Tumor,Stroma)");
        ImageStack stack = new ImageStack(w, h);
        for (int s = 1; s <= slices; s++) {
            ShortProcessor ip = new ShortProcessor(w, h);
            for (Roi roi : rois) {
                if (!LabelResults.onSlice(roi, s)) continue;
                String c = DetectFiles.classOf(roi);
                int index = c == null ? -1 : classes.indexOf(c);
                if (index < 0)
                    throw new IllegalArgumentException(file.getFileName() + ": outline \"" + roi.getName() + "\" has "
                            + (c == null ? "no class" : "the class \"" + c + "\"") + ", which is not one of "
                            + classes + "; name its class in the annotation tool or add it to the classes");
                ip.setValue(index);
                ip.fill(roi);
            }
            stack.addSlice(ip);
        }
        return new ImagePlus("classes", stack);
    }

    /**
     * The outlines less those that hold two or more others' centres: an annotated region with its objects inside
     * (QuPath's parent annotation around its detections), not an object — as one it would cover every pixel around the
     * objects. Warned, with the fix.
     */
    private static List<Roi> withoutRegions(List<Roi> rois, Path file) {
        double[][] centres = new double[rois.size()][];
        for (int i = 0; i < centres.length; i++) centres[i] = rois.get(i).getContourCentroid();
        List<Roi> out = new ArrayList<>();
        for (Roi r : rois) {
            var bounds = r.getFloatBounds(); // a cheap test first: thousands of outlines are common
            int inside = 0;
            for (int i = 0; i < centres.length && inside < 2; i++) {
                Roi other = rois.get(i);
                if (other == r || other.getPosition() != r.getPosition()) continue;
                if (bounds.contains(centres[i][0], centres[i][1]) && r.containsPoint(centres[i][0], centres[i][1]))
                    inside++;
            }
            if (inside < 2) out.add(r);
            else
                System.err.println("warning: " + file.getFileName() + ": outline \"" + r.getName() + "\" holds other"
                        + " outlines (an annotated region around its objects); not taken as an object (export only the"
                        + " objects, or use --task semantic for regions)");
        }
        return out;
    }

    /** One sample per slice/frame of {@code image}, labelled by the same slice of {@code labels} (read from {@code labelSource}). */
    private static List<LabeledImage> samples(ImagePlus image, ImagePlus labels, String name, Path labelSource) {
        int positions = Planes.positions(image);
        List<LabeledImage> out = new ArrayList<>();
        for (int p = 0; p < positions; p++) {
            out.add(new LabeledImage(
                    name + (positions > 1 ? " slice " + (p + 1) : ""),
                    Planes.of(image, p),
                    labelsOf(labels.getStack().getProcessor(p + 1), labelSource),
                    image.getWidth(),
                    image.getHeight()));
        }
        return out;
    }

    private static int[] labelsOf(ImageProcessor ip, Path file) {
        int[] out = new int[ip.getPixelCount()];
        for (int i = 0; i < out.length; i++) {
            float v = ip.getf(i);
            if (v != Math.rint(v) || v < 0) {
                throw new IllegalArgumentException(file.getFileName() + " has the value " + v + " at pixel " + i
                        + "; label images must hold whole numbers >= 0 (0 = background)");
            }
            out[i] = (int) v;
        }
        return out;
    }
}
