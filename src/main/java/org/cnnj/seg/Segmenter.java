package org.cnnj.seg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.data.Percentiles;
import org.cnnj.data.Resize;
import org.cnnj.data.ScaleLadder;
import org.cnnj.model.Sidecars;
import org.cnnj.nn.Module;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.ops.Softmax;
import org.cnnj.runtime.AxisOrder;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.util.FloatMath;
import org.cnnj.util.Rng;

/**
 * The library call behind Segment: normalizes an image as the sidecar says, optionally rescales it so
 * its objects have the size the model was trained for, predicts it tile by tile, maps the result back
 * to the image's own pixel grid, and returns per-pixel classes, optional class probabilities and, for
 * instance models, separated objects. Shapes: planes [C][H·W] raw pixel values.
 */
public final class Segmenter implements AutoCloseable {
    /**
     * Tiling, what to keep, the smallest object (pixels of the original image), the factor the image is resized by
     * before the network sees it (1 = as it is; the results are always at the original size), and how a distance
     * model's maps become objects.
     */
    public record Options(
            TiledPredictor.Layout layout,
            boolean probabilities,
            int minObjectPixels,
            double scale,
            Decoding decoding,
            ProbabilityObjects objects) {
        public Options {
            if (!(scale > 0 && scale <= 64))
                throw new IllegalArgumentException("segment: the rescale factor must be in (0, 64], got " + scale);
            decoding = decoding == null ? Decoding.DEFAULT : decoding;
            objects = objects == null ? new ProbabilityObjects(ProbabilityObjects.Method.NONE, 0.5) : objects;
        }

        public Options(TiledPredictor.Layout layout, boolean probabilities, int minObjectPixels) {
            this(layout, probabilities, minObjectPixels, 1, Decoding.DEFAULT, null);
        }

        public Options(TiledPredictor.Layout layout, boolean probabilities, int minObjectPixels, double scale) {
            this(layout, probabilities, minObjectPixels, scale, Decoding.DEFAULT, null);
        }

        public Options withDecoding(Decoding d) {
            return new Options(layout, probabilities, minObjectPixels, scale, d, objects);
        }

        /** The same options making objects of a semantic model's probabilities as {@code o} says (resolved). */
        public Options withObjects(ProbabilityObjects o) {
            return new Options(layout, probabilities, minObjectPixels, scale, decoding, o);
        }

        /**
         * The one place for a model's defaults: tiles of {@link #DEFAULT_TILE} px with its halo, no probabilities,
         * objects from {@link #MIN_OBJECT_PIXELS} px (more for a distance model: {@link #smallestObject}), as it is.
         */
        public static Options of(SegmentationSpec spec) {
            return new Options(
                    layoutFor(spec, DEFAULT_TILE, line -> {}),
                    false,
                    MIN_OBJECT_PIXELS,
                    1,
                    spec.decodingOrDefault(),
                    ProbabilityObjects.AUTO.resolve(spec));
        }

        /** The same options keeping objects from {@code pixels} up. */
        public Options withMinObjectPixels(int pixels) {
            return new Options(layout, probabilities, pixels, scale, decoding, objects);
        }

        /** The same options with tiles of {@code tile} px (a multiple of the layout's size multiple). */
        public Options withTile(int tile) {
            return withLayout(
                    new TiledPredictor.Layout(tile, layout.halo(), layout.multiple(), layout.height(), layout.width()));
        }

        public Options withLayout(TiledPredictor.Layout l) {
            return new Options(l, probabilities, minObjectPixels, scale, decoding, objects);
        }

        public Options withScale(double s) {
            return new Options(layout, probabilities, minObjectPixels, s, decoding, objects);
        }

        public Options withProbabilities(boolean keep) {
            return new Options(layout, keep, minObjectPixels, scale, decoding, objects);
        }
    }

    /** Tile core side (px) where nothing else is asked for. */
    public static final int DEFAULT_TILE = 512;
    /** Objects smaller than this many pixels are dropped from any instance model's result. */
    public static final int MIN_OBJECT_PIXELS = 6;

    /**
     * What a user asks of one call: the objects' size ({@link Diameter#AUTO} estimates it), whether to keep the class
     * probabilities, the tile side (0: as large as a quarter of the heap allows, at most 1024), and how a semantic
     * model's probabilities become objects; whether the objects of a stack's slices are linked into 3-D objects (the
     * 2.5-D way for a 2-D model, {@link SliceLinking}).
     */
    public record Request(
            Diameter diameter, boolean probabilities, int tile, ProbabilityObjects objects, boolean linkSlices) {
        public Request {
            if (diameter == null) throw new IllegalArgumentException("segment: no diameter (auto, none or pixels)");
            if (tile < 0 || tile > 16_384)
                throw new IllegalArgumentException("tile must be 1..16384 pixels (0 = automatic), got " + tile);
            objects = objects == null ? ProbabilityObjects.AUTO : objects;
        }

        public Request(Diameter diameter, boolean probabilities, int tile, ProbabilityObjects objects) {
            this(diameter, probabilities, tile, objects, false);
        }

        public Request(Diameter diameter, boolean probabilities, int tile) {
            this(diameter, probabilities, tile, ProbabilityObjects.AUTO);
        }

        public static Request defaults() {
            return new Request(Diameter.AUTO, false, 0);
        }

        public Request withDiameter(Diameter d) {
            return new Request(d, probabilities, tile, objects, linkSlices);
        }

        public Request withProbabilities(boolean keep) {
            return new Request(diameter, keep, tile, objects, linkSlices);
        }

        public Request withTile(int side) {
            return new Request(diameter, probabilities, side, objects, linkSlices);
        }

        /** Objects of consecutive slices that overlap become one 3-D object. */
        public Request withLinkedSlices(boolean link) {
            return new Request(diameter, probabilities, tile, objects, link);
        }

        /** How a semantic model's probabilities become objects ({@link ProbabilityObjects#AUTO}: by the model). */
        public Request withObjects(ProbabilityObjects o) {
            return new Request(diameter, probabilities, tile, o, linkSlices);
        }
    }

    /** Who hears about a call: messages (the diameter used, normalization warnings, the route) and tile progress. */
    public record Feedback(Consumer<String> log, TiledPredictor.Progress progress) {
        public static final Feedback NONE = new Feedback(line -> {}, null);

        public Feedback {
            log = log == null ? line -> {} : log;
        }
    }

    /**
     * classes [H·W] (argmax), probabilities [K][H·W] or null, objects [H·W] instance labels (instance
     * models) or null, and the object count.
     */
    public record Result(
            int width, int height, byte[] classes, float[][] probabilities, int[] objects, int objectCount) {
        /** What a label image shows: the object ids of an instance model, else each pixel's class. */
        public int[] labels() {
            if (objects != null) return objects;
            int[] out = new int[classes.length];
            for (int i = 0; i < out.length; i++) out[i] = classes[i];
            return out;
        }
    }

    /**
     * What the network said, per pixel: classes, probabilities (when asked), and for instances-distance
     * models the foreground probability 1 − P(background) and the predicted normalized distance — or, where the
     * maps are decoded as they are (not resized first), the foreground already thresholded ({@code mask}, with
     * {@code foreground} null) and the distance on foreground pixels only, the rest 0 (the decoding reads no other);
     * for a semantic model whose probabilities become objects ({@link ProbabilityObjects}), its foreground and
     * boundary probabilities.
     */
    private record Maps(
            int width,
            int height,
            byte[] classes,
            float[][] probabilities,
            float[] foreground,
            boolean[] mask,
            boolean[] seeds,
            float[] distance,
            float[] boundary) {
        Maps resized(int w, int h) {
            return resized(Resize.Axis.whole(width, w), Resize.Axis.whole(height, h));
        }

        /** The maps sampled at the columns {@code xs} and rows {@code ys}. */
        Maps resized(Resize.Axis xs, Resize.Axis ys) {
            float[][] p = null;
            if (probabilities != null) {
                p = new float[probabilities.length][];
                for (int c = 0; c < p.length; c++) p[c] = Resize.bilinear(probabilities[c], width, xs, ys);
            }
            return new Maps(
                    xs.length(),
                    ys.length(),
                    Resize.nearest(classes, width, xs, ys),
                    p,
                    foreground == null ? null : Resize.bilinear(foreground, width, xs, ys),
                    null,
                    null,
                    distance == null ? null : Resize.bilinear(distance, width, xs, ys),
                    boundary == null ? null : Resize.bilinear(boundary, width, xs, ys));
        }
    }

    private final Engine engine;
    private final SegmentationSpec spec;

    private Segmenter(Engine engine, SegmentationSpec spec) {
        this.engine = engine;
        this.spec = spec;
    }

    /**
     * A segmentation model ready to apply, as {@code ObjectDetector.open} opens a detector: the model found and
     * described ({@link SegmentationModel#resolve}) and the engine chosen.
     */
    public static Segmenter open(
            SegmentationModel model, EngineKind engine, Device device, int threads, Consumer<String> log)
            throws IOException {
        SegmentationSpec spec = model.spec();
        EngineKind.NetworkLoader network = spec.architecture() == null ? null : () -> loadNetwork(model.onnx(), spec);
        Engine opened = engine.open(model.onnx(), network, device, threads, log);
        TensorIo io = spec.tensorIo();
        return new Segmenter(io == null ? opened : AxisOrder.of(opened, io.inputAxes(), io.outputAxes()), spec);
    }

    /** The model a file, a built-in name or a package names, with {@code engine}. */
    public static Segmenter open(Path model, EngineKind engine, Device device, int threads, Consumer<String> log)
            throws IOException {
        return open(SegmentationModel.resolve(model), engine, device, threads, log);
    }

    /** With ONNX Runtime on {@code device}, its default threads, and its device line dropped. */
    public static Segmenter open(Path model, Device device) throws IOException {
        return open(model, EngineKind.ORT, device, 0, line -> {});
    }

    /** A network already in memory (validation during training, tests), run by the Java engine. */
    public static Segmenter of(Engine engine, SegmentationSpec spec) {
        return new Segmenter(engine, spec);
    }

    /** The trainable U-Net inside a CNN-J model file (to fine-tune it, or to run it with the Java engine). */
    public static UNet loadNetwork(Path model, SegmentationSpec spec) throws IOException {
        if (spec.architecture() == null) {
            throw new IOException(
                    model + " was not trained by CNN-J (its sidecar has no architecture); run it with engine=ort");
        }
        UNet net = new UNet(spec.architecture(), new Rng(0));
        JavaEngine.copyWeights(model, OnnxModelInfo.read(model).weights(), net);
        return net;
    }

    /**
     * Writes a trained network as {@code onnx} (exported for inputs of {@code patch} × {@code patch}) with its sidecar
     * beside it, each file complete or not at all.
     */
    public static void save(Module net, SegmentationSpec spec, int patch, Path onnx) throws IOException {
        OnnxExport.export(
                net,
                new int[] {1, spec.inputChannels(), patch, patch},
                Map.of("cnnj.task", spec.task().sidecar()),
                onnx);
        spec.write(Sidecars.of(onnx));
    }

    public SegmentationSpec spec() {
        return spec;
    }

    public Engine engine() {
        return engine;
    }

    /**
     * The tiles a call with tile side {@code tile} uses: that side made one the model can use well (a multiple of its
     * size multiple and at least its halo, else tiles are mostly context; {@code log} hears of a change), or for 0 the
     * largest that a quarter of the heap holds, at most 1024.
     */
    public TiledPredictor.Layout layout(int tile, Consumer<String> log) {
        return layoutFor(spec, tile, log);
    }

    /**
     * {@link #layout(int, Consumer)} for a sidecar: a model exported for one input size (a bioimage.io package) is
     * tiled at exactly that size, whatever tile was asked for; a model that takes min + k·step sides gets its windows
     * padded to such a side.
     */
    static TiledPredictor.Layout layoutFor(SegmentationSpec spec, int tile, Consumer<String> log) {
        TensorIo io = spec.tensorIo();
        if (io != null && io.fixedSize()) {
            TiledPredictor.Layout fixed =
                    TiledPredictor.Layout.fixed(io.height().min(), io.width().min(), spec.halo());
            if (tile != 0 && tile != fixed.tile())
                log.accept("tile " + tile + " px -> " + fixed.tile() + " px: the model takes windows of exactly "
                        + io.height().min() + " × " + io.width().min() + " px (" + spec.halo()
                        + " px of context on each"
                        + " side)");
            return fixed;
        }
        TiledPredictor.Layout free = freeLayout(spec, tile, log);
        return io == null ? free : free.withSizes(io.height(), io.width());
    }

    private static TiledPredictor.Layout freeLayout(SegmentationSpec spec, int tile, Consumer<String> log) {
        int m = spec.tileMultiple(), halo = spec.halo();
        if (tile == 0)
            return TiledPredictor.Layout.forMemory(
                    halo, m, Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4), 4L * 40 * 16, 1024);
        int fitted = (Math.max(tile, Math.max(halo, m)) + m - 1) / m * m;
        if (fitted != tile) {
            log.accept("tile " + tile + " px -> " + fitted + " px (a multiple of " + m + " and at least the model's "
                    + halo + " px halo, so that tiles are not mostly context)");
        }
        return new TiledPredictor.Layout(fitted, halo, m);
    }

    /**
     * One image's planes [C][H·W] (raw pixel values), as a user applies the model: normalized as the sidecar says,
     * resized so its objects match the model's object size (the request's diameter; auto estimates it on the image's
     * centre), segmented in tiles — whole, or in bands of rows when only that fits the heap (refused at once, with the
     * numbers, when neither does) — results at the image's own size. The feedback hears the normalization warnings,
     * the diameter used, the route and the tiles' progress.
     */
    public Result segment(float[][] planes, int width, int height, Request request, Feedback feedback) {
        Consumer<String> log = feedback.log();
        if (planes.length != spec.inputChannels()) {
            throw new IllegalArgumentException("the image has " + planes.length + " channel(s) but the model expects "
                    + spec.inputChannels() + "; convert the image (Image › Color › Split/Merge Channels)");
        }
        TiledPredictor.Layout layout = layout(request.tile(), log);
        if (spec.tensorIo() != null) return segmentImported(planes, width, height, request, feedback, layout);
        int tile = layout.tile();
        // Before anything is allocated: refuse at once what fits neither way.
        MemoryPlan.route(spec, width, height, request.probabilities(), 1, tile, 0);
        float[][] centre = Centre.normalized(spec, planes, width, height, problem -> log.accept("warning: " + problem));
        boolean centreIsWhole = Centre.side(width) == width && Centre.side(height) == height;
        double scale = scaleFor(centre, Centre.side(width), Centre.side(height), request.diameter(), log);
        // The planes, and their centre (garbage by now).
        long held = 4L * planes.length * ((long) width * height + (long) Centre.side(width) * Centre.side(height));
        Options o = Options.of(spec)
                .withLayout(layout)
                .withScale(scale)
                .withProbabilities(request.probabilities())
                .withObjects(request.objects().resolve(spec));
        if (o.objects().makesObjects()) log.accept(o.objects().describe(spec));
        if (MemoryPlan.route(spec, width, height, request.probabilities(), scale, tile, held)
                == MemoryPlan.Route.BANDS) {
            log.accept("the whole image does not fit Java's memory at once: segmenting it in bands of "
                    + MemoryPlan.BAND_ROWS + " rows (objects are joined where the bands meet; more memory segments it"
                    + " whole)");
            centre = null; // not needed in bands, and the memory estimate above counted it as free
            BandedPlanes.Labels r = BandedPlanes.segment(
                    engine, spec, planes, width, height, o, MemoryPlan.BAND_ROWS, feedback.progress());
            if (spec.isInstances()) return new Result(width, height, null, null, r.labels(), r.count());
            byte[] classes = new byte[r.labels().length];
            for (int i = 0; i < classes.length; i++) classes[i] = (byte) r.labels()[i];
            return new Result(width, height, classes, null, null, 0);
        }
        float[][] normalized = centreIsWhole ? centre : normalize(spec, planes, width, height, null);
        return applyNormalized(normalized, width, height, o, feedback.progress());
    }

    /**
     * A model from elsewhere ({@link TensorIo}): the image preprocessed as its description says (statistics over the
     * whole image), tiled at the sizes it takes, its output postprocessed, at the image's own scale (it records no
     * object size). Whole images only: its statistics need the image at once.
     */
    private Result segmentImported(
            float[][] planes, int width, int height, Request request, Feedback feedback, TiledPredictor.Layout layout) {
        scaleFor(null, width, height, request.diameter(), feedback.log()); // refuses a diameter it cannot apply
        Options o = Options.of(spec)
                .withLayout(layout)
                .withProbabilities(request.probabilities())
                .withObjects(request.objects().resolve(spec));
        if (o.objects().makesObjects()) feedback.log().accept(o.objects().describe(spec));
        long held = 4L * planes.length * width * height;
        if (MemoryPlan.route(spec, width, height, request.probabilities(), 1, layout.tile(), held)
                == MemoryPlan.Route.BANDS) {
            throw new IllegalArgumentException("the image (" + width + " × " + height + " px) does not fit Java's"
                    + " memory at once, and this model's processing measures the whole image; give Fiji more memory"
                    + " (Edit › Options › Memory & Threads) or segment a crop");
        }
        float[][] pre = normalize(spec, planes, width, height, null);
        Maps maps =
                predict(engine, spec, TiledPredictor.planes(pre, width, height), o, true, feedback.progress(), planes);
        return finish(spec, maps, o);
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Raw planes with these options: normalized as the sidecar says, then {@link #applyNormalized}. */
    public Result apply(float[][] planes, int width, int height, Options o, TiledPredictor.Progress progress) {
        return applyNormalized(normalize(spec, planes, width, height, null), width, height, o, progress);
    }

    /** Planes already normalized as the sidecar says (left unchanged), resized by {@code o.scale()} for the network, results at their size. */
    public Result applyNormalized(
            float[][] normalized, int width, int height, Options o, TiledPredictor.Progress progress) {
        if (o.scale() == 1) return segment(engine, spec, TiledPredictor.planes(normalized, width, height), o, progress);
        int sw = Resize.scaled(width, o.scale()), sh = Resize.scaled(height, o.scale());
        float[][] resized = Resize.bilinear(normalized, width, height, sw, sh);
        Maps m = predict(engine, spec, TiledPredictor.planes(resized, sw, sh), o, false, progress);
        return finish(spec, m.resized(width, height), o);
    }

    /**
     * A crop of {@code width} × {@code height} px at ({@code x}, {@code y}) of a whole image of {@code wholeWidth} ×
     * {@code wholeHeight} px (a block of an image too large for one machine).
     */
    public record Part(int width, int height, long x, long y, long wholeWidth, long wholeHeight) {
        public Part {
            if (width < 1 || height < 1 || x < 0 || y < 0 || x + width > wholeWidth || y + height > wholeHeight)
                throw new IllegalArgumentException("a part " + width + "x" + height + " at (" + x + ", " + y
                        + ") does not lie in a " + wholeWidth + "x" + wholeHeight + " image");
        }
    }

    /**
     * A part of a whole image (normalized as the sidecar says), resized by {@code o.scale()} on the whole image's grid:
     * the network sees exactly the pixels the whole resized image has there, starting on the network's pooling grid,
     * and its maps come back to the part's pixels as the whole image's would — so wherever the part's margin holds an
     * object's context, the part's objects are the whole image's (blocks of a huge image, resized, match it).
     */
    public Result applyNormalizedPart(float[][] normalized, Part part, Options o) {
        if (o.scale() == 1) return applyNormalized(normalized, part.width(), part.height(), o, null);
        long sw = Resize.scaled(part.wholeWidth(), o.scale()), sh = Resize.scaled(part.wholeHeight(), o.scale());
        int m = o.layout().multiple();
        long[] xs = networkRange(part.x(), part.width(), part.wholeWidth(), sw, m),
                ys = networkRange(part.y(), part.height(), part.wholeHeight(), sh, m);
        int nw = (int) (xs[1] - xs[0]), nh = (int) (ys[1] - ys[0]);
        if (nw < m || nh < m)
            throw new IllegalArgumentException("a part of " + part.width() + "x" + part.height()
                    + " px is too small to segment resized x" + o.scale() + "; give larger blocks");
        Resize.Axis.Span spanX = new Resize.Axis.Span(part.x(), part.width()),
                spanY = new Resize.Axis.Span(part.y(), part.height()),
                netX = new Resize.Axis.Span(xs[0], nw),
                netY = new Resize.Axis.Span(ys[0], nh);
        Resize.Axis inX = Resize.Axis.window(part.wholeWidth(), sw, netX, spanX),
                inY = Resize.Axis.window(part.wholeHeight(), sh, netY, spanY);
        float[][] resized = new float[normalized.length][];
        for (int c = 0; c < resized.length; c++) resized[c] = Resize.bilinear(normalized[c], part.width(), inX, inY);
        Maps maps = predict(engine, spec, TiledPredictor.planes(resized, nw, nh), o, false, null);
        Resize.Axis outX = Resize.Axis.window(sw, part.wholeWidth(), spanX, netX),
                outY = Resize.Axis.window(sh, part.wholeHeight(), spanY, netY);
        return finish(spec, maps.resized(outX, outY), o);
    }

    /**
     * The network pixels [from, to) of an axis of {@code whole} px resized to {@code scaled} whose bilinear samples lie
     * within the source pixels [start, start + count), the first on a multiple of {@code multiple} (the pooling grid
     * of the whole image's tiles); an end of the whole axis keeps its edge.
     */
    static long[] networkRange(long start, int count, long whole, long scaled, int multiple) {
        double s = (double) whole / scaled;
        long from = 0, to = scaled;
        if (start > 0) {
            from = Math.max(0, (long) Math.ceil((start + 0.5) / s - 0.5) - 1);
            while ((long) Math.floor((from + 0.5) * s - 0.5) < start) from++;
            from = (from + multiple - 1) / multiple * multiple;
        }
        long last = start + count - 1;
        if (start + count < whole) {
            to = Math.min(scaled, (long) Math.floor((last + 0.5) / s - 0.5) + 2);
            while (to > from && (to - 1 + 0.5) * s - 0.5 > last) to--;
        }
        return new long[] {from, to};
    }

    /**
     * The factor to resize an image by so its objects have the size the model was trained for: 1 for
     * {@code none} or a model that records no size, model diameter / given diameter, or for {@code auto}
     * the estimate of {@link DiameterEstimate} (told through {@code log}; 1 when nothing was found).
     * {@code normalized}: the planes as {@link #normalize} gives them.
     */
    public double scaleFor(float[][] normalized, int width, int height, Diameter diameter, Consumer<String> log) {
        double model = spec.objectDiameter();
        if (!(model > 0)) {
            if (diameter.pixels() > 0) {
                throw new IllegalArgumentException(
                        "this model does not record the object size it was trained for, so a diameter cannot be"
                                + " applied; set the diameter to none (or retrain it with CNN-J, which records it)");
            }
            return 1;
        }
        if (!diameter.auto())
            return diameter.pixels() == 0 ? 1 : checked(model / diameter.pixels(), diameter.pixels(), model);
        ScaleLadder.Result e = DiameterEstimate.estimate(engine, spec, normalized, width, height);
        if (!e.found()) {
            log.accept("diameter auto: no objects found at any scale (" + String.join("; ", e.ladder())
                    + "); segmenting at the image's own scale");
            return 1;
        }
        double scale = Math.max(1 / 16.0, Math.min(4, model / e.size()));
        log.accept(String.format(
                Locale.ROOT,
                "diameter auto: objects about %.1f px across (model: %.1f px), image resized x%.3f",
                e.size(),
                model,
                scale));
        return scale;
    }

    private static double checked(double scale, double given, double model) {
        if (scale > 8 || scale < 1 / 32.0) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "a diameter of %.1f px would resize the image x%.3g for this model"
                            + " (trained for %.1f px objects); give a diameter between %.1f and %.1f px",
                    given,
                    scale,
                    model,
                    model / 8,
                    model * 32));
        }
        return scale;
    }

    /**
     * The planes normalized as the sidecar says (new arrays); {@code problems}, when not null, hears what
     * would make the result misleading ({@link Percentiles#problems}), from the same percentiles.
     */
    public static float[][] normalize(
            SegmentationSpec spec, float[][] planes, int width, int height, Consumer<String> problems) {
        for (float[] p : planes) {
            if (p.length != width * height)
                throw new IllegalArgumentException("every channel must hold width × height pixels");
        }
        if (spec.tensorIo() != null && !spec.tensorIo().preprocessing().isEmpty())
            return spec.tensorIo().preprocess(planes);
        float[][] normalized = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) {
            Percentiles p = percentiles(spec, planes[c]);
            normalized[c] = p == null ? spec.normalization().apply(planes[c]) : p.apply(planes[c]);
            if (p != null && problems != null) p.problems(planes[c]).forEach(problems);
        }
        return normalized;
    }

    /** The percentiles the sidecar asks for, from (a sample of) {@code values}; null for no normalization. */
    public static Percentiles percentiles(SegmentationSpec spec, float[] values) {
        return spec.normalization().percentiles(values);
    }

    /** Segments an already normalized (and, where wanted, rescaled) source, tile by tile (the image is never copied whole). */
    public static Result segment(
            Engine engine,
            SegmentationSpec spec,
            TiledPredictor.Source source,
            Options o,
            TiledPredictor.Progress progress) {
        return finish(spec, predict(engine, spec, source, o, true, progress), o);
    }

    /**
     * An instances-distance model's objects at each split depth, from one pass of the network: the maps do not depend
     * on the split depth, only their decoding does (tuning the depth ran the network once per candidate before). Raw
     * planes, normalized as in {@link #segment(Engine, SegmentationSpec, float[][], int, int, Options,
     * TiledPredictor.Progress)}, at their size (bring them to the model's object size first).
     */
    static int[][] objectsAtSplitDepths(
            Engine engine,
            SegmentationSpec spec,
            float[][] planes,
            int width,
            int height,
            Options o,
            double[] splitDepths) {
        if (spec.task() != SegmentationTask.INSTANCES)
            throw new IllegalArgumentException("only instances-distance models have a split depth");
        if (o.scale() != 1)
            throw new IllegalArgumentException("split depths are tuned on images at the model's object size; rescale"
                    + " the images first instead of passing scale " + o.scale());
        TiledPredictor.Source source =
                TiledPredictor.planes(normalize(spec, planes, width, height, null), width, height);
        Maps maps = predict(engine, spec, source, o, true, null);
        int[][] objects = new int[splitDepths.length][];
        for (int i = 0; i < splitDepths.length; i++)
            objects[i] = finish(spec.withSplitDepth(splitDepths[i]), maps, o).objects();
        return objects;
    }

    /**
     * As {@link #objectsAtSplitDepths}, for each decoding too: objects [decoding][split depth], from one pass of the
     * network (the foreground probabilities are kept, so each decoding thresholds them its own way).
     */
    static int[][][] objectsAtDecodings(
            Engine engine,
            SegmentationSpec spec,
            float[][] planes,
            int width,
            int height,
            double[] splitDepths,
            List<Decoding> decodings) {
        Options o = Options.of(spec).withTile(256).withMinObjectPixels(1);
        TiledPredictor.Source source =
                TiledPredictor.planes(normalize(spec, planes, width, height, null), width, height);
        Maps maps = predict(engine, spec, source, o, false, null);
        int[][][] objects = new int[decodings.size()][splitDepths.length][];
        for (int d = 0; d < decodings.size(); d++) {
            for (int i = 0; i < splitDepths.length; i++)
                objects[d][i] = finish(spec.withSplitDepth(splitDepths[i]), maps, o.withDecoding(decodings.get(d)))
                        .objects();
        }
        return objects;
    }

    /** {@code decodedAsIs}: the maps go to {@link #finish} unresized, so the foreground can be thresholded here. */
    private static Maps predict(
            Engine engine,
            SegmentationSpec spec,
            TiledPredictor.Source source,
            Options o,
            boolean decodedAsIs,
            TiledPredictor.Progress progress) {
        return predict(engine, spec, source, o, decodedAsIs, progress, null);
    }

    /** {@code raw}: the image as the user gave it, for a model from elsewhere whose postprocessing refers to it. */
    private static Maps predict(
            Engine engine,
            SegmentationSpec spec,
            TiledPredictor.Source source,
            Options o,
            boolean decodedAsIs,
            TiledPredictor.Progress progress,
            float[][] raw) {
        if (source.channels() != spec.inputChannels()) {
            throw new IllegalArgumentException(
                    "the model expects " + spec.inputChannels() + " channel(s) but the image has " + source.channels()
                            + "; convert it (Image › Color › Split/Merge Channels) to match");
        }
        int width = source.width(),
                height = source.height(),
                outputs = spec.classes().size(),
                k = spec.classChannels();
        if ((long) width * height > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "images over 2^31 pixels do not fit one array: use ImgLib2Segmenter.segmentLarge (cell images) or BandSegmenter");
        }
        if (k > 127) throw new IllegalArgumentException("models with more than 127 classes are not supported");
        boolean distance = spec.task() == SegmentationTask.INSTANCES;
        byte[] classes = new byte[width * height];
        float[][] probabilities = o.probabilities() ? new float[k][width * height] : null;
        Decoding decoding = o.decoding();
        // outlines per object need the probabilities themselves
        boolean threshold = distance && decodedAsIs && !decoding.perObject();
        float[] foreground = distance && !threshold ? new float[width * height] : null;
        float[] dist = distance ? new float[width * height] : null;
        boolean[] mask = threshold ? new boolean[width * height] : null;
        boolean[] seeds = threshold && decoding.hysteresis() ? new boolean[width * height] : null;
        Threshold low = Threshold.of(decoding.foreground()), high = Threshold.of(decoding.seed());
        boolean logits = "logits".equals(spec.output());
        boolean semanticObjects =
                spec.task() == SegmentationTask.SEMANTIC && o.objects().makesObjects();
        ProbabilityObjects.Channels named = semanticObjects ? ProbabilityObjects.channels(spec) : null;
        if (semanticObjects) foreground = new float[width * height];
        float[] boundary = semanticObjects && named.boundary() >= 0 ? new float[width * height] : null;
        float[] fg = foreground;
        double t = o.objects().threshold();
        float single = (float) (logits ? Math.log(t / (1 - t)) : t); // a logit passes where its sigmoid passes t
        tiles(engine, spec, source, o, progress, raw).accept(tile -> {
            if (tile.classes() != outputs) {
                throw new IllegalStateException(
                        "the model produced " + tile.classes() + " output channels but its sidecar names " + outputs
                                + " classes; fix the sidecar's classes list");
            }
            float[] out = tile.output(), v = new float[k], p = new float[k];
            int plane = tile.plane();
            for (int y = tile.y0(); y < tile.y0() + tile.height(); y++) {
                int q = tile.index(y, tile.x0()), i = y * width + tile.x0();
                for (int x = 0; x < tile.width(); x++, q++, i++) {
                    // One channel is a probability: its class is whether it passes the threshold.
                    classes[i] = k == 1 ? (byte) (out[q] > single ? 1 : 0) : (byte) tile.argmaxAt(q, k);
                    if (probabilities != null) {
                        for (int c = 0; c < k; c++) v[c] = out[q + c * plane];
                        probabilitiesOf(v, logits, p);
                        for (int c = 0; c < k; c++) probabilities[c][i] = p[c];
                    }
                    if (threshold) {
                        if (mask[i] = low.test(out, q, plane, k, logits)) {
                            dist[i] = distanceAt(out, q, plane);
                            if (seeds != null) seeds[i] = high.test(out, q, plane, k, logits);
                        }
                    } else if (distance) {
                        fg[i] = foreground(out, q, plane, k, logits);
                        dist[i] = distanceAt(out, q, plane);
                    } else if (semanticObjects) {
                        fg[i] = named.foreground() < 0
                                ? foreground(out, q, plane, k, logits)
                                : classProbability(out, q, plane, k, logits, named.foreground());
                        if (boundary != null)
                            boundary[i] = classProbability(out, q, plane, k, logits, named.boundary());
                    }
                }
            }
        });
        return new Maps(width, height, classes, probabilities, foreground, mask, seeds, dist, boundary);
    }

    /** Class {@code c}'s probability at {@code q}: its softmax of logits, or the value as it is. */
    static float classProbability(float[] out, int q, int plane, int k, boolean logits, int c) {
        if (!logits) return out[q + c * plane];
        if (k == 1) return FloatMath.sigmoid(out[q]); // one logit: a probability by its sigmoid
        float max = Float.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < k; j++) max = Math.max(max, out[q + j * plane]);
        for (int j = 0; j < k; j++) sum += FloatMath.exp(out[q + j * plane] - max);
        return FloatMath.exp(out[q + c * plane] - max) / sum;
    }

    /**
     * The network's output for the source, tile by tile, to a sink: tiled as the options say, or — for a model from
     * elsewhere with postprocessing ({@link TensorIo}) — the whole output at once, postprocessed as its description
     * says (statistics over the whole image), as one tile. Such a model's source holds its preprocessed image.
     */
    private static Consumer<Consumer<TiledPredictor.Tile>> tiles(
            Engine engine,
            SegmentationSpec spec,
            TiledPredictor.Source source,
            Options o,
            TiledPredictor.Progress progress,
            float[][] raw) {
        TensorIo io = spec.tensorIo();
        if (io == null || io.postprocessing().isEmpty())
            return sink -> TiledPredictor.predict(engine, source, o.layout(), sink, progress);
        return sink -> {
            int w = source.width(), h = source.height();
            float[][][] out = new float[1][][];
            TiledPredictor.predict(
                    engine,
                    source,
                    o.layout(),
                    tile -> {
                        if (out[0] == null) out[0] = new float[tile.classes()][w * h];
                        for (int c = 0; c < tile.classes(); c++)
                            for (int y = tile.y0(); y < tile.y0() + tile.height(); y++)
                                for (int x = tile.x0(); x < tile.x0() + tile.width(); x++)
                                    out[0][c][y * w + x] = tile.at(c, y, x);
                    },
                    progress);
            float[][] post = io.postprocess(out[0], raw);
            float[] whole = new float[post.length * w * h];
            for (int c = 0; c < post.length; c++) System.arraycopy(post[c], 0, whole, c * w * h, w * h);
            sink.accept(TiledPredictor.Tile.whole(whole, post.length, h, w));
        };
    }

    /** Objects from the maps: the basins of the distance map (instances-distance), or interior seeds grown into the boundary class (3-class). */
    private static Result finish(SegmentationSpec spec, Maps m, Options o) {
        int[] objects = null;
        int count = 0;
        if (spec.task() == SegmentationTask.INSTANCES) {
            Decoding d = o.decoding();
            boolean[] fg = m.mask(), seeds = m.seeds();
            if (fg == null && !d.perObject()) {
                fg = new boolean[m.foreground().length];
                seeds = d.hysteresis() ? new boolean[fg.length] : null;
                for (int i = 0; i < fg.length; i++) {
                    float f = m.foreground()[i];
                    fg[i] = f > d.foreground();
                    if (seeds != null) seeds[i] = f > d.seed();
                }
            }
            DistanceInstances.Options cut = new DistanceInstances.Options(spec.split(), smallestObject(spec, o, 1));
            if (d.perObject()) {
                float[] p = m.foreground();
                boolean[] low = new boolean[p.length];
                for (int i = 0; i < p.length; i++) low[i] = p[i] > d.lowest();
                int[] all = DistanceInstances.decode(low, m.distance(), m.width(), m.height(), cut);
                objects = d.keep(d.outlineEach(all, p, cut.minObjectPixels()), null);
            } else {
                objects = d.keep(DistanceInstances.decode(fg, m.distance(), m.width(), m.height(), cut), seeds);
            }
            count = Instances.count(objects);
        } else if (spec.task() == SegmentationTask.INSTANCES_3CLASS) {
            objects = Instances.fromThreeClass(m.classes(), m.width(), m.height(), o.minObjectPixels());
            count = Instances.count(objects);
        } else if (m.foreground() != null && o.objects().makesObjects()) {
            objects = o.objects().objects(m.foreground(), m.boundary(), m.width(), m.height(), o.minObjectPixels());
            count = Instances.count(objects);
        }
        return new Result(m.width(), m.height(), m.classes(), m.probabilities(), objects, count);
    }

    /**
     * The smallest object a distance model's result keeps, in pixels of the grid its objects are decoded on, which is
     * {@code grid} times the image's in each direction (1: the maps resized back to the image; {@code o.scale()}: the
     * network's grid, as the banded path decodes): at least the caller's minimum and {@link #SPECK_PIXELS} pixels of
     * the image, unless the image's own objects are so small that a disc of half their diameter is smaller. On real
     * nuclei (DSB2018 val and the shipped run's 48 held-out images) most false objects were such specks of debris and
     * noise, a few pixels regardless of the nuclei's size; dropping them raised mean AP@0.5 from 0.84 to 0.86 on both
     * sets, where a rule relative to the nuclei's size did less. Other models: the caller's minimum.
     */
    public static int smallestObject(SegmentationSpec spec, Options o, double grid) {
        int floor = Math.max(1, o.minObjectPixels());
        if (spec.task() != SegmentationTask.INSTANCES || !(spec.objectDiameter() > 0)) return floor;
        double half = 0.5 * spec.objectDiameter() / o.scale() * grid; // half the objects' diameter on this grid
        return Math.max(floor, (int) Math.round(Math.min(SPECK_PIXELS * grid * grid, Math.PI / 4 * half * half)));
    }

    /** Objects below this many pixels are taken for specks (see {@link #smallestObject}). */
    static final int SPECK_PIXELS = 25;

    /**
     * A distance model's pixel is foreground where 1 − p(background) exceeds this: 0.6 rather than 0.5 trims the
     * soft rim the model predicts around real nuclei (measured on the sets above: mean AP@0.5 +0.01, DSB +0.02).
     */
    static final float FOREGROUND = 0.6f;

    /**
     * A distance model's foreground probability at {@code q} of a tile's output ({@link TiledPredictor.Tile#index}),
     * 1 − p(background): from logits 1 − 1 / (1 + Σ_c≥1 e^(l_c − l_0)), the softmax's own value with k − 1
     * exponentials and no per-class division (an overflow gives 1, not NaN); from probabilities 1 − p_0.
     */
    static float foreground(float[] out, int q, int plane, int k, boolean logits) {
        float background = out[q];
        if (!logits) return 1 - background;
        float sum = 1;
        for (int c = 1; c < k; c++) sum += FloatMath.exp(out[q + c * plane] - background);
        return 1 - 1 / sum;
    }

    /** {@code foreground(...) > FOREGROUND}, bit for bit, mostly without exponentials ({@link Threshold#test}). */
    static boolean isForeground(float[] out, int q, int plane, int k, boolean logits) {
        return DEFAULT_THRESHOLD.test(out, q, plane, k, logits);
    }

    private static final Threshold DEFAULT_THRESHOLD = Threshold.of(FOREGROUND);

    /**
     * A foreground threshold T with what decides it without exponentials: with d = max_c≥1 (l_c − l_0), Σ e^(l_c −
     * l_0) lies in [e^d, (k−1)·e^d], and the pixel is foreground iff that sum exceeds T / (1 − T). Where d clears
     * ln(T / (1 − T)) (or ln(T / (1 − T) / (k−1))) by 0.01 — a hundred thousand times the float error of the exact
     * expression — the answer is certain; only pixels near the threshold (object rims) compute it. Most of a tile is
     * clearly in or out, and the two exponentials per pixel were a sixth of the post-processing.
     */
    record Threshold(float value, float surelyForeground, float[] surelyBackground) {
        private static final double MARGIN = 0.01;

        static Threshold of(float t) {
            double odds = t / (1.0 - t);
            float[] background = new float[128]; // per class count k (k − 1 non-background terms), up to 127 classes
            background[0] = background[1] = Float.NEGATIVE_INFINITY; // never used: k >= 2
            for (int k = 2; k < background.length; k++) background[k] = (float) (Math.log(odds / (k - 1)) - MARGIN);
            return new Threshold(t, (float) (Math.log(odds) + MARGIN), background);
        }

        /** {@code foreground(...) > value}, bit for bit. */
        boolean test(float[] out, int q, int plane, int k, boolean logits) {
            if (logits && k >= 2) {
                float background = out[q], d = Float.NEGATIVE_INFINITY;
                for (int c = 1; c < k; c++) d = Math.max(d, out[q + c * plane] - background);
                if (d > surelyForeground) return true;
                if (k < surelyBackground.length && d < surelyBackground[k]) return false;
            }
            return foreground(out, q, plane, k, logits) > value;
        }
    }

    /** A distance model's distance map at {@code q} of a tile's output: the sigmoid of its 4th output channel. */
    static float distanceAt(float[] out, int q, int plane) {
        return FloatMath.sigmoid(out[q + 3 * plane]);
    }

    /** Softmax of logits (or the values as they are) into {@code out}. */
    static void probabilitiesOf(float[] v, boolean logits, float[] out) {
        if (!logits) {
            System.arraycopy(v, 0, out, 0, v.length);
            return;
        }
        if (v.length == 1) { // one logit: a probability by its sigmoid (a softmax of one value is always 1)
            out[0] = FloatMath.sigmoid(v[0]);
            return;
        }
        Softmax.probabilities(v, 0, v.length, out);
    }
}
