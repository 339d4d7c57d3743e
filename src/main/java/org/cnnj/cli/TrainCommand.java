package org.cnnj.cli;

import ij.ImagePlus;
import ij.process.ImageProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.cnnj.ij.Tiffs;
import org.cnnj.infer.JavaEngine;
import org.cnnj.infer.ModelSpec;
import org.cnnj.io.AtomicFiles;
import org.cnnj.nn.UNet;
import org.cnnj.nn.UNetConfig;
import org.cnnj.onnx.OnnxExport;
import org.cnnj.train.LabeledImage;
import org.cnnj.train.SegmentationTrainer;
import org.cnnj.train.TrainConfig;

/**
 * {@code ./cnnj train-seg --images DIR [--labels DIR] --output M.onnx [--task instances|semantic]
 * [--classes a,b,…] [--epochs N] [--steps N] [--batch N] [--patch N] [--lr X] [--validation F]
 * [--patience N] [--depth N] [--filters N] [--residual] [--dropout P] [--from M.onnx]
 * [--freeze-encoder] [--seed S] [--resume]}. Pairs image X.tif with X.tif in the labels folder, or with
 * X-labels.tif beside it; stacks give one sample per slice. Writes M.onnx + M.json, M-training.csv and
 * checkpoints in M-checkpoints/.
 */
final class TrainCommand {
    private TrainCommand() {}

    static int run(String[] args) throws IOException {
        Map<String, String> o = new LinkedHashMap<>();
        List<String> flags = List.of("--residual", "--freeze-encoder", "--resume");
        for (int i = 0; i < args.length; i++) {
            if (flags.contains(args[i])) {
                o.put(args[i], "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                o.put(args[i], args[++i]);
            } else {
                throw new IllegalArgumentException("train-seg: unexpected argument " + args[i] + " (options take a value: --epochs 20)");
            }
        }
        List<String> known = List.of("--images", "--labels", "--output", "--task", "--classes", "--epochs", "--steps", "--batch", "--patch", "--lr",
                "--validation", "--patience", "--depth", "--filters", "--dropout", "--from", "--seed", "--residual", "--freeze-encoder", "--resume");
        for (String k : o.keySet()) if (!known.contains(k)) throw new IllegalArgumentException("train-seg: unknown option " + k + "; options: " + known);
        if (!o.containsKey("--images") || !o.containsKey("--output")) throw new IllegalArgumentException("train-seg: --images and --output are required");
        Path output = Path.of(o.get("--output"));
        if (!output.getFileName().toString().endsWith(".onnx")) throw new IllegalArgumentException("train-seg: --output must name a .onnx file");
        String task = switch (o.getOrDefault("--task", "instances")) {
            case "instances" -> ModelSpec.INSTANCES_3CLASS;
            case "semantic" -> ModelSpec.SEMANTIC;
            default -> throw new IllegalArgumentException("train-seg: --task must be instances or semantic");
        };
        List<LabeledImage> data = load(Path.of(o.get("--images")), o.containsKey("--labels") ? Path.of(o.get("--labels")) : null);
        List<String> classes = o.containsKey("--classes") ? Arrays.asList(o.get("--classes").split(",")) : null;
        if (ModelSpec.SEMANTIC.equals(task) && classes == null) {
            int max = data.stream().flatMapToInt(d -> Arrays.stream(d.labels())).max().orElse(1);
            classes = new ArrayList<>();
            for (int c = 0; c <= Math.max(1, max); c++) classes.add(c == 0 ? "background" : "class" + c);
        }
        int classCount = ModelSpec.INSTANCES_3CLASS.equals(task) ? 3 : classes.size();
        TrainConfig d = TrainConfig.defaults();
        TrainConfig cfg = new TrainConfig(integer(o, "--epochs", d.epochs()), integer(o, "--steps", d.stepsPerEpoch()), integer(o, "--batch", d.batch()),
                integer(o, "--patch", d.patch()), number(o, "--lr", d.learningRate()), number(o, "--validation", d.validationFraction()),
                integer(o, "--patience", d.patience()), integer(o, "--seed", (int) d.seed()), o.containsKey("--freeze-encoder"));
        UNet start = null;
        UNetConfig arch = new UNetConfig(data.get(0).image().length, classCount, integer(o, "--depth", 3), integer(o, "--filters", 16), true,
                o.containsKey("--residual"), (float) number(o, "--dropout", 0));
        if (o.containsKey("--from")) {
            Path from = Path.of(o.get("--from"));
            start = JavaEngine.loadUNet(from, ModelSpec.read(ModelSpec.sidecarOf(from)));
        }
        String stem = output.getFileName().toString().replaceFirst("\\.onnx$", "");
        Path checkpoints = output.resolveSibling(stem + "-checkpoints");
        if (Files.exists(checkpoints.resolve("last.ckpt")) && !o.containsKey("--resume")) {
            throw new IllegalArgumentException("train-seg: " + checkpoints.resolve("last.ckpt") + " exists; add --resume to continue that training, or delete the folder");
        }
        Files.createDirectories(checkpoints);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("command", "./cnnj train-seg " + String.join(" ", args));
        provenance.put("images", data.size() + " samples from " + o.get("--images"));
        provenance.put("date", java.time.Instant.now().toString());
        StringBuilder log = new StringBuilder("epoch,train_loss,validation_iou,seconds\n");
        SegmentationTrainer.Result r = SegmentationTrainer.train(data, task, classes, arch, start, cfg, checkpoints, null, e -> {
            System.out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  validation IoU %.4f%s  %.0f s  ETA %.0f s%n", e.epoch(), e.epochs(), e.trainLoss(),
                    e.validationIou(), e.improved() ? "  (best)" : "", e.seconds(), e.etaSeconds());
            log.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.1f%n", e.epoch(), e.trainLoss(), e.validationIou(), e.seconds()));
        }, provenance);
        AtomicFiles.write(output.resolveSibling(stem + "-training.csv"), out -> out.write(log.toString().getBytes(StandardCharsets.UTF_8)));
        OnnxExport.export(r.model(), new int[] {1, arch.inChannels(), cfg.patch(), cfg.patch()}, Map.of("cnnj.task", task), output);
        r.spec().write(ModelSpec.sidecarOf(output));
        System.out.printf(Locale.ROOT, "best validation IoU %.4f after %d epoch(s)%s; model: %s%n", r.bestValidationIou(), r.epochsRun(),
                r.stoppedEarly() ? " (stopped early)" : "", output);
        return 0;
    }

    private static int integer(Map<String, String> o, String key, int fallback) {
        return o.containsKey(key) ? Integer.parseInt(o.get(key)) : fallback;
    }

    private static double number(Map<String, String> o, String key, double fallback) {
        return o.containsKey(key) ? Double.parseDouble(o.get(key)) : fallback;
    }

    /** Image/label pairs; each slice of a stack is one sample. */
    static List<LabeledImage> load(Path images, Path labels) throws IOException {
        if (!Files.isDirectory(images)) throw new IOException("training images folder " + images + " does not exist");
        List<Path> files;
        try (Stream<Path> s = Files.list(images)) {
            files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.tiff?$"))
                    .filter(p -> !p.getFileName().toString().contains("-labels.")).sorted().toList();
        }
        List<LabeledImage> out = new ArrayList<>();
        for (Path image : files) {
            String name = image.getFileName().toString();
            Path label = labels != null ? labels.resolve(name) : image.resolveSibling(name.replaceFirst("\\.(tiff?)$", "-labels.$1"));
            if (!Files.exists(label)) throw new IOException("no label image for " + name + " (looked for " + label + ")");
            ImagePlus img = Tiffs.open(image), lab = Tiffs.open(label);
            if (img.getWidth() != lab.getWidth() || img.getHeight() != lab.getHeight()) {
                throw new IllegalArgumentException(name + " is " + img.getWidth() + "x" + img.getHeight() + " but its label image is "
                        + lab.getWidth() + "x" + lab.getHeight() + "; they must match pixel for pixel");
            }
            if (lab.getBitDepth() == 24) throw new IllegalArgumentException(label.getFileName() + " is RGB; label images must be 8-, 16- or 32-bit integers");
            int channels = img.getNChannels(), positions = img.getStackSize() / channels;
            if (lab.getStackSize() != positions) {
                throw new IllegalArgumentException(name + " has " + positions + " slice(s) but its label image " + lab.getStackSize());
            }
            for (int p = 0; p < positions; p++) {
                float[][] planes = new float[channels][];
                for (int c = 0; c < channels; c++) planes[c] = (float[]) img.getStack().getProcessor(p * channels + c + 1).convertToFloat().getPixels();
                out.add(new LabeledImage(name + (positions > 1 ? " slice " + (p + 1) : ""), planes, labelsOf(lab.getStack().getProcessor(p + 1), label), img.getWidth(), img.getHeight()));
            }
        }
        if (out.isEmpty()) throw new IOException("no .tif images in " + images);
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
