package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.cnnj.io.Npy;

/**
 * Label image files (object ids, 0 = background) as tools write them: TIFF and PNG as ImageJ reads them, and NumPy
 * files — Cellpose's {@code X_seg.npy} (its GUI's save: a pickled dict whose {@code masks} are the labels) or a plain
 * integer array saved with {@code np.save}.
 */
public final class LabelImages {
    private LabelImages() {}

    /** The label image in {@code file}: (y, x) or (z, y, x) arrays as one plane or a stack. */
    public static ImagePlus open(Path file) throws IOException {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) return Tiffs.open(file);
        Npy.Array a = Npy.read(file);
        if (a.objects() != null) a = masksOf(a, file);
        return image(a, file);
    }

    /** Cellpose's _seg.npy: a 0-d object array holding a dict; its labels are under "masks". */
    private static Npy.Array masksOf(Npy.Array a, Path file) throws IOException {
        Object item = a.size() == 1 ? a.item() : null;
        if (!(item instanceof Map<?, ?> dict) || !(dict.get("masks") instanceof Npy.Array masks)) {
            throw new IOException(file.getFileName() + " holds Python objects but no 'masks' array as Cellpose's"
                    + " _seg.npy does; save the labels as an integer array (np.save) or a TIFF label image");
        }
        return masks;
    }

    private static ImagePlus image(Npy.Array a, Path file) throws IOException {
        long[] s = a.shape();
        if (!a.isInteger()) {
            throw new IOException(file.getFileName() + " holds " + a.type() + " values; label images hold whole"
                    + " numbers (object ids, 0 = background): save them as integers (masks.astype(np.uint16))");
        }
        if (s.length < 2 || s.length > 3 || s[s.length - 1] * s[s.length - 2] > Integer.MAX_VALUE) {
            throw new IOException(file.getFileName() + " holds an array of shape " + Arrays.toString(s)
                    + "; labels are (y, x) or (z, y, x)");
        }
        int w = (int) s[s.length - 1], h = (int) s[s.length - 2], planes = s.length == 3 ? (int) s[0] : 1;
        int[][] ids = new int[planes][];
        long min = 0, max = 0;
        for (int z = 0; z < planes; z++) {
            try {
                ids[z] = a.ints((long) z * w * h, w * h);
            } catch (IllegalArgumentException e) {
                throw new IOException(file.getFileName() + ": " + e.getMessage());
            }
            for (int v : ids[z]) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        // Cellpose's early GUI wrote -1 for background; its GUI reads such files by adding 1, and so does this.
        long shift = min == -1 ? 1 : 0;
        if (min < -1) throw new IOException(file.getFileName() + " holds negative object ids (" + min + ")");
        if (max + shift > 1 << 24) {
            throw new IOException(file.getFileName() + " holds object ids up to " + (max + shift)
                    + "; ImageJ's 32-bit label images keep whole numbers up to 16,777,216");
        }
        boolean wide = max + shift > 65535;
        ImageStack stack = new ImageStack(w, h);
        for (int[] plane : ids) {
            ImageProcessor p = wide ? new FloatProcessor(w, h) : new ShortProcessor(w, h);
            for (int i = 0; i < plane.length; i++) p.setf(i, plane[i] + shift);
            stack.addSlice(p);
        }
        return new ImagePlus(file.getFileName().toString(), stack);
    }
}
