package org.cnnj.seg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.cnnj.data.Resize;
import org.cnnj.data.ScaleLadder;
import org.cnnj.model.Sidecars;
import org.cnnj.nn.Module;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.onnx.OnnxModelInfo;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.EngineKind;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.runtime.VolumeSize;
import org.cnnj.runtime.VolumeTiler;
import org.cnnj.util.FloatMath;
import org.cnnj.util.Rng;

/**
 * Applies a 3-D instance model to a stack: percentile normalization over the volume; rescaling so that objects have
 * the model's size in xy ({@code diameter}, or measured with the model, {@link #estimateDiameter}) and z spacing over
 * xy spacing that of its training voxels (from the stack's calibration); the 3-D U-Net block by block with a halo
 * ({@link VolumeTiler}); objects as the basins of its distance map (seeded 3-D watershed, {@link DistanceInstances}) on
 * the grid it saw, their labels taken back to the stack's grid.
 */
public final class VolumeSegmenter {
    /**
     * How to apply: the objects' diameter in xy voxels of the stack (0: measured), block core (d, h, w; null: sized to
     * the heap, {@link #layout}), the dip that splits two objects (0: the model's), the smallest object (voxels at the stack's grid; 0:
     * a tenth of the model's object volume).
     */
    public record Options(double diameter, int[] block, double splitDepth, int minObjectVoxels) {
        public Options {
            if (!(diameter == 0 || (diameter >= 2 && diameter <= 2000)))
                throw new IllegalArgumentException(
                        "the object diameter must be 2..2000 voxels (or 0 = measured), got " + diameter);
            if (block != null && (block.length != 3 || Arrays.stream(block).anyMatch(b -> b < 1)))
                throw new IllegalArgumentException("the block takes three sizes >= 1 (d, h, w)");
            if (!(splitDepth == 0 || (splitDepth > 0 && splitDepth < 1)))
                throw new IllegalArgumentException("the split depth must be in (0, 1), got " + splitDepth);
            if (minObjectVoxels < 0) throw new IllegalArgumentException("the minimum object size must be >= 0");
        }

        public static Options defaults() {
            return new Options(0, null, 0, 0);
        }

        public Options withDiameter(double d) {
            return new Options(d, block, splitDepth, minObjectVoxels);
        }

        public Options withBlock(int... b) {
            return new Options(diameter, b, splitDepth, minObjectVoxels);
        }

        public Options withMinObjectVoxels(int v) {
            return new Options(diameter, block, splitDepth, v);
        }
    }

    /**
     * Labels [D·H·W] 1..objects; the diameter (xy voxels) the objects were taken to have and the scale factors (z, xy)
     * the model saw the stack at; the maps (foreground and distance probabilities on the grid the model saw, {@code grid}) and the smallest object kept
     * there (voxels).
     */
    public record Result(
            int[] labels,
            int objects,
            double diameter,
            double scaleZ,
            double scaleXy,
            float[] foreground,
            float[] distance,
            int minObjectVoxels,
            VolumeSize grid,
            VolumeScaling.Axes back) {}

    private final Engine engine;
    private final VolumeSpec spec;

    public VolumeSegmenter(Engine engine, VolumeSpec spec) {
        this.engine = engine;
        this.spec = spec;
    }

    /** Opens {@code model} (a .onnx with its 3-D sidecar) on {@code kind}'s engine. */
    public static VolumeSegmenter open(Path model, EngineKind kind, Device device, int threads, Consumer<String> log)
            throws IOException {
        VolumeSpec spec = VolumeSpec.read(Sidecars.of(model));
        spec.checkAgainst(model);
        if (kind == EngineKind.JAVA) return new VolumeSegmenter(new JavaEngine(loadNetwork(model, spec)), spec);
        return new VolumeSegmenter(OrtEngine.openVolume(model, device, threads, log), spec);
    }

    static VolumeUNet loadNetwork(Path model, VolumeSpec spec) throws IOException {
        VolumeUNet net = new VolumeUNet(spec.architecture(), new Rng(0));
        JavaEngine.copyWeights(model, OnnxModelInfo.read(model).weights(), net);
        return net;
    }

    /** Writes a trained network as {@code onnx} with its sidecar beside it, each complete or not at all. */
    public static void save(Module net, VolumeSpec spec, Path onnx) throws IOException {
        int[] m = spec.tileMultiple();
        OnnxExport.export(
                net,
                new int[] {1, spec.inputChannels(), 2 * m[0], 2 * m[1], 2 * m[2]},
                Map.of("cnnj.task", Sidecars.VOLUME),
                onnx);
        spec.write(Sidecars.of(onnx));
    }

    public VolumeSpec spec() {
        return spec;
    }

    public Engine engine() {
        return engine;
    }

    /** Segments {@code v}; {@code log} hears the scale chosen, {@code progress} each block. */
    public Result segment(LabeledVolume v, Options o, Consumer<String> log, VolumeTiler.Progress progress) {
        if (v.image().length != spec.inputChannels()) {
            throw new IllegalArgumentException(v.name() + " has " + v.image().length + " channel(s) but the 3-D model"
                    + " takes " + spec.inputChannels() + "; choose the channel(s) it was trained on");
        }
        double ratio = zRatioOf(v, log);
        float[][] normalized = new float[v.image().length][];
        for (int c = 0; c < normalized.length; c++)
            normalized[c] = spec.normalization().apply(v.image()[c]);
        double diameter = o.diameter() > 0 ? o.diameter() : estimateDiameter(v, normalized, ratio, o, log);
        Result r = run(v, normalized, ratio, diameter, o, progress, null);
        log.accept(String.format(
                Locale.ROOT,
                "%s: %d objects (diameter %.1f xy voxels; seen at z×%.2f, xy×%.2f)",
                v.name(),
                r.objects(),
                r.diameter(),
                r.scaleZ(),
                r.scaleXy()));
        return r;
    }

    /**
     * Segments a volume already normalized — a block of a larger one, normalized with the whole volume's percentiles —
     * at {@code o.diameter()}, which must be given (a block is segmented at the whole volume's size, not its own);
     * {@code part}: where the block lies in the whole volume (null: it is the whole).
     */
    public Result segmentNormalized(LabeledVolume v, float[][] normalized, Options o, Part part) {
        if (o.diameter() <= 0)
            throw new IllegalArgumentException(
                    "a block of a volume is segmented at the whole volume's object size: give the diameter");
        return run(v, normalized, zRatioOf(v, line -> {}), o.diameter(), o, null, part);
    }

    /**
     * A block of a larger volume: where it starts in the whole volume (voxels z, y, x) and the whole volume's size.
     * Resized, the block is resampled on the whole resized volume's grid, starting on the network's pooling grid of it,
     * and its objects are taken back to the block's voxels as the whole volume's are: each voxel gets what the whole
     * volume resized at once gives it (where the block holds its neighbours).
     */
    public record Part(VolumeSize whole, int z, int y, int x) {}

    /** The objects' diameter (xy voxels), measured on an already normalized volume as {@link #segment} measures it. */
    public double measureDiameter(LabeledVolume v, float[][] normalized, Consumer<String> log) {
        return estimateDiameter(v, normalized, zRatioOf(v, log), Options.defaults(), log);
    }

    /** Scales (model voxels per stack voxel in xy) tried by {@link #estimateDiameter}, smallest first. */
    static final double[] SCALES = {0.25, 0.35, 0.5, 0.71, 1, 1.41, 2, 2.83};

    /**
     * The objects' diameter (xy voxels of the stack), measured with the model itself on the centre of the stack at
     * scales a factor √2 apart, smallest first: a model cuts whatever it sees into objects of about its own size, so
     * the answer is read at the first scale at which the objects (those inside the crop) reach the model's size — where
     * they are whole rather than cut into model-sized fragments — and the next scale up measures them the same in the
     * stack's voxels (real objects keep their size in the stack; fragments shrink with the scale). The model's own size
     * (scale 1) when no scale is confirmed so ({@link #chosenScale}).
     */
    double estimateDiameter(LabeledVolume v, float[][] normalized, double ratio, Options o, Consumer<String> log) {
        double model = spec.objectDiameter();
        double[] found = new double[SCALES.length];
        for (int i = 0; i < SCALES.length; i++) found[i] = measureAt(v, normalized, ratio, SCALES[i], o);
        int i = chosenScale(found, model);
        if (i < 0) {
            log.accept(String.format(
                    Locale.ROOT,
                    "diameter auto: no size found (no two scales measured the objects alike); taking"
                            + " the model's %.1f voxels (give --diameter)",
                    model));
            return model;
        }
        if (ScaleLadder.near(found[i], model)) {
            // the measurement's own scatter (±6% on synthetic stacks): rescaling by this little only interpolates
            log.accept(String.format(
                    Locale.ROOT,
                    "diameter auto: objects about %.1f voxels across in xy, within"
                            + " %.0f%% of the model's %.1f: the stack is seen as it is",
                    found[i],
                    100 * (ScaleLadder.NEAR - 1),
                    model));
            return model;
        }
        log.accept(String.format(
                Locale.ROOT,
                "diameter auto: objects about %.1f voxels across in xy (model: %.1f)," + " stack seen at xy×%.2f",
                found[i],
                model,
                model / found[i]));
        return found[i];
    }

    /**
     * Which of {@link #SCALES} to read the size at, given the median diameter {@code found} there (stack voxels; 0: fewer
     * than 2 objects): the first whose objects reach 0.8 × the model's size there and that the next scale up confirms
     * (within 30%); -1 when none is confirmed. The largest scale has none above it and is never taken: on noisy stacks of
     * small nuclei the model there cut noise grains into objects of its size (two pseudo-3-D stacks read 4–4.5 voxels,
     * true 10–14, and gave ~25,000 objects); and a reading no scale confirms was off both ways on such stacks (taken, it
     * gave 423 objects for 52), so the model's own size is used instead.
     */
    static int chosenScale(double[] found, double model) {
        for (int i = 0; i + 1 < SCALES.length; i++) {
            if (found[i] <= 0 || found[i] * SCALES[i] < 0.8 * model) continue;
            if (found[i + 1] > 0 && Math.abs(Math.log(found[i + 1] / found[i])) < Math.log(1.3)) return i;
        }
        return -1;
    }

    /**
     * Median diameter in stack voxels of the objects found in the centre of the stack (as much as the model sees as
     * 112 × 112 voxels in xy, every slice) at xy scale {@code s}, those touching the crop's sides left out (of two, the
     * larger: a nucleus cut by the stack's top or bottom looks smaller); 0 for fewer than 2. Two, not three: an early
     * embryo holds two or four nuclei, and with none measured the model's own size cut two nuclei 40 voxels across into
     * 16 objects (the next scale's confirmation still guards against noise).
     */
    private double measureAt(LabeledVolume v, float[][] normalized, double ratio, double s, Options o) {
        int side = (int) Math.round(112 / s);
        int ch = Math.min(v.height(), side), cw = Math.min(v.width(), side);
        int y0 = (v.height() - ch) / 2, x0 = (v.width() - cw) / 2, d = v.depth();
        float[][] crop = new float[normalized.length][d * ch * cw];
        for (int c = 0; c < crop.length; c++)
            for (int z = 0; z < d; z++)
                for (int y = 0; y < ch; y++)
                    System.arraycopy(
                            normalized[c], (z * v.height() + y0 + y) * v.width() + x0, crop[c], (z * ch + y) * cw, cw);
        LabeledVolume part = new LabeledVolume(v.name(), crop, null, new VolumeSize(d, ch, cw), v.voxel(), v.unit());
        Result r = run(part, crop, ratio, spec.objectDiameter() / s, o, null, null);
        boolean[] cut = new boolean[r.objects() + 1];
        int[] kept = r.labels().clone();
        for (int z = 0; z < d; z++)
            for (int y = 0; y < ch; y++)
                for (int x = 0; x < cw; x++) {
                    boolean side0 = (y == 0 && y0 > 0)
                            || (y == ch - 1 && y0 + ch < v.height())
                            || (x == 0 && x0 > 0)
                            || (x == cw - 1 && x0 + cw < v.width());
                    if (side0) cut[kept[(z * ch + y) * cw + x]] = true;
                }
        for (int i = 0; i < kept.length; i++) if (cut[kept[i]]) kept[i] = 0;
        double[] diameters = VolumeObjects.diameters(kept, ratio);
        return diameters.length < 2 ? 0 : diameters[diameters.length / 2];
    }

    /** z spacing over xy spacing: the stack's own, or, without calibration, the model's (said once). */
    private double zRatioOf(LabeledVolume v, Consumer<String> log) {
        boolean calibrated = !"pixel".equals(v.unit()) || !Arrays.equals(v.voxel(), new double[] {1, 1, 1});
        if (!calibrated) {
            log.accept(String.format(
                    Locale.ROOT,
                    "%s has no voxel size: taking the model's z/xy ratio %.2f (set"
                            + " Image › Properties…, or give --voxel z,y,x)",
                    v.name(),
                    spec.zRatio()));
            return spec.zRatio();
        }
        double ratio = v.zRatio();
        if (ratio < 0.1 || ratio > 50) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "%s: voxel size %s %s gives z spacing %.3g×"
                            + " the xy spacing, which cannot be a microscope stack; correct it in Image › Properties… or give"
                            + " --voxel z,y,x",
                    v.name(),
                    Arrays.toString(v.voxel()),
                    v.unit(),
                    ratio));
        }
        return ratio;
    }

    private Result run(
            LabeledVolume v,
            float[][] normalized,
            double ratio,
            double diameter,
            Options o,
            VolumeTiler.Progress progress,
            Part part) {
        double sXy = spec.objectDiameter() / diameter, sZ = sXy * ratio / spec.zRatio();
        VolumeSize size = v.size(), whole = part == null ? size : part.whole(), wholeSeen = whole.scaled(sZ, sXy);
        VolumeScaling.Axes in, back;
        if (part == null || wholeSeen.equals(whole)) {
            in = VolumeScaling.Axes.whole(size, size.scaled(sZ, sXy));
            back = VolumeScaling.Axes.whole(in.size(), size);
        } else {
            Resize.Axis[][] axes = new Resize.Axis[3][];
            int[] at = {part.z(), part.y(), part.x()}, n = size.dims(), all = whole.dims(), seenAll = wholeSeen.dims();
            for (int a = 0; a < 3; a++) axes[a] = window(all[a], seenAll[a], at[a], n[a], spec.tileMultiple()[a]);
            in = new VolumeScaling.Axes(axes[0][0], axes[1][0], axes[2][0]);
            back = new VolumeScaling.Axes(axes[0][1], axes[1][1], axes[2][1]);
        }
        VolumeSize seen = in.size();
        VolumeTiler.Layout layout = layout(seen, o);
        checkMemory(v, seen, layout);
        float[][] input = new float[normalized.length][];
        for (int c = 0; c < input.length; c++)
            input[c] = seen.equals(size) ? normalized[c] : VolumeScaling.linear(normalized[c], size, in);
        float[][] out = VolumeTiler.predict(engine, input, seen, layout, progress);
        // Objects are cut where the network's maps are crisp, on the grid it saw, and their labels taken back to the
        // stack's grid (resampling the maps instead blurs the dips between touching objects away).
        float[] fg = sigmoid(out[0]), dist = sigmoid(out[1]);
        int min = o.minObjectVoxels() > 0
                ? (int) Math.max(1, Math.round(o.minObjectVoxels() * (double) wholeSeen.voxels() / whole.voxels()))
                : minVoxels(spec.objectDiameter(), spec.zRatio());
        double split = o.splitDepth() > 0 ? o.splitDepth() : spec.splitDepth();
        int[] labels = decode(fg, dist, seen, min, split, back);
        int objects = 0;
        for (int l : labels) objects = Math.max(objects, l);
        return new Result(labels, objects, diameter, sZ, sXy, fg, dist, min, seen, back);
    }

    /**
     * One axis of a block at {@code at} of {@code n} voxels in a whole axis of {@code all} voxels, seen as {@code
     * seenAll}: the seen voxels whose samples lie in the block, from a multiple of the network's {@code multiple}
     * ({@link Segmenter#networkRange}, as a plane's part), sampled as the whole axis's resize samples them, and the way
     * back to the block's voxels.
     */
    private static Resize.Axis[] window(int all, int seenAll, int at, int n, int multiple) {
        long[] range = Segmenter.networkRange(at, n, all, seenAll, multiple);
        Resize.Axis.Span seen = new Resize.Axis.Span(range[0], (int) (range[1] - range[0])),
                block = new Resize.Axis.Span(at, n);
        return new Resize.Axis[] {
            Resize.Axis.window(all, seenAll, seen, block), Resize.Axis.window(seenAll, all, block, seen)
        };
    }

    /** The objects of an earlier result's maps at another split depth, on the stack's grid, numbered 1..n. */
    int[] decode(LabeledVolume v, Result r, double splitDepth) {
        return decode(r.foreground(), r.distance(), r.grid(), r.minObjectVoxels(), splitDepth, r.back());
    }

    /** Objects of the maps on {@code grid}, their labels taken to the stack's grid by nearest ({@code back}), numbered 1..n. */
    private static int[] decode(
            float[] fg, float[] dist, VolumeSize grid, int min, double split, VolumeScaling.Axes back) {
        boolean[] mask = new boolean[fg.length];
        for (int p = 0; p < mask.length; p++) mask[p] = fg[p] > 0.5f;
        int[] onGrid = DistanceInstances.decode(mask, dist, grid, new DistanceInstances.Options((float) split, min));
        return consecutive(VolumeScaling.nearest(onGrid, grid, back));
    }

    /** Labels renumbered 1..n in order of first appearance (objects lost in resampling leave no gaps). */
    private static int[] consecutive(int[] labels) {
        Map<Integer, Integer> ids = new HashMap<>();
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++)
            if (labels[i] != 0) out[i] = ids.computeIfAbsent(labels[i], k -> ids.size() + 1);
        return out;
    }

    /** A tenth of the volume (in voxels of that grid) of a sphere of the objects' diameter. */
    private static int minVoxels(double diameter, double ratio) {
        double r = diameter / 2;
        return Math.max(4, (int) (0.1 * 4.0 / 3 * Math.PI * r * r * r / ratio));
    }

    /**
     * Blocks as asked, or the largest of up to 64 × 256 × 256 whose window (with the halo) a quarter of the heap holds
     * at the network's working memory per voxel; multiples of the model's, at least its halo, at most the volume.
     */
    VolumeTiler.Layout layout(VolumeSize size, Options o) {
        int[] m = spec.tileMultiple(), halo = spec.halo(), want = o.block();
        if (want == null) {
            long budget = Math.min(Runtime.getRuntime().maxMemory() / 4, 4L << 30);
            want = new int[] {64, 256, 256};
            while (want[1] > 64 && windowBytes(want, halo) > budget)
                want = new int[] {want[0], want[1] / 2, want[2] / 2};
        }
        int[] dims = size.dims(), tile = new int[3];
        for (int a = 0; a < 3; a++) {
            int padded = (dims[a] + m[a] - 1) / m[a] * m[a];
            int t = Math.max(want[a], Math.max(halo[a], m[a]));
            t = (t + m[a] - 1) / m[a] * m[a];
            tile[a] = Math.min(t, padded);
        }
        return new VolumeTiler.Layout(tile, halo, m);
    }

    /** Working memory of one block's window: about 40 bytes per voxel per base filter (activations, skips, unfolds). */
    private long windowBytes(int[] core, int[] halo) {
        long voxels = 1;
        for (int a = 0; a < 3; a++) voxels *= core[a] + 2L * halo[a];
        return voxels * 40L * spec.architecture().baseFilters();
    }

    /**
     * Refuses a stack whose whole-volume arrays still to come (the rescaled copy, both maps at both scales, the labels
     * and the watershed's) cannot fit next to one block in the memory left, with the numbers and what to do.
     */
    private void checkMemory(LabeledVolume v, VolumeSize seen, VolumeTiler.Layout layout) {
        long need = v.size().voxels() * 4L * 5
                + seen.voxels() * 4L * (v.image().length + 2)
                + windowBytes(layout.tile(), layout.halo());
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "%s (%s voxels%s) needs about %.1f GB to"
                            + " segment in 3-D but %.1f GB of memory is free; give Java more (Fiji: Edit › Options ›"
                            + " Memory & Threads; command line: JAVA_OPTS=-Xmx…), crop the stack, or segment it in"
                            + " blocks on Spark (./cnnj spark segment-blocks)",
                    v.name(),
                    v.size(),
                    seen.equals(v.size()) ? "" : ", " + seen + " as the model sees it",
                    need / 1e9,
                    free / 1e9));
        }
    }

    private static float[] sigmoid(float[] logits) {
        for (int i = 0; i < logits.length; i++) logits[i] = FloatMath.sigmoid(logits[i]);
        return logits;
    }

    /** Objects' measurements at the stack's calibration (see {@link VolumeObjects}). */
    public static List<VolumeObjects.Row> measure(LabeledVolume v, int[] labels) {
        return VolumeObjects.measure(labels, v.image()[0], v.size(), v.voxel());
    }
}
