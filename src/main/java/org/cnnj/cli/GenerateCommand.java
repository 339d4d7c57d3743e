package org.cnnj.cli;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Path;
import org.cnnj.data.SyntheticNuclei;
import org.cnnj.ij.Tiffs;

/**
 * {@code ./cnnj generate-nuclei [--out DIR] [--count N] [--size S] [--seed S]}: writes synthetic nuclei
 * images (nuclei-SEED.tif, 16-bit) with their instance labels (nuclei-SEED-labels.tif) for training and tests.
 */
final class GenerateCommand {
    private GenerateCommand() {}

    static int run(String[] args) throws IOException {
        Path out = Path.of("test-images");
        int count = 2, size = 256;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) throw new IllegalArgumentException("generate-nuclei: " + args[i] + " needs a value");
            switch (args[i]) {
                case "--out" -> out = Path.of(v);
                case "--count" -> count = Integer.parseInt(v);
                case "--size" -> size = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new IllegalArgumentException("generate-nuclei: unknown option " + args[i] + "; options: --out DIR --count N --size S --seed S");
            }
            i++;
        }
        for (int k = 0; k < count; k++) {
            SyntheticNuclei.Sample s = SyntheticNuclei.generate(seed + k, size, size);
            // Photon counts fit 16 bits; converting (not scaling) keeps them as a camera would record them.
            ImagePlus image = new ImagePlus("nuclei", new FloatProcessor(size, size, s.image()).convertToShortProcessor(false));
            Tiffs.save(image, out.resolve("nuclei-" + (seed + k) + ".tif"));
            DemoCommand.saveLabels(out.resolve("nuclei-" + (seed + k) + "-labels.tif"), s.labels(), size, size);
            System.out.println("nuclei-" + (seed + k) + ".tif: " + s.objects() + " nuclei");
        }
        return 0;
    }
}
