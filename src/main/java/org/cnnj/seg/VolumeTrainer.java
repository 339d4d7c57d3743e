package org.cnnj.seg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cnnj.loss.BceWithLogits;
import org.cnnj.model.Normalization;
import org.cnnj.model.Sidecars;
import org.cnnj.onnx.TrainingGraph;
import org.cnnj.onnx.TrainingLoss;
import org.cnnj.ops.Add;
import org.cnnj.ops.Narrow;
import org.cnnj.optim.Adam;
import org.cnnj.optim.AdamConfig;
import org.cnnj.optim.LrSchedule;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.runtime.OrtTraining;
import org.cnnj.runtime.VolumeSize;
import org.cnnj.tensor.Autograd;
import org.cnnj.tensor.Tensor;
import org.cnnj.train.Prefetch;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainingLoop;
import org.cnnj.train.TrainingRun;
import org.cnnj.util.Rng;

/**
 * Trains a 3-D U-Net for instances on stacks with 3-D label images: every volume brought to one z/xy voxel ratio and
 * one object size (median diameter), patches of (patchDepth, patch, patch) voxels, two thirds centred on an object,
 * zoomed ×0.8–1.25 (trilinear: sizes vary, and the model sees the interpolated noise of a rescaled stack), flipped on
 * every axis and turned in-plane, with intensity augmentation (contrast, offset, gamma, noise) so the model
 * does not learn one microscope; loss = BCE(foreground) + BCE(normalized 3-D distance); validation AP@0.5 (3-D, pooled)
 * after every epoch; checkpoints, resume, cancel and early stopping as every CNN-J training; the split depth chosen on
 * the validation volumes at the end.
 */
public final class VolumeTrainer {
    /** The best model, its sidecar and how training ended. */
    public record Result(VolumeUNet model, VolumeSpec spec, TrainingLoop.Outcome outcome) {}

    /**
     * A new 3-D U-Net's depth and base filters; patch depth in slices (0: as deep in physical units as the patch is
     * wide, a multiple of the network's); the object diameter (xy voxels) volumes are brought to (0: their median, or
     * the model's when fine-tuning); whether patches vary in intensity; a CNN-J 3-D model to fine-tune ({@code from},
     * null: a new network) — it keeps its architecture, voxel ratio, object size and split depth.
     */
    public record Recipe(
            int depth, int filters, int patchDepth, double diameter, boolean intensityAugmentation, Path from) {
        public Recipe {
            if (depth < 1 || depth > 4) throw new IllegalArgumentException("3-D training: depth must be 1..4");
            if (filters < 1) throw new IllegalArgumentException("3-D training: filters must be >= 1");
            if (patchDepth < 0) throw new IllegalArgumentException("3-D training: patch depth must be >= 0");
            if (!(diameter == 0 || (diameter >= 4 && diameter <= 200)))
                throw new IllegalArgumentException(
                        "3-D training: the object diameter must be 4..200 voxels (or 0 = from the labels)");
        }

        public Recipe(int depth, int filters, int patchDepth, double diameter, boolean intensityAugmentation) {
            this(depth, filters, patchDepth, diameter, intensityAugmentation, null);
        }

        public static Recipe defaults() {
            return new Recipe(2, 16, 0, 0, true);
        }

        public Recipe withNetwork(int levels, int baseFilters) {
            return new Recipe(levels, baseFilters, patchDepth, diameter, intensityAugmentation, from);
        }

        public Recipe withPatchDepth(int slices) {
            return new Recipe(depth, filters, slices, diameter, intensityAugmentation, from);
        }

        public Recipe withDiameter(double d) {
            return new Recipe(depth, filters, patchDepth, d, intensityAugmentation, from);
        }

        /** Fine-tunes the 3-D model {@code model} (.onnx with its sidecar) instead of training a new network. */
        public Recipe withFrom(Path model) {
            return new Recipe(depth, filters, patchDepth, diameter, intensityAugmentation, model);
        }
    }

    /** The model a recipe fine-tunes: its network with its weights, and its sidecar. */
    private record Start(VolumeUNet net, VolumeSpec spec, Path file) {
        static Start of(Recipe recipe, int channels) throws IOException {
            if (recipe.from() == null) return null;
            Path model = recipe.from();
            if (!VolumeSpec.describes(model)) {
                throw new IllegalArgumentException(model.getFileName() + " is not a CNN-J 3-D model (its sidecar "
                        + Sidecars.of(model).getFileName() + " is missing or describes another task); fine-tune a"
                        + " model train-seg3d made, e.g. models/nuclei3d.onnx");
            }
            VolumeSpec spec = VolumeSpec.read(Sidecars.of(model));
            spec.checkAgainst(model);
            if (spec.inputChannels() != channels) {
                throw new IllegalArgumentException(model.getFileName() + " takes " + spec.inputChannels()
                        + " channel(s) and the stacks have " + channels + "; fine-tune a model of as many channels");
            }
            return new Start(VolumeSegmenter.loadNetwork(model, spec), spec, model);
        }

        /** This run's provenance and where it started: the model's file, how that was made and on what. */
        Map<String, String> provenance(TrainingRun<LabeledVolume> run) {
            return run.startedFrom(file, spec.provenance()).provenance();
        }
    }

    /** The 3-D model's loss as ONNX Runtime's training step computes it: BCE on the foreground + BCE on the distance. */
    static final TrainingLoss LOSS = new TrainingLoss.Channels(List.of(
            new TrainingLoss.Part(0, 1, new TrainingLoss.BinaryCrossEntropy()),
            new TrainingLoss.Part(1, 1, new TrainingLoss.BinaryCrossEntropy())));

    private VolumeTrainer() {}

    public static Result train(TrainingRun<LabeledVolume> run, Recipe recipe) throws IOException {
        List<LabeledVolume> data = run.data();
        check(data);
        if (run.validation() != null) check(run.validation());
        TrainConfig cfg = run.config();
        Rng rng = new Rng(cfg.seed());
        TrainingLoop.Split<LabeledVolume> split = run.validation() != null
                ? new TrainingLoop.Split<>(data, run.validation())
                : TrainingLoop.split(data, cfg.validationFraction(), rng);
        Start start = Start.of(recipe, data.get(0).image().length);
        // the training voxels' z/xy ratio: the model's when fine-tuning, else the median of the stacks' (the others are
        // resampled to it)
        double ratio = start != null
                ? start.spec.zRatio()
                : data.stream().mapToDouble(LabeledVolume::zRatio).sorted().toArray()[data.size() / 2];
        double diameter = recipe.diameter() > 0
                ? recipe.diameter()
                : start != null ? start.spec.objectDiameter() : medianDiameter(data);
        VolumeUNetConfig arch = start != null
                ? start.spec.architecture()
                : new VolumeUNetConfig(data.get(0).image().length, 2, recipe.depth(), recipe.filters(), ratio);
        int[] m = arch.sizeMultiple();
        if (cfg.patch() % m[1] != 0)
            throw new IllegalArgumentException("3-D training: patch " + cfg.patch() + " must be a multiple of " + m[1]);
        int pd = recipe.patchDepth() > 0 ? recipe.patchDepth() : (int) Math.round(cfg.patch() / ratio);
        pd = Math.max(m[0], (pd + m[0] - 1) / m[0] * m[0]);
        if (pd % m[0] != 0)
            throw new IllegalArgumentException("3-D training: patch depth " + pd + " must be a multiple of " + m[0]);
        VolumeSpec spec;
        if (start != null) {
            spec = VolumeSpec.forUNet(arch, start.spec.voxel(), start.spec.unit(), diameter, start.provenance(run))
                    .withSplitDepth(start.spec.splitDepth());
        } else {
            LabeledVolume typical =
                    data.stream().filter(v -> v.zRatio() == ratio).findFirst().orElseThrow();
            spec = VolumeSpec.forUNet(arch, typical.voxel(), typical.unit(), diameter, run.provenance());
        }
        List<Prepared> training = prepare(split.training(), ratio, diameter, spec.normalization());
        boolean scored = run.scored();
        List<LabeledVolume> validation = scored ? rescaled(split.validation(), ratio, diameter) : List.of();
        VolumeUNet net = start != null ? start.net : new VolumeUNet(arch, rng.split());
        Adam adam = new Adam(net.parameters(), AdamConfig.adam(cfg.learningRate()));
        long total = (long) cfg.epochs() * cfg.stepsPerEpoch();
        long warm = Math.min(50, total / 10);
        LrSchedule schedule = new LrSchedule.Warmup(warm, new LrSchedule.Cosine(Math.max(1, total - warm), 0.05));
        Sampler sampler = new Sampler(
                training, new int[] {pd, cfg.patch(), cfg.patch()}, recipe.intensityAugmentation(), rng.split());
        int batch = cfg.batch(), c = arch.inChannels();
        int[] patch = {pd, cfg.patch(), cfg.patch()};
        TrainingLoop.Outcome end;
        int[] shape = {batch, c, patch[0], patch[1], patch[2]};
        // Opened before the batch thread: a model the graph cannot train fails here and leaves no thread behind.
        try (OrtTraining ort = cfg.engine().open(net, adam, new TrainingGraph.Step(shape, LOSS), run.listener());
                Prefetch<Batch> next = new Prefetch<>(() -> sampler.next(batch))) {
            end = TrainingLoop.fit(run, net, adam, schedule, new TrainingLoop.Task() {
                public double step() {
                    Batch b = next.next();
                    if (ort != null)
                        return ort.step(b.images, Map.of("part0/target", b.foreground, "part1/target", b.distance));
                    Tensor out = net.forward(Tensor.of(b.images, batch, c, patch[0], patch[1], patch[2]));
                    Tensor fg = BceWithLogits.apply(
                            Narrow.channels(out, 0, 1),
                            Tensor.of(b.foreground, batch, 1, patch[0], patch[1], patch[2]));
                    Tensor dist = BceWithLogits.apply(
                            Narrow.channels(out, 1, 1), Tensor.of(b.distance, batch, 1, patch[0], patch[1], patch[2]));
                    Tensor loss = Add.apply(fg, dist);
                    Autograd.backwardAndRelease(loss);
                    return loss.item();
                }

                public double validate() {
                    return scored
                            ? SegmentationTrainer.pooledAp(
                                    matches(net, spec, validation, new double[] {spec.splitDepth()})[0])
                            : Double.NaN;
                }

                public String metric() {
                    return "AP@0.5";
                }

                public String checkpointKey() {
                    return "best_ap";
                }
            });
        }
        VolumeSpec chosen = spec;
        if (!end.cancelled() && scored && split.validation() != split.training()) {
            // As in 2-D: the present depth stays unless another is better by more than chance on these stacks.
            double[] depths =
                    SegmentationTrainer.withDepth(new double[] {0.05, 0.1, 0.15, 0.2, 0.3, 0.4}, spec.splitDepth());
            chosen = spec.withSplitDepth(SegmentationTrainer.chooseSplitDepth(
                    spec.splitDepth(), depths, matches(net, spec, validation, depths)));
        }
        net.train(true);
        return new Result(net, chosen, end);
    }

    /** Per split depth the counts of true positives, false positives and misses at IoU 0.5 over all volumes. */
    static long[][] matches(VolumeUNet net, VolumeSpec spec, List<LabeledVolume> volumes, double[] depths) {
        long[][] counts = new long[depths.length][3];
        try {
            VolumeSegmenter segmenter = new VolumeSegmenter(new JavaEngine(net), spec);
            VolumeSegmenter.Options o = new VolumeSegmenter.Options(spec.objectDiameter(), null, depths[0], 0);
            for (LabeledVolume v : volumes) {
                VolumeSegmenter.Result r = segmenter.segment(v, o, line -> {}, null);
                for (int i = 0; i < depths.length; i++)
                    SegmentationTrainer.addMatches(
                            counts[i], v.labels(), i == 0 ? r.labels() : segmenter.decode(v, r, depths[i]));
            }
        } finally {
            net.train(true);
        }
        return counts;
    }

    private static void check(List<LabeledVolume> data) {
        if (data.isEmpty()) throw new IllegalArgumentException("3-D training: no stack/label pairs were given");
        int c = data.get(0).image().length;
        boolean any = false;
        for (LabeledVolume v : data) {
            if (v.labels() == null) throw new IllegalArgumentException(v.name() + " has no label stack");
            if (v.image().length != c)
                throw new IllegalArgumentException(v.name() + " has " + v.image().length + " channel(s), "
                        + data.get(0).name() + " " + c + "; give every stack the same channels");
            for (int l : v.labels()) if (l > 0) any = true;
        }
        if (!any) throw new IllegalArgumentException("3-D training: every label stack is empty (all 0)");
    }

    /** Median sphere-equivalent diameter (xy voxels) of all objects of all volumes, each at its own z/xy ratio. */
    static double medianDiameter(List<LabeledVolume> data) {
        double[] all = data.stream()
                .flatMapToDouble(v -> Arrays.stream(VolumeObjects.diameters(v.labels(), v.zRatio())))
                .sorted()
                .toArray();
        if (all.length == 0) throw new IllegalArgumentException("3-D training: no objects in the labels");
        return Math.max(4, all[all.length / 2]);
    }

    /** Each volume with z spacing {@code ratio}× its xy and objects of {@code diameter} (xy voxels). */
    static List<LabeledVolume> rescaled(List<LabeledVolume> data, double ratio, double diameter) {
        List<LabeledVolume> out = new ArrayList<>();
        for (LabeledVolume v : data) {
            boolean objects = Arrays.stream(v.labels()).anyMatch(l -> l > 0); // a stack without objects keeps its size
            double own = objects ? medianDiameter(List.of(v)) : diameter;
            double sXy = Math.abs(Math.log(own / diameter)) > Math.log(1.15) ? diameter / own : 1;
            double sZ = sXy * v.zRatio() / ratio;
            if (Math.abs(sZ - 1) < 0.05 && sXy == 1) {
                out.add(v);
                continue;
            }
            VolumeSize to = v.size().scaled(sZ, sXy);
            float[][] image = new float[v.image().length][];
            for (int c = 0; c < image.length; c++) image[c] = VolumeScaling.linear(v.image()[c], v.size(), to);
            double[] voxel = {v.voxel()[0] / sZ, v.voxel()[1] / sXy, v.voxel()[2] / sXy};
            out.add(new LabeledVolume(
                    v.name(), image, VolumeScaling.nearest(v.labels(), v.size(), to), to, voxel, v.unit()));
        }
        return out;
    }

    /** A volume ready to sample: normalized channels and its two targets. */
    private record Prepared(float[][] image, float[] foreground, float[] distance, int[] labels, VolumeSize size) {}

    private static List<Prepared> prepare(List<LabeledVolume> data, double ratio, double diameter, Normalization n) {
        List<Prepared> out = new ArrayList<>();
        for (LabeledVolume v : rescaled(data, ratio, diameter)) {
            float[][] image = new float[v.image().length][];
            for (int c = 0; c < image.length; c++) image[c] = n.apply(v.image()[c]);
            float[] fg = new float[v.voxels()];
            for (int p = 0; p < fg.length; p++) fg[p] = v.labels()[p] > 0 ? 1 : 0;
            float[] dist = DistanceMap.normalized(v.labels(), v.width(), v.height(), v.depth(), ratio);
            out.add(new Prepared(image, fg, dist, v.labels(), v.size()));
        }
        return out;
    }

    private record Batch(float[] images, float[] foreground, float[] distance) {}

    /** Random patches: two in three centred on an object voxel; flips, in-plane turns, intensity changes. */
    private static final class Sampler {
        private final List<Prepared> volumes;
        private final int[] patch;
        private final boolean intensity;
        private final Rng rng;

        Sampler(List<Prepared> volumes, int[] patch, boolean intensity, Rng rng) {
            this.volumes = volumes;
            this.patch = patch;
            this.intensity = intensity;
            this.rng = rng;
        }

        synchronized Batch next(int batch) {
            int c = volumes.get(0).image().length, vol = patch[0] * patch[1] * patch[2];
            float[] images = new float[batch * c * vol], fg = new float[batch * vol], dist = new float[batch * vol];
            for (int b = 0; b < batch; b++) {
                Prepared v = volumes.get(rng.nextInt(volumes.size()));
                // zoom ×0.8–1.25 (log-uniform), linearly resampled: sizes vary and the model sees the interpolated
                // noise of a stack rescaled to its object size
                double zoom = Math.exp(rng.uniform((float) Math.log(0.8), (float) Math.log(1.25)));
                int[] region = new int[3];
                for (int a = 0; a < 3; a++) region[a] = Math.max(1, (int) Math.round(patch[a] / zoom));
                int[] origin = origin(v, region);
                boolean fz = rng.uniform() < 0.5, fy = rng.uniform() < 0.5, fx = rng.uniform() < 0.5;
                boolean turn = patch[1] == patch[2] && rng.uniform() < 0.5;
                Sampling at = new Sampling(v, origin, region, patch, new boolean[] {fz, fy, fx});
                for (int ch = 0; ch < c; ch++) crop(v.image()[ch], v, at, turn, images, (b * c + ch) * vol);
                crop(v.foreground(), v, at, turn, fg, b * vol);
                crop(v.distance(), v, at, turn, dist, b * vol);
                if (intensity) vary(images, b * c * vol, c * vol);
            }
            return new Batch(images, fg, dist);
        }

        /** Where a patch's region starts: two times in three around an object voxel, else anywhere. */
        private int[] origin(Prepared v, int[] region) {
            int[] dims = v.size().dims(), o = new int[3];
            int[] centre = null;
            if (rng.uniform() < 0.67) {
                for (int t = 0; t < 20 && centre == null; t++) {
                    int p = rng.nextInt(v.labels().length);
                    if (v.labels()[p] > 0)
                        centre = new int[] {p / (dims[1] * dims[2]), p / dims[2] % dims[1], p % dims[2]};
                }
            }
            for (int a = 0; a < 3; a++) {
                int room = dims[a] - region[a];
                if (room <= 0) o[a] = room / 2; // smaller than the region: centred, zeros around
                else if (centre != null) o[a] = Math.max(0, Math.min(room, centre[a] - region[a] / 2));
                else o[a] = rng.nextInt(room + 1);
            }
            return o;
        }

        /**
         * Per axis, for each patch index: the two source indices and the second's weight (a region of {@code region}
         * voxels at {@code origin} resampled to the patch, voxel centres aligned; flipped where told). Same size: each
         * index reads exactly one voxel.
         */
        private record Sampling(int[][] lo, int[][] hi, float[][] weight) {
            Sampling(Prepared v, int[] origin, int[] region, int[] patch, boolean[] flip) {
                this(new int[3][], new int[3][], new float[3][]);
                int[] dims = v.size().dims();
                for (int a = 0; a < 3; a++) {
                    int n = patch[a];
                    lo[a] = new int[n];
                    hi[a] = new int[n];
                    weight[a] = new float[n];
                    double step = (double) region[a] / n;
                    for (int i = 0; i < n; i++) {
                        int j = flip[a] ? n - 1 - i : i;
                        double q = origin[a] + (j + 0.5) * step - 0.5;
                        int f = (int) Math.floor(q);
                        lo[a][i] = f < 0 || f >= dims[a] ? -1 : f;
                        hi[a][i] = f + 1 < 0 || f + 1 >= dims[a] ? -1 : f + 1;
                        weight[a][i] = (float) (q - f);
                    }
                }
            }
        }

        /** The patch of {@code src} (trilinear, zeros outside the volume), turned in-plane as told, into dst. */
        private void crop(float[] src, Prepared v, Sampling s, boolean turn, float[] dst, int at) {
            int pd = patch[0],
                    ph = patch[1],
                    pw = patch[2],
                    h = v.size().height(),
                    w = v.size().width();
            for (int z = 0; z < pd; z++)
                for (int y = 0; y < ph; y++)
                    for (int x = 0; x < pw; x++) {
                        int yy = turn ? x : y, xx = turn ? y : x;
                        float sum = 0;
                        for (int cz = 0; cz < 2; cz++) {
                            int iz = cz == 0 ? s.lo()[0][z] : s.hi()[0][z];
                            float wz = cz == 0 ? 1 - s.weight()[0][z] : s.weight()[0][z];
                            if (iz < 0 || wz == 0) continue;
                            for (int cy = 0; cy < 2; cy++) {
                                int iy = cy == 0 ? s.lo()[1][yy] : s.hi()[1][yy];
                                float wy = cy == 0 ? 1 - s.weight()[1][yy] : s.weight()[1][yy];
                                if (iy < 0 || wy == 0) continue;
                                int row = (iz * h + iy) * w;
                                float lx = 1 - s.weight()[2][xx], hx = s.weight()[2][xx];
                                int ix0 = s.lo()[2][xx], ix1 = s.hi()[2][xx];
                                float line = (ix0 >= 0 ? lx * src[row + ix0] : 0)
                                        + (ix1 >= 0 && hx != 0 ? hx * src[row + ix1] : 0);
                                sum += wz * wy * line;
                            }
                        }
                        dst[at + (z * ph + y) * pw + x] = sum;
                    }
        }

        /** Contrast ×0.6–1.4, offset ±0.15, gamma 0.7–1.5 on the 0..1 part, Gaussian noise σ 0–0.08. */
        private void vary(float[] a, int from, int length) {
            float contrast = rng.uniform(0.6f, 1.4f), offset = rng.uniform(-0.15f, 0.15f);
            float gamma = rng.uniform(0.7f, 1.5f), noise = rng.uniform(0f, 0.08f);
            for (int i = from; i < from + length; i++) {
                float v = a[i], inside = Math.max(0, Math.min(1, v));
                v = v - inside + (float) Math.pow(inside, gamma);
                a[i] = v * contrast + offset + noise * rng.normal();
            }
        }
    }
}
