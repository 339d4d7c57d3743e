package org.cnnj.cli;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnj.cls.SyntheticCells;
import org.cnnj.det.DetectionScenes;
import org.cnnj.ij.RoiZips;
import org.cnnj.ij.Tiffs;
import org.cnnj.seg.SyntheticNuclei;

/**
 * {@code ./cnnj generate-nuclei [--out DIR] [--count N] [--size S] [--seed S]}: writes synthetic nuclei
 * images (nuclei-SEED.tif, 16-bit) with their instance labels (nuclei-SEED-labels.tif) for training and tests.
 */
final class GenerateCommand {
    private GenerateCommand() {}

    static int run(String[] args) throws IOException {
        CliOptions o =
                new CliOptions("generate-nuclei", args, List.of("--out", "--count", "--size", "--seed"), List.of());
        Path out = o.has("--out") ? o.path("--out") : Path.of("test-images");
        int count = o.integer("--count", 2), size = o.integer("--size", 256);
        long seed = o.longInteger("--seed", 1);
        for (int k = 0; k < count; k++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(seed + k, size, size);
            // Photon counts fit 16 bits; converting (not scaling) keeps them as a camera would record them.
            ImagePlus image =
                    new ImagePlus("nuclei", new FloatProcessor(size, size, s.image()).convertToShortProcessor(false));
            Tiffs.save(image, out.resolve("nuclei-" + (seed + k) + ".tif"));
            DemoCommand.saveLabels(out.resolve("nuclei-" + (seed + k) + "-labels.tif"), s.labels(), size, size);
            System.out.println("nuclei-" + (seed + k) + ".tif: " + s.objects() + " nuclei");
        }
        return 0;
    }

    /** {@code ./cnnj generate-scenes}: scene-SEED.tif (16-bit) + scene-SEED.zip (one rectangle ROI per cell, named "class-NNNN"). */
    static int runScenes(String[] args) throws IOException {
        CliOptions o = new CliOptions(
                "generate-scenes", args, List.of("--out", "--count", "--size", "--seed", "--density"), List.of());
        Path out = o.has("--out") ? o.path("--out") : Path.of("test-images");
        int count = o.integer("--count", 2), size = o.integer("--size", 256);
        long seed = o.longInteger("--seed", 1);
        double density = o.number("--density", 0.0015);
        for (int k = 0; k < count; k++) {
            DetectionScenes.Scene s = DetectionScenes.generate(seed + k, size, size, density);
            Tiffs.save(
                    new ImagePlus("scene", new FloatProcessor(size, size, s.image()).convertToShortProcessor(false)),
                    out.resolve("scene-" + (seed + k) + ".tif"));
            List<Roi> rois = new ArrayList<>();
            for (int i = 0; i < s.objects(); i++) {
                float[] b = s.boxes();
                Roi roi = new Roi(b[4 * i], b[4 * i + 1], b[4 * i + 2] - b[4 * i], b[4 * i + 3] - b[4 * i + 1]);
                roi.setName(String.format(Locale.ROOT, "%s-%04d", DetectionScenes.CLASSES.get(s.classes()[i]), i + 1));
                rois.add(roi);
            }
            RoiZips.write(rois, out.resolve("scene-" + (seed + k) + ".zip"));
            System.out.println("scene-" + (seed + k) + ".tif: " + s.objects() + " cells");
        }
        return 0;
    }

    /** {@code ./cnnj generate-cells}: DIR/PHENOTYPE/cell-SEED.tif (16-bit crops), {@code --count} per phenotype. */
    static int runCells(String[] args) throws IOException {
        CliOptions o =
                new CliOptions("generate-cells", args, List.of("--out", "--count", "--size", "--seed"), List.of());
        Path out = o.has("--out") ? o.path("--out") : Path.of("cells");
        int count = o.integer("--count", 50), size = o.integer("--size", 48);
        long seed = o.longInteger("--seed", 1);
        for (int label = 0; label < SyntheticCells.CLASSES.size(); label++) {
            String phenotype = SyntheticCells.CLASSES.get(label);
            for (int k = 0; k < count; k++) {
                float[] crop = SyntheticCells.crop(seed + k, label, size);
                Tiffs.save(
                        new ImagePlus(phenotype, new FloatProcessor(size, size, crop).convertToShortProcessor(false)),
                        out.resolve(phenotype).resolve(String.format(Locale.ROOT, "cell-%04d.tif", seed + k)));
            }
            System.out.println(out.resolve(phenotype) + ": " + count + " crops of " + size + "x" + size);
        }
        return 0;
    }
}
