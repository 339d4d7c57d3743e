package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnj.io.Hdf5Labels;
import org.cnnj.io.Npy;
import org.cnnj.io.Tiff64;

/**
 * Label image files (object ids, 0 = background) as tools write them: TIFF and PNG as ImageJ reads them — signed
 * 16-bit ones with their true values (ImageJ stores them offset by 32,768: numpy int16 labels read as one object
 * covering the background) —, TIFFs of 64-bit integers ({@link Tiff64}: skimage's {@code label} output saved by
 * tifffile), NumPy files: Cellpose's {@code X_seg.npy} (its GUI's save: a pickled dict whose {@code masks} are the
 * labels) or a plain integer array saved with {@code np.save}, and HDF5 files as ilastik exports them ({@link
 * Hdf5Labels}: its Object Identities).
 */
public final class LabelImages {
    private LabelImages() {}

    /** The label image in {@code file}: (y, x) or (z, y, x) arrays as one plane or a stack. */
    public static ImagePlus open(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) return numpy(file);
        if (name.endsWith(".h5") || name.endsWith(".hdf5")) return hdf5(file);
        if (name.matches(".*\\.tiff?") && Tiff64.holds64BitIntegers(file)) return tiff64(file);
        ImagePlus imp = Tiffs.open(file);
        if (vocVoid(imp)) return withoutVoid(imp, file);
        return imp.getCalibration().isSigned16Bit() ? unsigned(imp, file) : imp;
    }

    /** Pascal VOC's "void" index, drawn as a band along every object's outline, and its colour in VOC's palette. */
    private static final int VOID = 255, VOID_RGB = 0xe0e0c0;

    /**
     * Whether {@code imp} is a VOC-style palette PNG (SegmentationObject / SegmentationClass, as the VOC devkit, CVAT's
     * and datumaro's exports write them) whose index 255 is VOC's void colour: read as-is, the band would be one
     * object, 255, outlining all the others.
     */
    private static boolean vocVoid(ImagePlus imp) {
        return imp.getBitDepth() == 8
                && imp.getProcessor().getColorModel() instanceof IndexColorModel lut
                && lut.getMapSize() > VOID
                && (lut.getRGB(VOID) & 0xffffff) == VOID_RGB;
    }

    /**
     * The void band given back to what it lies between: each void pixel takes the id of the nearest non-void pixel
     * (breadth first from all of them at once), so an object recovers the half of the band that is its edge and the
     * background the other half; a plane that is all void becomes background.
     */
    private static ImagePlus withoutVoid(ImagePlus imp, Path file) throws IOException {
        int w = imp.getWidth(), h = imp.getHeight();
        int[][] ids = new int[imp.getStackSize()][];
        for (int z = 0; z < ids.length; z++) {
            ImageProcessor p = imp.getStack().getProcessor(z + 1);
            int[] plane = new int[w * h];
            for (int i = 0; i < plane.length; i++) plane[i] = p.get(i);
            fillVoid(plane, w, h);
            ids[z] = plane;
        }
        return image(file, w, h, ids, false);
    }

    static void fillVoid(int[] ids, int w, int h) {
        int[] queue = new int[ids.length];
        int head = 0, tail = 0;
        for (int i = 0; i < ids.length; i++) if (ids[i] != VOID) queue[tail++] = i;
        while (head < tail) {
            int p = queue[head++], x = p % w;
            int[] next = {x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, p - w, p + w};
            for (int q : next) {
                if (q < 0 || q >= ids.length || ids[q] != VOID) continue;
                ids[q] = ids[p]; // p is never void: only non-void ids are queued or given
                queue[tail++] = q;
            }
        }
        for (int i = 0; i < ids.length; i++) if (ids[i] == VOID) ids[i] = 0;
    }

    private static ImagePlus numpy(Path file) throws IOException {
        Npy.Array a = Npy.read(file);
        if (a.objects() != null) a = masksOf(a, file);
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
        for (int z = 0; z < planes; z++) {
            try {
                ids[z] = a.ints((long) z * w * h, w * h);
            } catch (IllegalArgumentException e) {
                throw new IOException(file.getFileName() + ": " + e.getMessage());
            }
        }
        // Cellpose's early GUI wrote -1 for background; its GUI reads such files by adding 1, and so does this.
        return image(file, w, h, ids, true);
    }

    private static ImagePlus hdf5(Path file) throws IOException {
        Hdf5Labels.Volume v = Hdf5Labels.read(file);
        return image(file, v.width(), v.height(), v.planes(), false);
    }

    private static ImagePlus tiff64(Path file) throws IOException {
        List<Tiff64.Plane> planes = Tiff64.read(file);
        if (planes.isEmpty()) throw new IOException(file.getFileName() + " has no full-resolution image in it");
        int w = planes.get(0).width(), h = planes.get(0).height();
        int[][] ids = new int[planes.size()][];
        for (int z = 0; z < ids.length; z++) {
            long[] v = planes.get(z).values();
            if (planes.get(z).width() != w || planes.get(z).height() != h)
                throw new IOException(file.getFileName() + ": its pages differ in size; labels are one size");
            ids[z] = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                if (v[i] != (int) v[i])
                    throw new IOException(file.getFileName() + " holds the object id " + v[i] + ", beyond 32 bits");
                ids[z][i] = (int) v[i];
            }
        }
        return image(file, w, h, ids, false);
    }

    /** A signed 16-bit image with its true values (ImageJ keeps them offset by 32,768 and calibrates them back). */
    private static ImagePlus unsigned(ImagePlus imp, Path file) throws IOException {
        int w = imp.getWidth(), h = imp.getHeight();
        int[][] ids = new int[imp.getStackSize()][w * h];
        for (int z = 0; z < ids.length; z++) {
            ImageProcessor p = imp.getStack().getProcessor(z + 1);
            for (int i = 0; i < w * h; i++) ids[z][i] = (int) p.getf(i) - 32768;
        }
        ImagePlus out = image(file, w, h, ids, false);
        out.setCalibration(imp.getCalibration().copy());
        out.getCalibration().disableDensityCalibration();
        return out;
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

    /**
     * Object ids as a 16-bit (or, above 65,535, 32-bit) image; negative ids refused, except Cellpose's −1 background
     * where {@code minusOneIsBackground}.
     */
    private static ImagePlus image(Path file, int w, int h, int[][] ids, boolean minusOneIsBackground)
            throws IOException {
        if (w < 1 || h < 1 || ids.length == 0)
            throw new IOException(file.getFileName() + " holds an empty image (" + w + " × " + h + ")");
        long min = 0, max = 0;
        for (int[] plane : ids)
            for (int v : plane) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        long shift = minusOneIsBackground && min == -1 ? 1 : 0;
        if (min + shift < 0) throw new IOException(file.getFileName() + " holds negative object ids (" + min + ")");
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
