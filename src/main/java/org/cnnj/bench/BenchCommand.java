package org.cnnj.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cnnj.runtime.Device;
import org.cnnj.seg.Diameter;

/**
 * {@code cnnj bench [--json] [--steps N] [--warmup N] [--batch N] [--size N] [--threads N] [--torch] [--blas]}.
 * With --torch, also runs src/test/python/bench_torch.py (Debian python3-torch, development only) on
 * the same configuration and thread count and prints the ratio.
 */
public final class BenchCommand {
    private BenchCommand() {}

    public static int run(String[] args) throws IOException, InterruptedException {
        if (args.length > 0 && args[0].equals("segment")) return segment(Arrays.copyOfRange(args, 1, args.length));
        if (args.length > 0 && args[0].equals("folder")) return folder(Arrays.copyOfRange(args, 1, args.length));
        if (args.length > 0 && args[0].equals("devices")) return devices(Arrays.copyOfRange(args, 1, args.length));
        if (args.length > 0 && args[0].equals("detect")) return detect(Arrays.copyOfRange(args, 1, args.length));
        if (args.length > 0 && args[0].equals("classify")) return classify(Arrays.copyOfRange(args, 1, args.length));
        if (args.length > 0 && args[0].equals("conv3d")) return conv3d(Arrays.copyOfRange(args, 1, args.length));
        if (args.length > 0 && args[0].equals("seg3d")) return seg3d(Arrays.copyOfRange(args, 1, args.length));
        if (args.length > 0 && args[0].equals("unet3d")) return unet3d(Arrays.copyOfRange(args, 1, args.length));
        TrainingBench.Options d = TrainingBench.Options.defaults();
        int warmup = d.warmup(), steps = d.steps(), batch = d.batch(), size = d.size(), threads = d.threads();
        boolean json = false, torch = false, ops = true, blas = false, ort = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--ort" -> ort = true;
                case "--torch" -> torch = true;
                case "--blas" -> blas = true;
                case "--no-ops" -> ops = false;
                case "--steps" -> steps = positive(args, ++i);
                case "--warmup" -> warmup = positive(args, ++i);
                case "--batch" -> batch = positive(args, ++i);
                case "--size" -> size = positive(args, ++i);
                case "--threads" -> threads = positive(args, ++i);
                default ->
                    throw new IllegalArgumentException("bench: unknown option " + args[i]
                            + "; options: --json --steps N --warmup N --batch N --size N --threads N --torch --blas --no-ops"
                            + " --ort");
            }
        }
        if (size % 8 != 0)
            throw new IllegalArgumentException("bench: --size must be a multiple of 8 (U-Net depth 3), got " + size);
        Map<String, Object> result =
                TrainingBench.run(new TrainingBench.Options(warmup, steps, batch, size, threads, ops, blas));
        if (ort) {
            TrainingBench.Options o = new TrainingBench.Options(warmup, steps, batch, size, threads, ops, blas);
            result.put("engines_alternating", TrainingBench.compareEngines(o, Device.AUTO));
        }
        if (torch) {
            Double torchSeconds = torchSecondsPerStep(warmup, steps, batch, size, threads);
            result.put("torch_seconds_per_step", torchSeconds == null ? "unavailable" : torchSeconds);
            if (torchSeconds != null) {
                result.put("speed_vs_torch", torchSeconds / (Double) result.get("seconds_per_step_median"));
            }
        }
        System.out.println(json ? Json.write(result, "") : human(result));
        return 0;
    }

    /** {@code cnnj bench conv3d [--channels 16] [--depth 32] [--size 64] [--steps 5] [--torch]}. */
    private static int conv3d(String[] args) throws IOException, InterruptedException {
        int channels = 16, depth = 32, size = 64, steps = 5;
        boolean torch = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--channels" -> channels = positive(args, ++i);
                case "--depth" -> depth = positive(args, ++i);
                case "--size" -> size = positive(args, ++i);
                case "--steps" -> steps = positive(args, ++i);
                case "--torch" -> torch = true;
                default ->
                    throw new IllegalArgumentException("bench conv3d: unknown option " + args[i]
                            + "; options: --channels --depth --size --steps --torch");
            }
        }
        System.out.println(Json.write(Conv3dBench.run(channels, depth, size, 2, steps, torch), ""));
        return 0;
    }

    /** {@code cnnj bench unet3d [--filters 16] [--depth 2] [--z-ratio 2] [--batch 2] [--patch 64] [--patch-depth 32]}. */
    private static int unet3d(String[] args) throws IOException, InterruptedException {
        int filters = 16, depth = 2, batch = 2, patch = 64, patchDepth = 32, steps = 5;
        double zRatio = 2;
        boolean torch = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--filters" -> filters = positive(args, ++i);
                case "--depth" -> depth = positive(args, ++i);
                case "--z-ratio" -> zRatio = Double.parseDouble(args[++i]);
                case "--batch" -> batch = positive(args, ++i);
                case "--patch" -> patch = positive(args, ++i);
                case "--patch-depth" -> patchDepth = positive(args, ++i);
                case "--steps" -> steps = positive(args, ++i);
                case "--torch" -> torch = true;
                default ->
                    throw new IllegalArgumentException("bench unet3d: unknown option " + args[i] + "; options:"
                            + " --filters --depth --z-ratio --batch --patch --patch-depth --steps --torch");
            }
        }
        VolumeTrainingBench.Options o =
                new VolumeTrainingBench.Options(filters, depth, zRatio, batch, patch, patchDepth, steps);
        System.out.println(Json.write(VolumeTrainingBench.run(o, torch), ""));
        return 0;
    }

    /**
     * {@code cnnj bench seg3d [--model models/nuclei3d.onnx] [--size 512] [--slices 100] [--threads 0]}, or with {@code
     * --data DIR [--diameter PX]} the model's AP@0.5 on annotated stacks.
     */
    private static int seg3d(String[] args) throws IOException {
        Path model = Path.of("models/nuclei3d.onnx");
        int size = 512, slices = 100, threads = 0;
        Path data = null;
        double diameter = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--diameter" -> diameter = Double.parseDouble(args[++i]);
                case "--model" -> model = Path.of(args[++i]);
                case "--size" -> size = positive(args, ++i);
                case "--slices" -> slices = positive(args, ++i);
                case "--threads" -> threads = positive(args, ++i);
                default ->
                    throw new IllegalArgumentException("bench seg3d: unknown option " + args[i]
                            + "; options: --model --size --slices --threads --data --diameter");
            }
        }
        if (data != null) {
            System.out.println(Json.write(VolumeBench.accuracy(model, data, diameter, threads), ""));
            return 0;
        }
        System.out.println(Json.write(VolumeBench.run(model, size, slices, threads), ""));
        return 0;
    }

    /** {@code cnnj bench classify [--data DIR] [--lenet-epochs N] [--resnet-epochs N] [--width W] [--torch]}. */
    private static int classify(String[] args) throws IOException, InterruptedException {
        Path data = Path.of("/usr/share/datasets/fashion-mnist");
        int lenet = 10, resnet = 2;
        long seed = 1;
        double width = 0.25;
        boolean torch = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--lenet-epochs" -> lenet = positive(args, ++i);
                case "--resnet-epochs" -> resnet = Integer.parseInt(args[++i]); // 0: LeNet only
                case "--seed" -> seed = positive(args, ++i);
                case "--width" -> width = Double.parseDouble(args[++i]);
                case "--torch" -> torch = true;
                default ->
                    throw new IllegalArgumentException("bench classify: unknown option " + args[i]
                            + "; options: --data --lenet-epochs --resnet-epochs --width --seed --torch");
            }
        }
        System.out.println(Json.write(ClassifierBench.run(data, lenet, resnet, width, torch, seed), ""));
        return 0;
    }

    /** {@code cnnj bench folder [--model M] [--count N] [--size N] [--threads N]}: many small images, one engine. */
    /**
     * {@code cnnj bench devices [--large N] [--count N] [--threads N] [--device cuda|cpu]}: CUDA against the CPU on the
     * built-in models (see {@link DeviceBench}; --device cpu: a dry run); exit code 2, with the reason, where CUDA
     * cannot be used.
     */
    private static int devices(String[] args) throws IOException {
        int large = 4096, count = 200, threads = 0;
        Device device = Device.CUDA;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = Device.parse(args[++i]);
                case "--large" -> large = positive(args, ++i);
                case "--count" -> count = positive(args, ++i);
                case "--threads" -> threads = positive(args, ++i);
                default ->
                    throw new IllegalArgumentException("bench devices: unknown option " + args[i]
                            + "; options: --large N --count N --threads N --device cuda|cpu");
            }
        }
        Map<String, Object> r;
        try {
            r = DeviceBench.run(new DeviceBench.Options(large, count, threads, device), System.err::println);
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).startsWith("CUDA was requested")) throw e;
            System.out.println("bench devices: " + e.getMessage());
            return 2;
        }
        System.out.println(Json.write(r, ""));
        return 0;
    }

    private static int folder(String[] args) throws IOException {
        Path model = Path.of("models/nuclei.onnx");
        int count = 100, size = 256, threads = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--count" -> count = Math.max(2, positive(args, ++i));
                case "--size" -> size = positive(args, ++i);
                case "--threads" -> threads = positive(args, ++i);
                default ->
                    throw new IllegalArgumentException(
                            "bench folder: unknown option " + args[i] + "; options: --model --count --size --threads");
            }
        }
        System.out.println(Json.write(FolderBench.run(model, count, size, threads), ""));
        return 0;
    }

    /**
     * {@code cnnj bench detect [--model M]... [--size N] [--tile N] [--threads N] [--data DIR]}: a synthetic scene, or
     * with --data annotated images (per-class AP@0.5, mAP, images/s); several --model (e.g. a one-stage and a two-stage
     * detector) run on the same images in one run, with each one's speed as a ratio to the first's.
     */
    private static int detect(String[] args) throws IOException {
        List<Path> models = new ArrayList<>();
        Path data = null;
        int size = 2048, tile = 512, threads = 0;
        Diameter diameter = Diameter.NONE;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> models.add(Path.of(args[++i]));
                case "--diameter" -> diameter = Diameter.parse(args[++i]);
                case "--size" -> size = positive(args, ++i);
                case "--tile" -> tile = positive(args, ++i);
                case "--threads" -> threads = positive(args, ++i);
                case "--data" -> data = Path.of(args[++i]);
                default ->
                    throw new IllegalArgumentException("bench detect: unknown option " + args[i]
                            + "; options: --model --size --tile --threads --data --diameter");
            }
        }
        if (models.isEmpty()) models.add(Path.of("models/detector.onnx"));
        List<Map<String, Object>> results = new ArrayList<>();
        for (Path model : models)
            results.add(
                    data != null
                            ? DetectBench.onData(model, data, threads, diameter)
                            : DetectBench.run(model, size, tile, threads));
        System.out.println(Json.write(results.size() == 1 ? results.get(0) : DetectBench.compare(models, results), ""));
        return 0;
    }

    /** {@code cnnj bench segment [--model M] [--size N] [--tile N] [--threads N] [--java] [--large] [--cells]} (--java: also the Java engine on the same tiles; --large: 8-bit ImgLib2 path; --cells: into cell images in bands). */
    private static int segment(String[] args) throws IOException {
        Path model = Path.of("models/nuclei.onnx");
        int size = 2048, tile = 512, threads = 0;
        boolean large = false, cells = false, java = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--large" -> large = true;
                case "--java" -> java = true;
                case "--cells" -> cells = large = true;
                case "--model" -> model = Path.of(args[++i]);
                case "--size" -> size = positive(args, ++i);
                case "--tile" -> tile = positive(args, ++i);
                case "--threads" -> threads = positive(args, ++i);
                default ->
                    throw new IllegalArgumentException("bench segment: unknown option " + args[i]
                            + "; options: --model --size --tile --threads --java --large --cells");
            }
        }
        System.out.println(Json.write(
                large
                        ? SegmentBench.runLarge(model, size, tile, threads, cells)
                        : SegmentBench.run(model, size, tile, threads, java),
                ""));
        return 0;
    }

    private static int positive(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException("bench: " + args[i - 1] + " needs a number");
        try {
            int v = Integer.parseInt(args[i]);
            if (v >= 1) return v;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("bench: " + args[i - 1] + " needs a positive whole number, got " + args[i]);
    }

    private static String human(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        r.forEach((k, v) -> {
            if (!(v instanceof double[]))
                sb.append(String.format("%-36s %s%n", k, v instanceof Map ? Json.write(v, "") : v));
        });
        return sb.toString();
    }

    private static Double torchSecondsPerStep(int warmup, int steps, int batch, int size, int threads)
            throws IOException, InterruptedException {
        return TorchReference.secondsPerStep(
                "bench_torch.py",
                List.of(
                        "--warmup",
                        "" + warmup,
                        "--steps",
                        "" + steps,
                        "--batch",
                        "" + batch,
                        "--size",
                        "" + size,
                        "--threads",
                        "" + threads),
                "bench");
    }
}
