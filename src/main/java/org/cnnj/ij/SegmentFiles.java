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
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.cnnj.data.Percentiles;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.ModelSpec;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.runtime.ReceptiveField;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.seg.BandedPlanes;
import org.cnnj.seg.Diameter;
import org.cnnj.seg.Segmenter;

/**
 * Segments image files with a model and writes what Fiji users work with, per image: labels.tif
 * (16-bit object labels, or classes for semantic models), probabilities.tif (optional), rois.zip and
 * results.csv; a folder of images gets one subfolder per image; stacks go slice by slice. The command
 * line (`./cnnj segment`) and the Fiji command (Plugins › CNN-J › Segmentation › Segment Folder…) are thin layers over this.
 */
public final class SegmentFiles {
    private SegmentFiles() {}

    public record Options(
            Path model,
            Path input,
            Path output,
            EngineKind engine,
            Device device,
            int threads,
            int tile,
            boolean probabilities,
            External external,
            Diameter diameter) {
        public Options(
                Path model,
                Path input,
                Path output,
                EngineKind engine,
                Device device,
                int threads,
                int tile,
                boolean probabilities) {
            this(model, input, output, engine, device, threads, tile, probabilities, External.DEFAULTS, Diameter.AUTO);
        }

        public Options(
                Path model,
                Path input,
                Path output,
                EngineKind engine,
                Device device,
                int threads,
                int tile,
                boolean probabilities,
                External external) {
            this(model, input, output, engine, device, threads, tile, probabilities, external, Diameter.AUTO);
        }
    }

    /** For models without a sidecar: classes (0 = read from the model's output shape), tiling and normalization. */
    public record External(int classes, int tileMultiple, int halo, ModelSpec.NormalizationMethod normalize) {
        /** Halo {@link #MEASURED}: the model's receptive field is measured ({@link ReceptiveField}). */
        public static final External DEFAULTS =
                new External(0, 16, External.MEASURED, ModelSpec.NormalizationMethod.PERCENTILE);

        public static final int MEASURED = -1;
    }

    public static int segment(Options asked) throws IOException {
        Options o = new Options(
                BuiltInModels.file(asked.model()),
                asked.input(),
                asked.output(),
                asked.engine(),
                asked.device(),
                asked.threads(),
                asked.tile(),
                asked.probabilities(),
                asked.external(),
                asked.diameter());
        ModelSpec spec = spec(o);
        List<Path> images = inputs(o.input());
        TiledPredictor.Layout layout = layout(o.tile(), spec);
        try (Engine engine = o.engine().open(o.model(), spec, o.device(), o.threads(), System.err::println)) {
            System.out.println("engine: " + engine.describe() + "; tiles " + layout.tile() + " px + " + layout.halo()
                    + " px halo");
            Batch.run(
                    "segment",
                    images,
                    Files.isDirectory(o.input()),
                    o.output(),
                    (image, dir) -> segmentImage(engine, spec, layout, image, dir, o.probabilities(), o.diameter()),
                    System.out::println,
                    System.err::println);
            return 0;
        }
    }

    /** Tiles of {@code tile} px (0: as large as a quarter of the heap allows, at most 1024). */
    public static TiledPredictor.Layout layout(int tile, ModelSpec spec) {
        return tile > 0
                ? new TiledPredictor.Layout(tileFor(tile, spec), spec.halo(), spec.tileMultiple())
                : TiledPredictor.Layout.forMemory(
                        spec, Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4), 4L * 40 * 16, 1024);
    }

    /**
     * The tile size asked for, made one the model can use well: a multiple of its size multiple and at
     * least its halo (smaller tiles would spend most of their time on context), said in one line when changed.
     */
    static int tileFor(int asked, ModelSpec spec) {
        if (asked < 1 || asked > 16_384)
            throw new IllegalArgumentException("tile must be 1..16384 pixels, got " + asked);
        int tile = roundUp(Math.max(asked, Math.max(spec.halo(), spec.tileMultiple())), spec.tileMultiple());
        if (tile != asked) {
            System.err.println("tile " + asked + " px -> " + tile + " px (a multiple of " + spec.tileMultiple()
                    + " and at least the model's " + spec.halo() + " px halo, so that tiles are not mostly context)");
        }
        return tile;
    }

    /** The sidecar, or defaults and options for an external model (told in one line). */
    public static ModelSpec spec(Options o) throws IOException {
        Path sidecar = ModelSpec.sidecarOf(o.model());
        if (!Files.isRegularFile(o.model())) throw new IOException(BuiltInModels.missing(o.model()));
        if (Files.exists(sidecar)) {
            ModelSpec spec = ModelSpec.read(sidecar);
            spec.checkAgainst(o.model());
            return spec;
        }
        OnnxModelInfo info = OnnxModelInfo.read(o.model());
        if (info.inputs().size() != 1 || info.inputs().get(0).dims().length != 4) {
            throw new IllegalArgumentException(o.model().getFileName()
                    + " does not take one [N, C, H, W] image; CNN-J runs models with a" + " single NCHW float input");
        }
        long channels = info.inputs().get(0).dims()[1];
        long[] out =
                info.outputs().isEmpty() ? new long[0] : info.outputs().get(0).dims();
        int classes =
                o.external().classes() > 0 ? o.external().classes() : out.length == 4 && out[1] > 0 ? (int) out[1] : 0;
        if (classes == 0) {
            throw new IllegalArgumentException(o.model().getFileName()
                    + " has no sidecar and its output does not say how many classes it has;" + " pass --classes N");
        }
        ModelSpec.Normalization n = ModelSpec.Normalization.of(o.external().normalize());
        int halo = o.external().halo();
        if (halo == External.MEASURED) halo = measuredHalo(o.model(), channels > 0 ? (int) channels : 1, o.external());
        ModelSpec spec = ModelSpec.forExternal(
                channels > 0 ? (int) channels : 1, classes, o.external().tileMultiple(), halo, n);
        System.err.println("no sidecar " + sidecar.getFileName() + ": treating "
                + o.model().getFileName() + " as a semantic model with "
                + classes + " classes, tiles of multiples of " + spec.tileMultiple() + " px with a " + spec.halo()
                + " px halo, "
                + n.method().option() + " normalization (change with --classes, --tile-multiple, --halo, --normalize)");
        return spec;
    }

    /**
     * The halo a model without a sidecar needs: its receptive-field radius, measured with an impulse (one line says
     * so). A model whose output depends on the whole image gets a warning: tiles cannot reproduce it.
     */
    private static int measuredHalo(Path model, int channels, External e) throws IOException {
        try (OrtEngine engine = OrtEngine.open(model, Device.CPU, 0, line -> {})) {
            int r = ReceptiveField.radius(engine, channels, e.tileMultiple());
            if (r < 0) {
                System.err.println("warning: " + model.getFileName() + "'s output at a pixel depends on the whole"
                        + " image (global pooling or similar): tiled results will differ from whole-image ones; give a"
                        + " --tile as large as the images, or --halo N");
                return 128;
            }
            System.err.println("measured " + model.getFileName() + "'s receptive field: radius " + r + " px"
                    + " (an impulse probe), used as the halo");
            return Math.max(r, 1);
        }
    }

    static List<Path> inputs(Path input) throws IOException {
        if (Files.isRegularFile(input)) return List.of(input);
        if (!Files.isDirectory(input))
            throw new IOException("input " + input + " does not exist; give an image file or a folder of images");
        try (Stream<Path> s = Files.list(input)) {
            List<Path> images = s.filter(p ->
                            p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.tiff?$"))
                    .filter(p -> !p.getFileName().toString().contains("-labels."))
                    .sorted()
                    .toList();
            if (images.isEmpty()) throw new IOException("no .tif images in " + input);
            return images;
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
            Engine engine,
            ModelSpec spec,
            TiledPredictor.Layout layout,
            Path file,
            Path dir,
            boolean keepProbabilities,
            Diameter diameter)
            throws IOException {
        ImagePlus imp = Tiffs.open(file);
        Output out = segment(
                engine,
                spec,
                layout,
                imp,
                keepProbabilities,
                diameter,
                file.getFileName().toString());
        write(out, imp.getCalibration(), dir);
        return out.objects();
    }

    /**
     * Segments every slice (position) of an image; {@code name} names it in messages. With a diameter (or
     * auto) each slice is resized so its objects match the model's object size, and results come back at the image's size.
     */
    public static Output segment(
            Engine engine,
            ModelSpec spec,
            TiledPredictor.Layout layout,
            ImagePlus imp,
            boolean keepProbabilities,
            Diameter diameter,
            String name) {
        int w = imp.getWidth(),
                h = imp.getHeight(),
                channels = imp.getNChannels(),
                positions = imp.getStackSize() / channels;
        if (channels != spec.inputChannels()) {
            throw new IllegalArgumentException(name + " has " + channels + " channel(s) but the model expects "
                    + spec.inputChannels() + "; convert the image (Image › Color › Split/Merge Channels)");
        }
        if (imp.getBitDepth() == 24)
            throw new IllegalArgumentException(name + " is RGB; convert it to 8/16/32-bit grey (Image › Type) first");
        route(
                spec,
                w,
                h,
                positions,
                keepProbabilities,
                1,
                layout.tile(),
                name,
                0); // before anything is allocated: refuse at once what fits neither way
        boolean told = false;
        Calibration cal = imp.getCalibration();
        ImageStack labelStack = new ImageStack(w, h), probabilityStack = new ImageStack(w, h);
        List<Roi> rois = new ArrayList<>();
        List<LabelResults.Measurement> rows = new ArrayList<>();
        List<int[]> labelPlanes = new ArrayList<>();
        int objects = 0;
        for (int pos = 0; pos < positions; pos++) {
            float[][] planes = Planes.of(imp, pos);
            String where = name + (positions > 1 ? " slice " + (pos + 1) : "");
            ProgressReporter progress = new ProgressReporter("segmenting " + where, System.err::println);
            // The centre is normalized with the whole plane's percentiles; for an image no larger than it, it is the
            // whole plane normalized.
            float[][] centre = centre(spec, planes, w, h, where);
            boolean centreIsWhole = centreSide(w) == w && centreSide(h) == h;
            double scale = Segmenter.scaleFor(
                    engine,
                    spec,
                    centre,
                    centreSide(w),
                    centreSide(h),
                    diameter,
                    msg -> System.err.println(where + ": " + msg));
            long held = 4L
                    * channels
                    * ((long) w * h
                            + (long) centreSide(w) * centreSide(h)); // the planes, and their centre (garbage by now)
            Route route = route(spec, w, h, positions, keepProbabilities, scale, layout.tile(), name, held);
            if (route == Route.BANDS && !told) {
                told = true;
                System.err.println(name
                        + ": the whole image does not fit Java's memory at once: segmenting it in bands of " + BAND_ROWS
                        + " rows (objects are joined where the bands meet; more memory segments it whole)");
            }
            int[] labels;
            if (route == Route.BANDS) {
                centre = null; // not needed in bands, and the memory estimate above counted it as free
                BandedPlanes.Labels r = BandedPlanes.segment(
                        engine,
                        spec,
                        planes,
                        w,
                        h,
                        new Segmenter.Options(layout, false, 6, scale),
                        BAND_ROWS,
                        progress);
                labels = r.labels();
                objects += r.count();
            } else {
                float[][] normalized = centreIsWhole
                        ? centre
                        : Segmenter.normalize(spec, planes, w, h, null); // its warnings came with the centre
                Segmenter.Result r = Segmenter.segmentNormalized(
                        engine,
                        spec,
                        normalized,
                        w,
                        h,
                        new Segmenter.Options(layout, keepProbabilities, 6, scale),
                        progress);
                labels = r.objects();
                if (labels == null) {
                    labels = new int[r.classes().length];
                    for (int i = 0; i < labels.length; i++) labels[i] = r.classes()[i];
                }
                if (keepProbabilities) {
                    for (int k = 0; k < r.probabilities().length; k++) {
                        probabilityStack.addSlice(
                                spec.classes().get(k), new FloatProcessor(w, h, r.probabilities()[k]));
                    }
                }
                objects += r.objects() != null ? r.objectCount() : 0;
            }
            labelPlanes.add(labels);
            int position = positions > 1 ? pos + 1 : 0;
            rois.addAll(LabelResults.rois(labels, w, h, position));
            rows.addAll(LabelResults.measure(labels, planes[0], w, h, cal, position));
        }
        int maxLabel = 0;
        for (int[] labels : labelPlanes) for (int l : labels) maxLabel = Math.max(maxLabel, l);
        if (maxLabel > 65_535)
            System.err.println(name + ": " + maxLabel
                    + " objects in one plane, more than 16-bit ids hold: labels are written as 32-bit");
        for (int[] labels : labelPlanes) labelStack.addSlice(labelProcessor(labels, w, h, maxLabel, name));
        ImagePlus labelImage = new ImagePlus(baseName(Path.of(name)) + "-labels", labelStack);
        labelImage.setCalibration(cal);
        labelImage.getProcessor().resetMinAndMax();
        ImagePlus probs = null;
        if (keepProbabilities) {
            probs = new ImagePlus(baseName(Path.of(name)) + "-probabilities", probabilityStack);
            probs.setDimensions(spec.classChannels(), 1, positions);
            probs.setCalibration(cal);
        }
        return new Output(labelImage, probs, rois, rows, objects);
    }

    /** Side of the centred window the diameter estimate looks at ({@link org.cnnj.seg.DiameterEstimate} never looks further). */
    private static final int CENTRE = 4096;

    /**
     * The centre's side for an image side: all of it up to {@link #CENTRE}, else CENTRE or CENTRE + 1, whichever
     * leaves an even margin, so the estimate's own centred windows fall on the same pixels as in the whole plane.
     */
    static int centreSide(int side) {
        return side <= CENTRE ? side : CENTRE + ((side - CENTRE) & 1);
    }

    /**
     * The centred window of the planes, normalized with the whole plane's percentiles (what the diameter
     * estimate sees on the whole-image path), and the same warnings about the normalization.
     */
    private static float[][] centre(ModelSpec spec, float[][] planes, int w, int h, String where) {
        int cw = centreSide(w), ch = centreSide(h), x0 = (w - cw) / 2, y0 = (h - ch) / 2;
        float[][] out = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) {
            float[] crop = new float[cw * ch];
            for (int y = 0; y < ch; y++) System.arraycopy(planes[c], (y0 + y) * w + x0, crop, y * cw, cw);
            Percentiles p = Segmenter.percentiles(spec, planes[c]);
            if (p != null)
                p.problems(planes[c]).forEach(problem -> System.err.println("warning: " + where + ": " + problem));
            out[c] = p == null ? spec.normalization().apply(crop) : p.apply(crop);
        }
        return out;
    }

    /** How an image is segmented: whole (every map in memory at once) or in bands of rows (when only that fits the heap). */
    enum Route {
        WHOLE,
        BANDS
    }

    /** Rows decoded at a time on the banded path (whole tiles). */
    static final int BAND_ROWS = 1024;

    /**
     * Chooses the route from the memory each needs at this rescale factor, and refuses at once, with the
     * numbers, an image that fits neither, instead of dying minutes later with an OutOfMemoryError. Per
     * pixel of a plane, at most: whole — the channels as floats, normalized and resized (x scale²), the class
     * bytes, foreground and distance maps and int labels at the network's size, the int labels of every
     * position and their 16/32-bit copies, and the kept probabilities; in bands — the channels, the labels
     * of every position and their copies, and one band's maps with its margins. Both over-estimate.
     */
    static Route route(
            ModelSpec spec,
            int w,
            int h,
            int positions,
            boolean probabilities,
            double scale,
            int tile,
            String name,
            long free,
            long max) {
        long pixels = (long) w * h, reserve = 64L << 20, c = spec.inputChannels();
        double s2 = scale * scale;
        long results = pixels * 8L * positions;
        long whole = (long) (pixels
                        * (4 * c * (2 + s2) + 17 * s2 + (probabilities ? 4.0 * spec.classChannels() * (1 + s2) : 0)))
                + results
                + reserve;
        if (whole <= free) return Route.WHOLE;
        long band = (long) ((Math.max(BAND_ROWS, tile) + 2.0 * tile)
                * Math.ceil(w * scale)
                * 22); // classes, decoding and copies of a band and its margins
        long bands = pixels * 4 * c + results + band + reserve;
        if (!probabilities && bands <= free) return Route.BANDS;
        long need = probabilities ? whole : bands;
        throw new IllegalArgumentException(String.format(
                Locale.ROOT,
                "%s (%d x %d%s) needs about %.1f GB of memory%s but Java has %.1f GB free of %.1f GB:"
                        + " give Java more (Fiji: Edit › Options › Memory & Threads; command line: JAVA_OPTS=-Xmx%dg)%s",
                name,
                w,
                h,
                positions > 1 ? " x " + positions : "",
                need / 1e9,
                probabilities ? "" : " even in bands of rows",
                free / 1e9,
                max / 1e9,
                (long) Math.ceil((need + (max - free)) / 1e9 * 1.25),
                probabilities ? ", or do not keep the class probabilities (then it can run in bands)" : ""));
    }

    /** As above with the heap's free memory, plus {@code held} bytes already allocated for what the estimate counts (the planes). */
    static Route route(
            ModelSpec spec,
            int w,
            int h,
            int positions,
            boolean probabilities,
            double scale,
            int tile,
            String name,
            long held) {
        Runtime rt = Runtime.getRuntime();
        return route(
                spec,
                w,
                h,
                positions,
                probabilities,
                scale,
                tile,
                name,
                rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) + held,
                rt.maxMemory());
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
        Staging.write(dir, staging -> {
            Tiffs.save(out.labels(), staging.resolve("labels.tif"));
            if (out.probabilities() != null) Tiffs.save(out.probabilities(), staging.resolve("probabilities.tif"));
            LabelResults.saveZip(out.rois(), staging.resolve("rois.zip"));
            LabelResults.saveCsv(out.rows(), cal, staging.resolve("results.csv"));
        });
    }

    static String baseName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }
}
