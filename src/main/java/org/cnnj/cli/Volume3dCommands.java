package org.cnnj.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cnnj.fiji.TrainSegmentation3dCommand;
import org.cnnj.ij.Stacks;
import org.cnnj.ij.Tiffs;
import org.cnnj.ij.VolumeFiles;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.SyntheticVolumes;
import org.cnnj.seg.VolumeTrainer;
import org.cnnj.train.TrainConfig;
import org.cnnj.train.TrainEngine;
import org.cnnj.train.TrainingRun;

/**
 * The 3-D commands: {@code generate-nuclei3d} (synthetic stacks with label stacks), {@code train-seg3d} (a 3-D U-Net
 * from stacks with label stacks) and {@code segment} with a 3-D model (the model decides: its sidecar says
 * instances-3d).
 */
final class Volume3dCommands {
    private Volume3dCommands() {}

    /** {@code ./cnnj generate-nuclei3d [--out DIR] [--count N] [--size S] [--slices D] [--z-ratio R] [--radius MIN,MAX] [--seed S]}. */
    static int generate(String[] args) throws IOException {
        CliOptions o = new CliOptions(
                "generate-nuclei3d",
                args,
                List.of("--out", "--count", "--size", "--slices", "--z-ratio", "--seed", "--radius"),
                List.of());
        Path out = o.has("--out") ? o.path("--out") : Path.of("test-stacks");
        int count = o.integer("--count", 2), size = o.integer("--size", 128), slices = o.integer("--slices", 32);
        long seed = o.longInteger("--seed", 1);
        SyntheticVolumes.Settings s = SyntheticVolumes.Settings.defaults().withZRatio(o.number("--z-ratio", 2.0));
        if (o.has("--radius")) {
            double[] r = o.numbers("--radius");
            if (r.length != 2 || !(r[0] >= 2 && r[1] >= r[0]))
                throw new IllegalArgumentException(
                        "--radius takes MIN,MAX in xy voxels (e.g. 6,11), got " + o.text("--radius", ""));
            s = s.withRadius(r[0], r[1]);
        }
        for (int k = 0; k < count; k++) {
            LabeledVolume v = SyntheticVolumes.generate(seed + k, slices, size, size, s);
            String name = "nuclei3d-" + (seed + k);
            Tiffs.save(Stacks.imageStack(name, v), out.resolve(name + ".tif"));
            Tiffs.save(Stacks.labelStack(name + "-labels", v.labels(), v), out.resolve(name + "-labels.tif"));
            int objects = 0;
            for (int l : v.labels()) objects = Math.max(objects, l);
            System.out.println(name + ".tif: " + objects + " nuclei, " + size + "x" + size + "x" + slices + ", voxel "
                    + s.zRatio() + " x 1 x 1 µm");
        }
        return 0;
    }

    static final List<String> TRAIN_OPTIONS = List.of(
            "--images",
            "--labels",
            "--output",
            "--epochs",
            "--steps",
            "--batch",
            "--patch",
            "--patch-depth",
            "--depth",
            "--filters",
            "--diameter",
            "--lr",
            "--validation",
            "--patience",
            "--seed",
            "--voxel",
            "--validation-images",
            "--train-engine",
            "--from");

    /** {@code ./cnnj train-seg3d --images DIR --output M.onnx [options]}. */
    static int train(String[] args) throws IOException {
        CliOptions o = new CliOptions("train-seg3d", args, TRAIN_OPTIONS, List.of("--resume", "--no-intensity"));
        o.require("--images", "--output");
        Path output = o.path("--output");
        double[] voxel = voxel(o);
        List<LabeledVolume> data = VolumeFiles.load(o.path("--images"), o.path("--labels"), voxel);
        TrainConfig cfg = TrainConfig.defaults()
                .withSchedule(o.integer("--epochs", 20), o.integer("--steps", 50))
                .withBatches(o.integer("--batch", 2), o.integer("--patch", 64))
                .withLearningRate(o.number("--lr", 2e-3))
                .withValidation(o.number("--validation", 0.2))
                .withPatience(o.integer("--patience", 5))
                .withSeed(o.longInteger("--seed", 1))
                .withEngine(TrainEngine.parse(o.text("--train-engine", "auto")));
        VolumeTrainer.Recipe recipe = new VolumeTrainer.Recipe(
                o.integer("--depth", 2),
                o.integer("--filters", 16),
                o.integer("--patch-depth", 0),
                o.number("--diameter", 0),
                !o.has("--no-intensity"),
                o.path("--from"));
        TrainingRun<LabeledVolume> run = VolumeFiles.run(
                        data, cfg, "./cnnj train-seg3d " + String.join(" ", args), o.path("--images"), output)
                .withListener(e -> System.out.println(e.line()));
        Path checkpoints = run.checkpoints();
        if (o.has("--validation-images"))
            run = run.validatedOn(VolumeFiles.load(o.path("--validation-images"), null, voxel));
        if (!o.has("--resume") && Files.exists(checkpoints.resolve("last.ckpt")))
            throw new IllegalArgumentException(checkpoints + " holds an earlier training; add --resume to continue"
                    + " it, or delete the folder to start again");
        TrainingRun<LabeledVolume> r = run;
        Interruptible.run(Interruptible.resumeCommand("train-seg3d", args), cancel -> {
            VolumeTrainer.Result result = VolumeFiles.train(r, recipe, output, cancel);
            System.out.println(String.format(
                    Locale.ROOT,
                    "wrote %s: %s after %d epochs (split depth %.2f, object diameter %.1f voxels, voxel %s)",
                    output,
                    result.outcome().bestScore(),
                    result.outcome().epochsRun(),
                    result.spec().splitDepth(),
                    result.spec().objectDiameter(),
                    Arrays.toString(result.spec().voxel())));
        });
        return 0;
    }

    /** Options {@code segment} takes besides Segment Folder's for a 3-D model. */
    static final String VOXEL_HELP =
            "    --voxel z,y,x              3-D models: the voxel size when the stacks have none";

    /** --voxel z,y,x, or null. */
    static double[] voxel(CliOptions o) {
        return o.has("--voxel") ? TrainSegmentation3dCommand.voxelSize(o.text("--voxel", "")) : null;
    }
}
