package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.cls.ClassifierSpec;
import org.cnnj.cls.ConfusionMatrix;
import org.cnnj.cls.ImageClassifier;
import org.cnnj.io.AtomicFiles;
import org.cnnj.io.Batch;
import org.cnnj.io.FolderLock;
import org.cnnj.io.ImageFiles;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.EngineKind;

/**
 * Applies a classifier to files: every image (each slice of a stack) of a file or folder → classes.csv (file, slice,
 * class, probability of each class); a folder of class subfolders is also scored (accuracy, confusion.csv); with ROI
 * zips, each ROI is classified → rois.zip renamed and coloured by class, classes.csv per ROI, counts per class; with
 * {@code dense}, a class-probability map per image (one slice per class).
 */
public final class ClassifyFiles {
    /**
     * @param input  an image, a folder of images, or a folder of class subfolders (then also scored)
     * @param rois   classify the ROIs of each image (ROI zips in this folder, or beside the images when it is the
     *               input folder itself), or null to classify whole images
     * @param output folder for classes.csv (and rois.zip, confusion.csv, NAME-classes.tif)
     */
    public record Options(
            Path model,
            Path input,
            Path rois,
            Path output,
            EngineKind engine,
            Device device,
            int threads,
            boolean dense,
            ChannelChoice channels) {
        public Options {
            channels = channels == null ? ChannelChoice.ALL : channels;
        }

        /** ONNX Runtime on the best device, all cores, crops only (no dense class maps). */
        public static Options of(Path model, Path input, Path output) {
            return new Options(model, input, null, output, EngineKind.ORT, Device.AUTO, 0, false, ChannelChoice.ALL);
        }

        /** The same options giving the classifier only these channels of each image, in this order. */
        public Options withChannels(ChannelChoice c) {
            return new Options(model, input, rois, output, engine, device, threads, dense, c);
        }

        /** An image file with the channels these options take. */
        ImagePlus open(Path file) throws IOException {
            return channels.apply(Tiffs.open(file), file.getFileName().toString());
        }

        /** ROI zips (NAME.zip) in {@code folder} to classify instead of whole crops. */
        public Options withRois(Path folder) {
            return new Options(model, input, folder, output, engine, device, threads, dense, channels);
        }

        public Options withEngine(EngineKind e, Device d, int t) {
            return new Options(model, input, rois, output, e, d, t, dense, channels);
        }

        /** Also a class map of each whole image (the classifier's dense graph). */
        public Options withDense(boolean maps) {
            return new Options(model, input, rois, output, engine, device, threads, maps, channels);
        }
    }

    /** What a run found: rows written, crops per class, and the accuracy when the truth was known (else NaN). */
    public record Summary(int classified, Map<String, Integer> counts, double accuracy) {
        public String describe() {
            StringBuilder sb = new StringBuilder(classified + " classified");
            counts.forEach((k, v) -> sb.append(", ").append(k).append(' ').append(v));
            if (!Double.isNaN(accuracy)) sb.append(String.format(Locale.ROOT, "; accuracy %.4f", accuracy));
            return sb.toString();
        }
    }

    /** The colours of classes 1, 2, … in ROI overlays (then repeating). */
    static final Color[] COLOURS = {
        Color.YELLOW, Color.CYAN, Color.MAGENTA, Color.GREEN, Color.ORANGE, Color.RED, Color.BLUE, Color.PINK
    };

    private ClassifyFiles() {}

    /**
     * The classifier opened once for many files, each classified into its own folder: classes.csv (one row per slice)
     * and, with {@code dense}, the class map; what a Spark executor keeps for the images it is given ({@code ./cnnj spark
     * classify}). Returns per file the rows written.
     */
    public static Batch.Worker open(Options o, Consumer<String> log) throws IOException {
        ImageClassifier c = ImageClassifier.open(o.model(), o.engine(), o.device(), o.threads(), log);
        log.accept("engine: " + c.describe());
        return Batch.Worker.of(
                (file, dir) -> {
                    String name = file.getFileName().toString();
                    ImagePlus imp = o.open(file);
                    List<ImageClassifier.Prediction> found = classifyImage(c, imp, name);
                    Table table = new Table(c.spec(), "file", "slice");
                    for (int p = 0; p < found.size(); p++)
                        table.add(List.of(name, String.valueOf(p + 1)), found.get(p));
                    AtomicFiles.createFolder(dir);
                    table.write(dir.resolve("classes.csv"));
                    if (o.dense()) denseMap(c, imp, dir.resolve(ImageFiles.baseName(file) + "-classes.tif"));
                    return found.size();
                },
                c::close);
    }

    public static Summary classify(Options o, Consumer<String> log) throws IOException {
        try (ImageClassifier c = ImageClassifier.open(o.model(), o.engine(), o.device(), o.threads(), log);
                FolderLock lock = FolderLock.of(o.output(), "classify")) {
            ClassifierSpec spec = c.spec();
            if (o.rois() != null) return classifyRoiFiles(c, o, log);
            List<Path> classFolders = Files.isDirectory(o.input()) ? ClassifierCrops.subfolders(o.input()) : List.of();
            boolean scored = !classFolders.isEmpty();
            List<Path> files = new ArrayList<>();
            List<String> truths = new ArrayList<>();
            if (scored) {
                for (Path f : classFolders) {
                    String cls = f.getFileName().toString();
                    if (!spec.classes().contains(cls)) {
                        throw new IllegalArgumentException("class folder \"" + cls + "\" of " + o.input() + " is not a"
                                + " class the model knows " + spec.classes() + "; rename or remove it");
                    }
                    for (Path image : ImageFiles.list(f)) {
                        files.add(image);
                        truths.add(cls);
                    }
                }
            } else {
                files.addAll(ImageFiles.list(o.input()));
            }
            Table table = new Table(spec, "file", "slice");
            ConfusionMatrix confusion = new ConfusionMatrix(spec.classes());
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                String name = scored
                        ? file.getParent().getFileName() + "/" + file.getFileName()
                        : file.getFileName().toString();
                try {
                    ImagePlus imp = o.open(file);
                    List<ImageClassifier.Prediction> found = classifyImage(c, imp, name);
                    for (int p = 0; p < found.size(); p++) {
                        table.add(List.of(name, String.valueOf(p + 1)), found.get(p));
                        if (scored)
                            confusion.add(
                                    spec.classes().indexOf(truths.get(i)),
                                    found.get(p).label());
                    }
                    if (o.dense()) denseMap(c, imp, o.output().resolve(ImageFiles.baseName(file) + "-classes.tif"));
                } catch (IOException | IllegalArgumentException e) {
                    // One bad file costs only itself, as in segment and detect; the summary names it.
                    failures.add(name + " (" + e.getMessage() + ")");
                    log.accept("classify: " + name + " failed: " + e.getMessage());
                }
            }
            if (failures.size() == files.size())
                throw new IOException("classify: no file could be classified: " + String.join("; ", failures));
            table.write(o.output().resolve("classes.csv"));
            if (scored) {
                String csv = confusion.csv();
                AtomicFiles.write(
                        o.output().resolve("confusion.csv"), w -> w.write(csv.getBytes(StandardCharsets.UTF_8)));
            }
            Summary summary = table.summary(scored ? confusion.accuracy() : Double.NaN);
            if (!failures.isEmpty())
                throw new IOException("classify: " + files.size() + " files, " + (files.size() - failures.size())
                        + " done (classes.csv written), " + failures.size() + " failed: "
                        + String.join("; ", failures));
            return summary;
        }
    }

    /** Each slice of an image as one crop (its channels checked against the classifier's). */
    private static List<ImageClassifier.Prediction> classifyImage(ImageClassifier c, ImagePlus imp, String name) {
        checkChannels(imp, c.spec(), name);
        List<float[][]> planes = new ArrayList<>();
        for (int p = 0; p < Planes.positions(imp); p++) planes.add(Planes.of(imp, p));
        return c.classify(planes, imp.getWidth(), imp.getHeight());
    }

    private static Summary classifyRoiFiles(ImageClassifier c, Options o, Consumer<String> log) throws IOException {
        Table table = new Table(c.spec(), "file", "roi");
        List<Path> files = ImageFiles.list(o.input());
        for (Path file : files) {
            Path zip = RoiZips.forImage(file, o.rois());
            if (zip == null)
                throw new IOException("no ROIs for " + file.getFileName() + ": expected " + ImageFiles.baseName(file)
                        + ".zip in " + o.rois());
            ImagePlus imp = o.open(file);
            List<Roi> rois = RoiZips.read(zip);
            List<String> names = rois.stream().map(Roi::getName).toList(); // the keys: the names they came with
            List<ImageClassifier.Prediction> found = classifyRois(c, imp, rois);
            for (int i = 0; i < rois.size(); i++)
                table.add(List.of(file.getFileName().toString(), String.valueOf(names.get(i))), found.get(i));
            Path dir = files.size() == 1 ? o.output() : o.output().resolve(ImageFiles.baseName(file));
            AtomicFiles.createFolder(dir);
            RoiZips.write(rois, dir.resolve("rois.zip"));
        }
        table.write(o.output().resolve("classes.csv"));
        return table.summary(Double.NaN);
    }

    /**
     * Classifies each ROI of {@code imp} (cropped as the model was trained: its window around the ROI, scaled to S,
     * with the mask channel if it had one) and renames it "class (p=0.97)", puts it in its class's group and colours
     * it. ROIs at a stack position are cropped from that slice.
     */
    /** Refuses an image whose channel count is not the classifier's, saying which channels it was trained on. */
    private static void checkChannels(ImagePlus imp, ClassifierSpec spec, String name) {
        if (Planes.channels(imp) != spec.imageChannels())
            throw new IllegalArgumentException(Planes.mismatch(name, imp, spec.imageChannels(), "classifier")
                    + SegmentFiles.channelsHint(imp, spec.imageChannels(), spec.provenance()));
    }

    public static List<ImageClassifier.Prediction> classifyRois(ImageClassifier c, ImagePlus imp, List<Roi> rois) {
        ClassifierSpec spec = c.spec();
        checkChannels(imp, spec, imp.getTitle());
        if (rois.isEmpty()) throw new IllegalArgumentException("there are no ROIs to classify in " + imp.getTitle());
        for (Roi roi : rois) {
            Rectangle b = roi.getBounds();
            if (b.x >= imp.getWidth() || b.y >= imp.getHeight() || b.x + b.width <= 0 || b.y + b.height <= 0) {
                throw new IllegalArgumentException(
                        "ROI \"" + roi.getName() + "\" (at " + b.x + ", " + b.y + ", " + b.width
                                + " x " + b.height + ") lies outside " + imp.getTitle() + " (" + imp.getWidth() + " x "
                                + imp.getHeight() + "): it has no pixels to classify; are these the image's ROIs?");
            }
        }
        ClassifierCrops.Cropping cropping =
                new ClassifierCrops.Cropping(spec.inputSize(), spec.roiWindow(), spec.roiMask());
        List<float[][]> crops = new ArrayList<>();
        int s = spec.inputSize();
        for (Roi roi : rois) {
            int position = roi.getPosition() > 0 ? roi.getPosition() : 1;
            float[] crop = ClassifierCrops.cropAround(
                    Planes.of(imp, Math.min(position, Planes.positions(imp)) - 1),
                    imp.getWidth(),
                    imp.getHeight(),
                    roi,
                    cropping);
            float[][] planes = new float[spec.inputChannels()][s * s];
            for (int ch = 0; ch < planes.length; ch++) System.arraycopy(crop, ch * s * s, planes[ch], 0, s * s);
            crops.add(planes);
        }
        List<ImageClassifier.Prediction> found = c.classify(crops, s, s);
        for (int i = 0; i < rois.size(); i++) {
            ImageClassifier.Prediction p = found.get(i);
            Roi roi = rois.get(i);
            roi.setName(String.format(Locale.ROOT, "%s (p=%.2f)", p.className(), p.probability()));
            if (ResultsDisplay.GROUP_COLOURS_AVAILABLE) roi.setGroup(p.label() + 1);
            roi.setStrokeColor(COLOURS[p.label() % COLOURS.length]);
        }
        Roi.setGroupNames(String.join(",", spec.classes()));
        return found;
    }

    /** Per class (in order of first appearance), how many crops were predicted to be of it. */
    public static Map<String, Integer> counts(List<ImageClassifier.Prediction> found) {
        Map<String, Integer> n = new LinkedHashMap<>();
        for (ImageClassifier.Prediction p : found) n.merge(p.className(), 1, Integer::sum);
        return n;
    }

    /** rois.zip (classified ROIs) and classes.csv (one row per ROI) in {@code dir}. */
    public static void writeRoiResults(
            ClassifierSpec spec, String image, List<Roi> rois, List<ImageClassifier.Prediction> found, Path dir)
            throws IOException {
        AtomicFiles.createFolder(dir);
        Table table = new Table(spec, "image", "roi");
        for (int i = 0; i < rois.size(); i++) table.add(List.of(image, String.valueOf(i + 1)), found.get(i));
        table.write(dir.resolve("classes.csv"));
        RoiZips.write(rois, dir.resolve("rois.zip"));
    }

    /** The dense class-probability map as a 32-bit stack (one slice per class, named by it), written atomically. */
    static void denseMap(ImageClassifier c, ImagePlus imp, Path file) throws IOException {
        int[] size = new int[2];
        float[][] maps = c.denseMap(Planes.of(imp, 0), imp.getWidth(), imp.getHeight(), size);
        ImageStack stack = new ImageStack(size[0], size[1]);
        for (int k = 0; k < maps.length; k++) stack.addSlice(c.spec().classes().get(k), maps[k]);
        ImagePlus out = new ImagePlus(ImageFiles.baseName(file), stack);
        out.setProperty(
                "Info",
                "CNN-J dense classification: position (i, j) = the " + c.spec().inputSize() + " px crop at ("
                        + c.spec().denseStride() + "·j, " + c.spec().denseStride() + "·i)");
        Tiffs.save(out, file);
    }

    /** A CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break (quotes doubled). */
    static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0)
            return value;
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /** classes.csv rows: a key, the predicted class, its probability and every class's. */
    private static final class Table {
        private final ClassifierSpec spec;
        private final StringBuilder csv;
        private final Map<String, Integer> counts = new LinkedHashMap<>();
        private int rows;

        Table(ClassifierSpec spec, String... keys) {
            this.spec = spec;
            this.csv = new StringBuilder(String.join(",", keys) + ",class,probability");
            for (String k : spec.classes()) {
                csv.append(",p_").append(k);
                counts.put(k, 0);
            }
            csv.append('\n');
        }

        void add(List<String> key, ImageClassifier.Prediction p) {
            csv.append(String.join(",", key.stream().map(ClassifyFiles::field).toList()))
                    .append(',')
                    .append(field(p.className()))
                    .append(String.format(Locale.ROOT, ",%.5f", p.probability()));
            for (float v : p.probabilities()) csv.append(String.format(Locale.ROOT, ",%.5f", v));
            csv.append('\n');
            counts.merge(p.className(), 1, Integer::sum);
            rows++;
        }

        void write(Path file) throws IOException {
            byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(file, w -> w.write(bytes));
        }

        Summary summary(double accuracy) {
            return new Summary(rows, counts, accuracy);
        }
    }
}
