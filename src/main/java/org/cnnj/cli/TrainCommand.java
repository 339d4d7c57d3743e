package org.cnnj.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnj.ij.TrainFiles;
import org.cnnj.infer.ModelSpec;
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
        String task = switch (o.getOrDefault("--task", "instances")) {
            case "instances" -> ModelSpec.INSTANCES_3CLASS;
            case "semantic" -> ModelSpec.SEMANTIC;
            default -> throw new IllegalArgumentException("train-seg: --task must be instances or semantic");
        };
        TrainConfig d = TrainConfig.defaults();
        TrainConfig cfg = new TrainConfig(integer(o, "--epochs", d.epochs()), integer(o, "--steps", d.stepsPerEpoch()), integer(o, "--batch", d.batch()),
                integer(o, "--patch", d.patch()), number(o, "--lr", d.learningRate()), number(o, "--validation", d.validationFraction()),
                integer(o, "--patience", d.patience()), integer(o, "--seed", (int) d.seed()), o.containsKey("--freeze-encoder"));
        TrainFiles.train(new TrainFiles.Options(Path.of(o.get("--images")), o.containsKey("--labels") ? Path.of(o.get("--labels")) : null, output, task,
                o.containsKey("--classes") ? Arrays.asList(o.get("--classes").split(",")) : null, cfg, integer(o, "--depth", 3),
                integer(o, "--filters", 16), o.containsKey("--residual"), (float) number(o, "--dropout", 0),
                o.containsKey("--from") ? Path.of(o.get("--from")) : null, o.containsKey("--resume"), "./cnnj train-seg " + String.join(" ", args)),
                null, e -> System.out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  validation IoU %.4f%s  %.0f s  ETA %.0f s%n", e.epoch(), e.epochs(),
                        e.trainLoss(), e.validationIou(), e.improved() ? "  (best)" : "", e.seconds(), e.etaSeconds()));
        return 0;
    }

    private static int integer(Map<String, String> o, String key, int fallback) {
        return o.containsKey(key) ? Integer.parseInt(o.get(key)) : fallback;
    }

    private static double number(Map<String, String> o, String key, double fallback) {
        return o.containsKey(key) ? Double.parseDouble(o.get(key)) : fallback;
    }
}
