package org.cnnj.imglib;

import ij.ImagePlus;
import ij.process.ImageProcessor;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;

/**
 * ImageJ planes as ImgLib2 images without copying: the ArrayImg shares the processor's pixel array,
 * so results written into it show in ImageJ and vice versa (imglib2-ij, which does this in general,
 * is not on Maven Central).
 */
public final class ImagePlusImgs {
    private ImagePlusImgs() {}

    /** One 8-, 16- or 32-bit plane as an X × Y image over the same array. */
    @SuppressWarnings("unchecked")
    public static <T extends RealType<T>> Img<T> wrap(ImageProcessor ip) {
        int w = ip.getWidth(), h = ip.getHeight();
        Object pixels = ip.getPixels();
        if (pixels instanceof byte[] b) return (Img<T>) ArrayImgs.unsignedBytes(b, w, h);
        if (pixels instanceof short[] s) return (Img<T>) ArrayImgs.unsignedShorts(s, w, h);
        if (pixels instanceof float[] f) return (Img<T>) ArrayImgs.floats(f, w, h);
        throw new IllegalArgumentException(
                "RGB images cannot be wrapped as one plane; split the channels (Image › Color › Split Channels)");
    }

    /** The current plane of {@code imp}. */
    public static <T extends RealType<T>> Img<T> wrapCurrentPlane(ImagePlus imp) {
        return wrap(imp.getProcessor());
    }
}
