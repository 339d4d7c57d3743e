package org.cnnj.ij;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Label Studio's brush masks: {@code value.rle}, a list of bytes in thi.ng's rle-pack code, which its editor writes and
 * label-studio-converter's {@code mask2rle} writes too. The bits, most significant first: the number of values (32
 * bits), the word size − 1 (5 bits), four run-length sizes − 1 (4 bits each); then groups until all values are read —
 * one bit (1 = one value repeated, 0 = values as they come), 2 bits choosing a run-length size, the group's length − 1
 * in that many bits, then the value once or each value, word size bits apiece. The values are the mask's RGBA bytes
 * row by row; a pixel is in the mask where its alpha is not 0.
 */
final class LabelStudioRle {
    private LabelStudioRle() {}

    /**
     * The brush's pixels, 0/1 row-major [height × width] for an image of {@code width} × {@code height}: the result's
     * {@code original_width} and {@code original_height} must be the image's.
     */
    static int[] mask(JsonObject result, int width, int height, String which) {
        JsonObject v = result.getAsJsonObject("value");
        if (v == null || !v.has("rle") || !v.get("rle").isJsonArray())
            throw new IllegalArgumentException(which + ": a brush without its \"rle\" list; export the project again");
        if (result.has("original_width") && result.has("original_height")) {
            int w = (int) JsonFields.number(result, "original_width", which),
                    h = (int) JsonFields.number(result, "original_height", which);
            if (w != width || h != height) {
                throw new IllegalArgumentException(which + ": the brush was drawn on an image of " + w + " × " + h
                        + " but the image is " + width + " × " + height
                        + "; give the image Label Studio showed (not a resized copy)");
            }
        }
        return alpha(bytes(v.getAsJsonArray("rle"), which), width * height, which);
    }

    /**
     * Whether each of {@code pixels} pixels has a non-zero alpha, from the rle-pack code of their RGBA values in
     * {@code data} (its count checked before anything is allocated: a damaged count must not ask for gigabytes; only
     * the alpha values kept: a 4096² brush is 67 MB of ints, not 268).
     */
    static int[] alpha(byte[] data, int pixels, String which) {
        Bits in = new Bits(data, which);
        long num = in.read(32) & 0xffffffffL;
        int word = in.read(5) + 1;
        int[] sizes = new int[4];
        for (int k = 0; k < 4; k++) sizes[k] = in.read(4) + 1;
        if (num != 4L * pixels) {
            throw new IllegalArgumentException(which + ": its brush holds " + num + " values, not 4 × " + pixels
                    + " (RGBA for each pixel of the image); the mask is damaged (export it again)");
        }
        int[] mask = new int[pixels];
        for (long i = 0; i < num; ) {
            boolean repeat = in.read(1) == 1;
            long end = i + 1 + (in.read(sizes[in.read(2)]) & 0xffffffffL);
            if (end > num)
                throw new IllegalArgumentException(which + ": its brush code runs past its " + num
                        + " values; the mask is damaged (export it again)");
            int value = repeat ? in.read(word) : 0;
            for (; i < end; i++) {
                if (!repeat) value = in.read(word);
                if (i % 4 == 3 && value != 0) mask[(int) (i / 4)] = 1;
            }
        }
        return mask;
    }

    private static byte[] bytes(JsonArray rle, String which) {
        byte[] out = new byte[rle.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = rle.get(i);
            int b = e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsInt() : -1;
            if (b < 0 || b > 255)
                throw new IllegalArgumentException(which + ": its brush code holds " + e + ", not a byte (0-255)");
            out[i] = (byte) b;
        }
        return out;
    }

    /** Bits of a byte array, most significant first. */
    private static final class Bits {
        private final byte[] data;
        private final String which;
        private long at;

        Bits(byte[] data, String which) {
            this.data = data;
            this.which = which;
        }

        /** The next {@code n} (≤ 32) bits as an unsigned number (32 bits: as an int's bits, read with & 0xffffffffL). */
        int read(int n) {
            if (at + n > 8L * data.length)
                throw new IllegalArgumentException(
                        which + ": its brush code ends early; the mask is damaged (export it again)");
            long v = 0;
            for (int k = 0; k < n; k++, at++) v = (v << 1) | ((data[(int) (at >>> 3)] >>> (7 - (at & 7))) & 1);
            return (int) v;
        }
    }
}
