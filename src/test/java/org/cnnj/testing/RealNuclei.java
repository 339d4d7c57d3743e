package org.cnnj.testing;

import ij.ImagePlus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cnnj.ij.Tiffs;
import org.junit.jupiter.api.Assumptions;

/**
 * Three real, held-out fluorescence images of the DSB2018 val split in ../shared (not in the repository),
 * with their instance labels: small dense nuclei (area ~71 px, 89 nuclei), medium (~331 px, 49) and large
 * (~1744 px, 24). Tests using them are skipped with a message where ../shared is absent.
 */
public final class RealNuclei {
    public static final Path VAL = Path.of("../shared/data/nuclei-real/val");
    /** Name prefixes of the three images. */
    public static final List<String> IMAGES = List.of("c75139ef0546", "7b5987a24dd5", "56d0da5b663d");
    /** The val split of nuclei-more: BBBC039 (U2OS, Hoechst, 16-bit) and Kromp et al. 2020 (DAPI, 40x-63x). */
    public static final Path MORE_VAL = Path.of("../shared/data/nuclei-more/val");
    /**
     * Three images of two other labs: BBBC039 U2OS (75 nuclei of ~28 px), Kromp HaCaT cytospin at 40x (66 of ~70 px)
     * and a neuroblastoma cell-line cytospin at 63x (24 of ~118 px).
     */
    public static final List<String> OTHER_LABS =
            List.of("bbbc039-IXMtest_A21_s1", "kromp-normal_37.", "kromp-otherspecimen_0.");

    /** One image and its labels (label pixels as ints). */
    public record Sample(Path file, ImagePlus image, int[] labels) {}

    private RealNuclei() {}

    public static void assumePresent() {
        Assumptions.assumeTrue(Files.isDirectory(VAL), "skipped: " + VAL + " (the real-nuclei data) is not here");
    }

    public static void assumeMorePresent() {
        Assumptions.assumeTrue(
                Files.isDirectory(MORE_VAL), "skipped: " + MORE_VAL + " (the other labs' nuclei) is not here");
    }

    public static Sample load(String prefix) throws IOException {
        return load(VAL, prefix);
    }

    public static Sample load(Path folder, String prefix) throws IOException {
        Path file;
        try (Stream<Path> s = Files.list(folder)) {
            file = s.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && !p.toString().endsWith("-labels.tif"))
                    .findFirst()
                    .orElseThrow();
        }
        return new Sample(
                file,
                Tiffs.open(file),
                labels(Tiffs.open(
                        file.resolveSibling(file.getFileName().toString().replace(".tif", "-labels.tif")))));
    }

    /** Label pixels of a 16- or 32-bit label image. */
    public static int[] labels(ImagePlus imp) {
        int[] out = new int[imp.getWidth() * imp.getHeight()];
        for (int i = 0; i < out.length; i++) out[i] = (int) imp.getProcessor().getf(i);
        return out;
    }
}
