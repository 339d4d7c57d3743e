package org.cnnj.det;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.data.Resize;
import org.cnnj.data.ScaleLadder;
import org.cnnj.model.BuiltInModels;
import org.cnnj.model.Sidecars;
import org.cnnj.nn.Module;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.ops.RoiAlign;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.tensor.GradMode;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.FloatMath;
import org.cnnj.util.Rng;

/**
 * Applies a detector, two-stage or one-stage ({@link DetectorKind}), to images of any size.
 *
 * <p>Where each part runs, and why: the convolutional work (backbone + RPN, and the head's fully
 * connected layers) runs in ONNX Runtime, CPU or CUDA; anchor decoding, NMS and ROI Align run in Java
 * between the two graphs. They are a few milliseconds per tile, the same code the network was trained
 * with (no mismatch between ONNX RoiAlign conventions and training), and NMS must in any case run
 * again across tiles, which no single network run sees.
 *
 * <p>Large images are cut into overlapping tiles (overlap ≥ 1.25 × the largest anchor). The tiles'
 * "cores" partition the image (boundaries in the middle of each overlap); a detection is kept by the
 * tile whose core holds its centre, where the object lies wholly inside the tile; a final class-wise
 * NMS over all tiles removes what remains doubled.
 *
 * <p>A two-stage detector with masks (Mask R-CNN) has a third graph, the mask head: it runs on ROI Align crops at the
 * final boxes of each tile, and each detection keeps its class's mask ({@link Instance}); {@link MaskPaste} makes one
 * label image of them. Options may resize the image first (the detector's training object size, see {@link
 * #estimateScale}); results come back in the image's own pixels.
 *
 * <p>A one-stage detector is one graph (image → the two pyramid levels); its boxes are decoded in Java
 * ({@link OneStageDecoder}), its tiles overlap by 1.25 × the largest training object and are padded to a multiple
 * of 16.
 */
public final class ObjectDetector implements AutoCloseable {
    /**
     * Tile side, minimum class probability, NMS overlap, most detections per image, and the factor the image is resized
     * by before the network sees it (1: as it is; results always come back in the image's own pixels).
     */
    public record Options(int tile, float scoreThreshold, float nmsIou, int maxDetections, double scale) {
        /** The image as it is. */
        public Options(int tile, float scoreThreshold, float nmsIou, int maxDetections) {
            this(tile, scoreThreshold, nmsIou, maxDetections, 1);
        }

        public Options {
            if (!(scale >= 1 / 16.0 && scale <= 8))
                throw new IllegalArgumentException("detect: resizing by x" + scale + " is outside x1/16..x8");
            if (tile < 32) throw new IllegalArgumentException("detect: tile must be at least 32 pixels, got " + tile);
            if (!(scoreThreshold >= 0 && scoreThreshold <= 1))
                throw new IllegalArgumentException("detect: score threshold must be in [0, 1], got " + scoreThreshold);
            if (!(nmsIou > 0 && nmsIou <= 1))
                throw new IllegalArgumentException("detect: NMS IoU must be in (0, 1], got " + nmsIou);
            if (maxDetections < 1) throw new IllegalArgumentException("detect: max detections must be >= 1");
        }

        /** The tile side the defaults use (and the proposal counts are set for: {@link Proposals.Limits}). */
        public static final int DEFAULT_TILE = 512;

        /** The sidecar's defaults: its thresholds, and images resized as in training ({@link DetectorSpec#scale}). */
        public static Options of(DetectorSpec spec) {
            return new Options(DEFAULT_TILE, spec.scoreThreshold(), spec.nmsIou(), 100_000, spec.scale());
        }

        /** The same options resizing the image by {@code factor} first. */
        public Options withScale(double factor) {
            return new Options(tile, scoreThreshold, nmsIou, maxDetections, factor);
        }

        /** The same options in tiles of {@code side} pixels. */
        public Options withTile(int side) {
            return new Options(side, scoreThreshold, nmsIou, maxDetections, scale);
        }

        /** The same options keeping detections from {@code score} (mAP wants the whole ranking: 0.05). */
        public Options withScoreThreshold(float score) {
            return new Options(tile, score, nmsIou, maxDetections, scale);
        }
    }

    /** The graphs of a detector, however they are run. */
    interface Network extends AutoCloseable {
        /** image [1, C, H, W] → features, objectness, deltas (two-stage) or the pyramid levels (one-stage). */
        List<Tensor> backbone(Tensor image);

        /** crops [K, F, P, P] → class logits [K, classes + 1], box deltas [K, 4]. */
        List<Tensor> head(Tensor crops);

        /** crops [K, F, R, R] at the detections → mask logits [K, classes, 2R, 2R] (detectors with a mask head). */
        default Tensor mask(Tensor crops) {
            throw new UnsupportedOperationException("this detector has no mask head");
        }

        String describe();

        @Override
        void close();
    }

    private final Network network;
    private final DetectorSpec spec;
    /** Seconds spent inside the network runs and in the Java stages between them, for the benchmark. */
    private double networkSeconds, proposalSeconds, roiAlignSeconds, decodeSeconds;

    private ObjectDetector(Network network, DetectorSpec spec) {
        this.network = network;
        this.spec = spec;
    }

    /** Opens model.onnx, its head graph and its sidecar with ONNX Runtime on {@code device}. */
    public static ObjectDetector open(Path model, Device device, int threads, Consumer<String> log) throws IOException {
        Sidecars.refusePackage(model, "detector", "trained with Train Detector (./cnnj train-det)");
        model = BuiltInModels.file(model, log);
        DetectorSpec spec = DetectorSpec.read(Sidecars.of(model));
        if (spec.kind() == DetectorKind.ONE_STAGE) return oneGraph(OrtEngine.open(model, device, threads, log), spec);
        Path head = model.resolveSibling(spec.head());
        if (!Files.isRegularFile(head))
            throw new IOException(
                    "the detector's head graph " + head + " is missing; copy it next to " + model.getFileName());
        checkHead(head, spec, model);
        Path maskHead = spec.hasMasks() ? model.resolveSibling(spec.maskHead()) : null;
        if (maskHead != null && !Files.isRegularFile(maskHead))
            throw new IOException("the detector's mask head graph " + maskHead + " is missing; copy it next to "
                    + model.getFileName());
        OrtEngine main = OrtEngine.open(model, device, threads, log), second = null, third = null;
        try {
            second = OrtEngine.open(head, device, threads, line -> {});
            if (maskHead != null) third = OrtEngine.open(maskHead, device, threads, line -> {});
        } catch (IOException | RuntimeException e) {
            main.close();
            if (second != null) second.close();
            throw e;
        }
        OrtEngine boxes = second, masks = third;
        return new ObjectDetector(
                new Network() {
                    public List<Tensor> backbone(Tensor image) {
                        return main.runAll(image);
                    }

                    public List<Tensor> head(Tensor crops) {
                        return boxes.runAll(crops);
                    }

                    public Tensor mask(Tensor crops) {
                        return masks.run(crops);
                    }

                    public String describe() {
                        return main.describe();
                    }

                    public void close() {
                        main.close();
                        boxes.close();
                        if (masks != null) masks.close();
                    }
                },
                spec);
    }

    private static ObjectDetector oneGraph(OrtEngine engine, DetectorSpec spec) {
        return new ObjectDetector(
                new Network() {
                    public List<Tensor> backbone(Tensor image) {
                        return engine.runAll(image);
                    }

                    public List<Tensor> head(Tensor crops) {
                        throw new UnsupportedOperationException("a one-stage detector has no head graph");
                    }

                    public String describe() {
                        return engine.describe();
                    }

                    public void close() {
                        engine.close();
                    }
                },
                spec);
    }

    /** Refuses a head graph whose class scores do not fit the sidecar's classes (one score more: the background). */
    static void checkHead(Path head, DetectorSpec spec, Path model) throws IOException {
        OnnxModelInfo info = OnnxModelInfo.read(head);
        if (info.outputs().isEmpty()) return;
        long[] logits = info.outputs().get(0).dims();
        int expected = spec.classes().size() + 1;
        if (logits.length == 2 && logits[1] > 0 && logits[1] != expected) {
            throw new IOException(Sidecars.of(model).getFileName() + " names "
                    + spec.classes().size() + " classes "
                    + spec.classes() + " but the head graph " + head.getFileName() + " scores " + (logits[1] - 1)
                    + " (plus the background); use the sidecar and head that were exported together");
        }
    }

    /** Opens model.onnx with the Java engine (no native code): the network rebuilt from the sidecar, weights from both graphs. */
    public static ObjectDetector openJava(Path model) throws IOException {
        Sidecars.refusePackage(model, "detector", "trained with Train Detector (./cnnj train-det)");
        model = BuiltInModels.file(model);
        DetectorSpec spec = DetectorSpec.read(Sidecars.of(model));
        return java(loadNetwork(model, spec), spec);
    }

    /** Runs a detector (a {@link Detector} or a {@link OneStageNetwork}) in Java (no ONNX Runtime): validation during training, cross-checks. */
    public static ObjectDetector java(Module network, DetectorSpec spec) {
        if (network instanceof OneStageNetwork one) return javaOneStage(one, spec);
        Detector net = (Detector) network;
        return new ObjectDetector(
                new Network() {
                    public List<Tensor> backbone(Tensor image) {
                        net.train(false);
                        return GradMode.noGrad(() -> {
                            Tensor f = net.forward(image);
                            Detector.Rpn rpn = net.rpn(f);
                            return List.of(f, rpn.objectness(), rpn.deltas());
                        });
                    }

                    public List<Tensor> head(Tensor crops) {
                        return GradMode.noGrad(() -> {
                            DetectorHead.Output o = net.head.heads(crops);
                            return List.of(o.classLogits(), o.boxDeltas());
                        });
                    }

                    public Tensor mask(Tensor crops) {
                        return GradMode.noGrad(() -> net.mask.forward(crops));
                    }

                    public String describe() {
                        return "CNN-J Java engine";
                    }

                    public void close() {
                        net.train(true);
                    }
                },
                spec);
    }

    private static ObjectDetector javaOneStage(OneStageNetwork net, DetectorSpec spec) {
        return new ObjectDetector(
                new Network() {
                    public List<Tensor> backbone(Tensor image) {
                        net.train(false);
                        return GradMode.noGrad(() -> net.levels(image));
                    }

                    public List<Tensor> head(Tensor crops) {
                        throw new UnsupportedOperationException("a one-stage detector has no head graph");
                    }

                    public String describe() {
                        return "CNN-J Java engine";
                    }

                    public void close() {
                        net.train(true);
                    }
                },
                spec);
    }

    /**
     * Writes a trained detector: {@code model} (backbone + RPN), its head graph and the sidecar, or a one-stage
     * detector's one graph and sidecar (each via a temporary file; the sidecar last, so an interrupted save never
     * looks complete).
     */
    public static void save(Module network, DetectorSpec spec, Path model) throws IOException {
        if (network instanceof OneStageNetwork one) {
            saveOneStage(one, spec, model);
            return;
        }
        Detector net = (Detector) network;
        DetectorConfig c = net.config;
        Map<String, String> meta = new LinkedHashMap<>(spec.provenance());
        meta.put("cnnj.classes", String.join(",", c.classes()));
        Path head = model.resolveSibling(spec.head());
        OnnxExport.exportGraph(
                net,
                new int[] {1, c.featureChannels(), c.roiSize(), c.roiSize()},
                false,
                crops -> {
                    DetectorHead.Output o = net.head.heads(crops);
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    out.put("class_logits", o.classLogits());
                    out.put("box_deltas", o.boxDeltas());
                    return out;
                },
                meta,
                head);
        if (net.mask != null) {
            int r = net.maskConfig.roiSize();
            OnnxExport.exportGraph(
                    net,
                    new int[] {1, c.featureChannels(), r, r},
                    false,
                    crops -> Map.of("mask_logits", net.mask.forward(crops)),
                    meta,
                    model.resolveSibling(spec.maskHead()));
        }
        OnnxExport.exportGraph(
                net,
                new int[] {1, c.inputChannels(), 64, 64},
                true,
                image -> {
                    Tensor f = net.forward(image);
                    Detector.Rpn rpn = net.rpn(f);
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    out.put("features", f);
                    out.put("objectness", rpn.objectness());
                    out.put("deltas", rpn.deltas());
                    return out;
                },
                meta,
                model);
        spec.write(Sidecars.of(model));
    }

    /** The one graph of a one-stage detector: image [N, C, H, W] (H, W multiples of 16) → level8, level16. */
    private static void saveOneStage(OneStageNetwork net, DetectorSpec spec, Path model) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(spec.provenance());
        meta.put("cnnj.classes", String.join(",", net.config.classes()));
        OnnxExport.exportGraph(
                net,
                new int[] {1, net.config.inputChannels(), 64, 64},
                true,
                image -> {
                    List<Tensor> levels = net.levels(image);
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    out.put("level8", levels.get(0));
                    out.put("level16", levels.get(1));
                    return out;
                },
                meta,
                model);
        spec.write(Sidecars.of(model));
    }

    public DetectorSpec spec() {
        return spec;
    }

    public String describe() {
        return network.describe();
    }

    public double networkSeconds() {
        return networkSeconds;
    }

    /** Seconds in proposal decoding + NMS, ROI Align, and detection decoding + NMS, in that order. */
    public double[] javaStageSeconds() {
        return new double[] {proposalSeconds, roiAlignSeconds, decodeSeconds};
    }

    /**
     * Detects objects in an image given as channel planes (raw values; normalized here as the sidecar says).
     * {@code progress} hears (tiles done, tiles) and may be null.
     */
    public List<Detection> detect(
            float[][] planes, int width, int height, Options o, TiledPredictor.Progress progress) {
        return detectInstances(planes, width, height, o, progress).stream()
                .map(Instance::detection)
                .toList();
    }

    /**
     * Detects objects with their masks (null masks for a detector without a mask head); {@link MaskPaste} turns them
     * into a label image.
     */
    public List<Instance> detectInstances(
            float[][] planes, int width, int height, Options o, TiledPredictor.Progress progress) {
        if (planes.length != spec.inputChannels()) {
            throw new IllegalArgumentException(
                    "the detector expects " + spec.inputChannels() + " channel(s) but the image has " + planes.length
                            + "; convert the image (split or merge channels) to match");
        }
        int minimum = spec.kind() == DetectorKind.ONE_STAGE ? 32 : 2 * DetectorConfig.STRIDE * 2;
        if (width < minimum || height < minimum) {
            throw new IllegalArgumentException(
                    "the image is " + width + "x" + height + ", smaller than the detector's minimum " + minimum + "x"
                            + minimum + "; enlarge the canvas (Image > Adjust > Canvas Size)");
        }
        float[][] normalized = normalized(planes, width, height);
        if (o.scale() != 1) {
            int sw = Resize.scaled(width, o.scale()), sh = Resize.scaled(height, o.scale());
            if (sw < minimum || sh < minimum)
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "resized x%.3g the %dx%d image is smaller than the detector's minimum %dx%d; give a larger"
                                + " object size or none",
                        o.scale(),
                        width,
                        height,
                        minimum,
                        minimum));
            normalized = Resize.bilinear(normalized, width, height, sw, sh);
            float fx = (float) (width / (double) sw), fy = (float) (height / (double) sh);
            return tiles(normalized, sw, sh, o.withScale(1), progress).stream()
                    .map(in -> in.scaled(fx, fy))
                    .toList();
        }
        return tiles(normalized, width, height, o, progress);
    }

    /**
     * The factor to resize an image by so objects of {@code pixels} (the median side √(w · h) of their boxes) appear at
     * the size the detector was trained on.
     */
    public double scaleForSize(double pixels) {
        requireObjectSize();
        double scale = spec.objectSize() / pixels;
        if (!(scale >= 1 / 16.0 && scale <= 8))
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "objects of %.1f px would resize the image x%.3g for this detector (trained on %.1f px objects);"
                            + " give an object size between %.1f and %.1f px",
                    pixels,
                    scale,
                    spec.objectSize(),
                    spec.objectSize() / 8,
                    spec.objectSize() * 16));
        return scale;
    }

    /**
     * The factor to resize an image by, estimated with the detector itself ({@link ScaleLadder}: the centre of the
     * image detected at a ladder of scales, the median box side of the whole objects read where they stop changing);
     * 1 when nothing was found or the objects are within 10% of the training size. {@code log} hears the estimate.
     */
    public double estimateScale(float[][] planes, int width, int height, Consumer<String> log) {
        requireObjectSize();
        float[][] normalized = normalized(planes, width, height);
        ScaleLadder.Result e =
                ScaleLadder.estimate(spec.objectSize(), scale -> measure(normalized, width, height, scale));
        if (!e.found()) {
            log.accept("object size auto: no objects found at any scale (" + String.join("; ", e.ladder())
                    + "); detecting at the detector's own scale");
            return spec.scale();
        }
        double scale = clampScale(spec.objectSize() / e.size());
        // One more look at the scale found, where the objects appear at about the training size and the detector
        // measures them best (at the ladder's smaller scale it misses the smallest objects, which biases the median
        // up).
        ScaleLadder.Measured there = measure(normalized, width, height, scale);
        double size = e.size();
        if (there != null && there.objects() >= 3 && there.size() > 0) {
            size = there.size() / scale;
            scale = clampScale(spec.objectSize() / size);
        }
        if (ScaleLadder.near(scale, spec.scale())) scale = spec.scale();
        log.accept(String.format(
                Locale.ROOT,
                "object size auto: objects about %.1f px across (detector: %.1f px), image resized x%.3f",
                size,
                spec.objectSize(),
                scale));
        return scale;
    }

    private static double clampScale(double scale) {
        return Math.max(1 / 16.0, Math.min(8, scale));
    }

    /** Side of the window the estimate looks at, in network pixels. */
    static final int WINDOW = 384;

    /**
     * Median box side (network pixels) of the objects found in the image's centre window resized by {@code scale},
     * boxes cut by the window's edge and specks below a quarter of the training size left out; null when the window is
     * too small.
     */
    private ScaleLadder.Measured measure(float[][] normalized, int width, int height, double scale) {
        int cw = Math.min(width, (int) Math.ceil(WINDOW / scale)),
                ch = Math.min(height, (int) Math.ceil(WINDOW / scale));
        int sw = Resize.scaled(cw, scale), sh = Resize.scaled(ch, scale);
        if (sw < 64 || sh < 64) return null;
        ScaleLadder.Window centre = ScaleLadder.Window.centred(width, height, cw, ch);
        float[][] window = ScaleLadder.resized(normalized, width, centre, scale);
        boolean cropped = centre.crops(width, height);
        List<Double> sides = new ArrayList<>();
        for (Instance in : tiles(window, sw, sh, Options.of(spec), null)) {
            Detection d = in.detection();
            if (cropped && (d.x1() < 1 || d.y1() < 1 || d.x2() > sw - 1 || d.y2() > sh - 1)) continue;
            double side = Math.sqrt(d.width() * d.height());
            if (side >= 0.25 * spec.objectSize()) sides.add(side);
        }
        if (sides.isEmpty()) return new ScaleLadder.Measured(0, 0);
        sides.sort(null);
        return new ScaleLadder.Measured(sides.get(sides.size() / 2), sides.size());
    }

    private void requireObjectSize() {
        if (!(spec.objectSize() > 0))
            throw new IllegalArgumentException("this detector does not record the object size it was trained on, so"
                    + " images cannot be resized to it; set the object size to none (or retrain it with this CNN-J"
                    + " version, which records it)");
    }

    private float[][] normalized(float[][] planes, int width, int height) {
        float[][] normalized = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) {
            if (planes[c].length != width * height)
                throw new IllegalArgumentException("every channel must hold width × height pixels");
            normalized[c] = spec.normalization().apply(planes[c]);
        }
        return normalized;
    }

    /** Detection over overlapping tiles of normalized planes (see the class comment). */
    private List<Instance> tiles(
            float[][] normalized, int width, int height, Options o, TiledPredictor.Progress progress) {
        int overlap = overlap(spec);
        int tile = Math.max(o.tile(), 2 * overlap);
        int tileX = tileSide(width, tile), tileY = tileSide(height, tile);
        int[] xs = starts(width, tileX, overlap), ys = starts(height, tileY, overlap);
        List<Instance> all = new ArrayList<>();
        int done = 0, total = xs.length * ys.length;
        for (int ty = 0; ty < ys.length; ty++) {
            for (int tx = 0; tx < xs.length; tx++) {
                int tw = Math.min(tileX, width - xs[tx]), th = Math.min(tileY, height - ys[ty]);
                float coreX0 = core(xs, tx, tileX, false), coreX1 = core(xs, tx, tileX, true);
                float coreY0 = core(ys, ty, tileY, false), coreY1 = core(ys, ty, tileY, true);
                for (Instance in : detectTile(normalized, width, xs[tx], ys[ty], tw, th, o)) {
                    Detection d = in.detection();
                    float cx = xs[tx] + 0.5f * (d.x1() + d.x2()), cy = ys[ty] + 0.5f * (d.y1() + d.y2());
                    if (cx >= coreX0 && cx < coreX1 && cy >= coreY0 && cy < coreY1) all.add(in.shifted(xs[tx], ys[ty]));
                }
                if (progress != null) progress.update(++done, total);
            }
        }
        return total == 1 ? all : mergeTiles(all, o);
    }

    private List<Instance> detectTile(float[][] planes, int width, int x0, int y0, int tw, int th, Options o) {
        if (spec.kind() == DetectorKind.ONE_STAGE)
            return boxesOnly(detectTileOneStage(planes, width, x0, y0, tw, th, o));
        int channels = planes.length;
        float[] tile = new float[channels * tw * th];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < th; y++)
                System.arraycopy(planes[c], (y0 + y) * width + x0, tile, (c * th + y) * tw, tw);
        }
        DetectorConfig c = spec.architecture();
        long t0 = System.nanoTime();
        List<Tensor> stage1 = network.backbone(Tensor.of(tile, 1, channels, th, tw));
        networkSeconds += (System.nanoTime() - t0) / 1e9;
        Tensor features = stage1.get(0), objectness = stage1.get(1), deltas = stage1.get(2);
        int fh = features.dim(2), fw = features.dim(3);
        float[] anchors = Anchors.grid(DetectorConfig.STRIDE, c.anchorSizes(), c.aspectRatios(), fh, fw);
        long t1 = System.nanoTime();
        Proposals.Result proposals = Proposals.of(
                objectness.data(),
                0,
                deltas.data(),
                0,
                anchors,
                c.anchorsPerLocation(),
                fh,
                fw,
                tw,
                th,
                Proposals.Limits.INFERENCE.forPixels((long) tw * th));
        long t2 = System.nanoTime();
        proposalSeconds += (t2 - t1) / 1e9;
        if (proposals.count() == 0) return List.of();
        Tensor crops = GradMode.noGrad(() -> RoiAlign.apply(
                features,
                proposals.boxes(),
                new int[proposals.count()],
                1f / DetectorConfig.STRIDE,
                c.roiSize(),
                DetectorConfig.SAMPLING_RATIO));
        t0 = System.nanoTime();
        roiAlignSeconds += (t0 - t2) / 1e9;
        List<Tensor> head = network.head(crops);
        long t3 = System.nanoTime();
        networkSeconds += (t3 - t0) / 1e9;
        List<Detection> found = DetectionDecoder.decode(
                proposals.boxes(),
                head.get(0).data(),
                head.get(1).data(),
                spec.classes(),
                tw,
                th,
                o.scoreThreshold(),
                o.nmsIou(),
                o.maxDetections());
        decodeSeconds += (System.nanoTime() - t3) / 1e9;
        return spec.hasMasks() ? masks(features, found) : boxesOnly(found);
    }

    private static List<Instance> boxesOnly(List<Detection> found) {
        return found.stream().map(d -> new Instance(d, null, 0)).toList();
    }

    /** The mask head on ROI Align crops at the final boxes; each detection keeps its class's map, as probabilities. */
    private List<Instance> masks(Tensor features, List<Detection> found) {
        if (found.isEmpty()) return List.of();
        MaskConfig mc = spec.masks();
        float[] boxes = Boxes.of(found);
        long t0 = System.nanoTime();
        Tensor crops = GradMode.noGrad(() -> RoiAlign.apply(
                features,
                boxes,
                new int[found.size()],
                1f / DetectorConfig.STRIDE,
                mc.roiSize(),
                DetectorConfig.SAMPLING_RATIO));
        long t1 = System.nanoTime();
        roiAlignSeconds += (t1 - t0) / 1e9;
        float[] logits = network.mask(crops).data();
        networkSeconds += (System.nanoTime() - t1) / 1e9;
        int m = mc.maskSize(), cells = m * m, classes = spec.classes().size();
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            Detection d = found.get(i);
            float[] mask = new float[cells];
            int at = (i * classes + d.classIndex()) * cells;
            for (int j = 0; j < cells; j++) mask[j] = FloatMath.sigmoid(logits[at + j]);
            out.add(new Instance(d, mask, m));
        }
        return out;
    }

    /** The tile padded (zeros: the normalized background) to a multiple of 16, as the pyramid needs. */
    private List<Detection> detectTileOneStage(float[][] planes, int width, int x0, int y0, int tw, int th, Options o) {
        int m = OneStageConfig.STRIDES[OneStageConfig.STRIDES.length - 1];
        int pw = (tw + m - 1) / m * m, ph = (th + m - 1) / m * m, channels = planes.length;
        float[] tile = new float[channels * pw * ph];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < th; y++)
                System.arraycopy(planes[c], (y0 + y) * width + x0, tile, (c * ph + y) * pw, tw);
        }
        long t0 = System.nanoTime();
        List<Tensor> levels = network.backbone(Tensor.of(tile, 1, channels, ph, pw));
        long t1 = System.nanoTime();
        networkSeconds += (t1 - t0) / 1e9;
        List<Detection> found = OneStageDecoder.decode(levels, spec.classes(), tw, th, o);
        decodeSeconds += (System.nanoTime() - t1) / 1e9;
        return found;
    }

    private static List<Instance> mergeTiles(List<Instance> all, Options o) {
        List<Detection> detections = all.stream().map(Instance::detection).toList();
        float[] scores = new float[all.size()];
        int[] classes = new int[all.size()];
        for (int i = 0; i < all.size(); i++) {
            scores[i] = detections.get(i).score();
            classes[i] = detections.get(i).classIndex();
        }
        float[] boxes = Boxes.of(detections);
        List<Instance> kept = new ArrayList<>();
        for (int i : Nms.keep(boxes, scores, classes, o.nmsIou(), o.maxDetections())) kept.add(all.get(i));
        return kept;
    }

    /**
     * Context a tile needs around an object: 1.25 × the largest anchor (two-stage) or training object (one-stage),
     * a multiple of the stride.
     */
    static int overlap(DetectorSpec spec) {
        if (spec.kind() == DetectorKind.ONE_STAGE) {
            int s = OneStageConfig.STRIDES[1];
            return (int) Math.ceil(1.25 * spec.oneStage().largestObject() / s) * s;
        }
        int s = DetectorConfig.STRIDE;
        return (int) Math.ceil(1.25 * spec.architecture().largestAnchor() / s) * s;
    }

    /**
     * The tile's side along an axis of {@code length}: the whole axis where it is at most a quarter longer than the
     * tile, else the tile. Tiles overlap by 1.25 × the largest anchor or object, so an image a little larger than a
     * tile was run as two to four tiles that were nearly all overlap (a 600 × 600 image in tiles of 512: 2.9× its
     * pixels); one tile a quarter larger holds at most 1.6× the pixels of one tile.
     */
    static int tileSide(int length, int tile) {
        return length <= tile + tile / 4 ? length : tile;
    }

    /** Tile start positions along an axis: steps of tile − overlap, the last tile flush with the edge. */
    static int[] starts(int length, int tile, int overlap) {
        if (length <= tile) return new int[] {0};
        int step = tile - overlap, n = (int) Math.ceil((double) (length - tile) / step) + 1;
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = Math.min(i * step, length - tile);
        return s;
    }

    /** Core boundary of tile i: the middle of its overlap with the neighbour (image edges for the outer tiles). */
    static float core(int[] starts, int i, int tile, boolean end) {
        if (!end) return i == 0 ? Float.NEGATIVE_INFINITY : 0.5f * (starts[i] + starts[i - 1] + tile);
        return i == starts.length - 1 ? Float.POSITIVE_INFINITY : 0.5f * (starts[i + 1] + starts[i] + tile);
    }

    @Override
    public void close() {
        network.close();
    }

    /**
     * The trainable detector inside a CNN-J detector's ONNX files (for the Java engine and fine-tuning): a
     * {@link Detector} or a {@link OneStageNetwork}.
     */
    public static Module loadNetwork(Path model, DetectorSpec spec) throws IOException {
        Map<String, float[]> weights = new HashMap<>(OnnxModelInfo.read(model).weights());
        if (spec.kind() == DetectorKind.ONE_STAGE) {
            OneStageNetwork net = new OneStageNetwork(spec.oneStage(), new Rng(0));
            JavaEngine.copyWeights(model, weights, net);
            return net;
        }
        weights.putAll(OnnxModelInfo.read(model.resolveSibling(spec.head())).weights());
        if (spec.hasMasks())
            weights.putAll(
                    OnnxModelInfo.read(model.resolveSibling(spec.maskHead())).weights());
        Detector net = new Detector(spec.architecture(), spec.masks(), new Rng(0));
        JavaEngine.copyWeights(model, weights, net);
        return net;
    }
}
