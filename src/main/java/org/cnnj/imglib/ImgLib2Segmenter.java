package org.cnnj.imglib;

import java.util.ArrayList;
import java.util.List;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.cell.CellImgFactory;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.IntervalView;
import net.imglib2.view.Views;
import org.cnnj.data.Percentiles;
import org.cnnj.runtime.Engine;
import org.cnnj.runtime.TiledPredictor;
import org.cnnj.runtime.VolumeSize;
import org.cnnj.seg.BandSegmenter;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.VolumeSegmenter;

/**
 * The scripting API on ImgLib2 images: segment a {@code RandomAccessibleInterval} of any real type,
 * laid out X, Y or X, Y, C, and get ImgLib2 images back (they wrap the result arrays, no copies).
 * Tiles are read from the image as they are needed (zero outside it) and normalized on the way.
 */
public final class ImgLib2Segmenter {
    /** classes X×Y (argmax), objects X×Y (instance models, else null), probabilities per class (or empty). */
    public record Result(
            Img<UnsignedByteType> classes, Img<IntType> objects, int objectCount, List<Img<FloatType>> probabilities) {}

    private ImgLib2Segmenter() {}

    public static <T extends RealType<T>> Result segment(
            Engine engine, SegmentationSpec spec, RandomAccessibleInterval<T> image, Segmenter.Options o) {
        if (image.numDimensions() < 2 || image.numDimensions() > 3) {
            throw new IllegalArgumentException("the image must be X, Y or X, Y, C (it has " + image.numDimensions()
                    + " dimensions); for stacks and time series use segmentFrames");
        }
        Source<T> source = new Source<>(image, spec);
        Segmenter.Result r = Segmenter.segment(engine, spec, source, o, null);
        int w = source.width(), h = source.height();
        List<Img<FloatType>> probabilities = new ArrayList<>();
        if (r.probabilities() != null) for (float[] p : r.probabilities()) probabilities.add(ArrayImgs.floats(p, w, h));
        return new Result(
                ArrayImgs.unsignedBytes(r.classes(), w, h),
                r.objects() == null ? null : ArrayImgs.ints(r.objects(), w, h),
                r.objectCount(),
                probabilities);
    }

    /**
     * A z-stack segmented in 3-D by a 3-D model: {@code stack} laid out X, Y, Z (one channel), {@code voxel} its voxel
     * size (z, y, x; null: the model's); the labels come back X, Y, Z (wrapping the result array, no copy) with the
     * objects' diameter and scale the model saw.
     */
    public record Volume(Img<IntType> objects, int objectCount, VolumeSegmenter.Result detail) {}

    public static <T extends RealType<T>> Volume segmentVolume(
            VolumeSegmenter segmenter, RandomAccessibleInterval<T> stack, double[] voxel, VolumeSegmenter.Options o) {
        if (stack.numDimensions() != 3)
            throw new IllegalArgumentException("a 3-D model takes X, Y, Z (the stack has " + stack.numDimensions()
                    + " dimensions); cut channels and time with Views.hyperSlice");
        VolumeSize size = new VolumeSize((int) stack.dimension(2), (int) stack.dimension(1), (int) stack.dimension(0));
        if (size.voxels() > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("the stack has " + size.voxels() + " voxels, more than one array holds;"
                    + " crop it or segment it in blocks on Spark");
        float[] values = new float[(int) size.voxels()];
        Cursor<T> cursor = Views.flatIterable(stack).cursor(); // X fastest, then Y, then Z: the core's [D·H·W]
        for (int i = 0; i < values.length; i++) values[i] = cursor.next().getRealFloat();
        double[] v = voxel != null ? voxel : segmenter.spec().voxel();
        LabeledVolume volume = new LabeledVolume("stack", new float[][] {values}, null, size, v, "µm");
        VolumeSegmenter.Result r = segmenter.segment(volume, o, line -> {}, null);
        return new Volume(ArrayImgs.ints(r.labels(), size.width(), size.height(), size.depth()), r.objects(), r);
    }

    /**
     * A stack or time series frame by frame: {@code frameAxis} (e.g. Z or T) is cut with
     * Views.hyperSlice, each frame is segmented on its own (normalized on its own, object labels from 1
     * in every frame), and the results are stacked back as views along the last axis: X, Y, frame. Each
     * frame's result is its own array, so the whole need never fit in one.
     */
    public record Frames(
            List<Result> frames,
            RandomAccessibleInterval<UnsignedByteType> classes,
            RandomAccessibleInterval<IntType> objects,
            int objectCount) {}

    public static <T extends RealType<T>> Frames segmentFrames(
            Engine engine,
            SegmentationSpec spec,
            RandomAccessibleInterval<T> image,
            int frameAxis,
            Segmenter.Options o) {
        if (frameAxis < 2 || frameAxis >= image.numDimensions()) {
            throw new IllegalArgumentException("frame axis " + frameAxis
                    + " is not one of the image's axes beyond X and Y (it has " + image.numDimensions() + ")");
        }
        List<Result> frames = new ArrayList<>();
        List<RandomAccessibleInterval<UnsignedByteType>> classes = new ArrayList<>();
        List<RandomAccessibleInterval<IntType>> objects = new ArrayList<>();
        int count = 0;
        for (long t = image.min(frameAxis); t <= image.max(frameAxis); t++) {
            Result r = segment(engine, spec, Views.hyperSlice(image, frameAxis, t), o);
            frames.add(r);
            classes.add(r.classes());
            if (r.objects() != null) objects.add(r.objects());
            count += r.objectCount();
        }
        return new Frames(frames, Views.stack(classes), objects.isEmpty() ? null : Views.stack(objects), count);
    }

    /** Classes and objects written into caller-provided images (any writable RAIs, e.g. cell images), and the object count. */
    public record Into(
            RandomAccessibleInterval<UnsignedByteType> classes,
            RandomAccessibleInterval<IntType> objects,
            int objectCount) {}

    /**
     * Segments an X, Y(, C) image of any size into cell images (ImgLib2 {@code CellImg}s of 512×512
     * cells, so no single array holds the result: images beyond 2^31 pixels work). The image is read
     * tile by tile and processed in bands of {@code bandRows} rows ({@link BandSegmenter}).
     */
    public static <T extends RealType<T>> Into segmentLarge(
            Engine engine,
            SegmentationSpec spec,
            RandomAccessibleInterval<T> image,
            Segmenter.Options o,
            int bandRows) {
        long w = image.dimension(0), h = image.dimension(1);
        Img<UnsignedByteType> classes = new CellImgFactory<>(new UnsignedByteType(), 512).create(w, h);
        Img<IntType> objects = spec.isInstances() ? new CellImgFactory<>(new IntType(), 512).create(w, h) : null;
        return segmentInto(Segmenter.of(engine, spec), image, o, bandRows, new Target(classes, objects));
    }

    /** Where {@link #segmentInto} writes: classes and objects (X, Y; objects null for semantic models). */
    public record Target(
            RandomAccessibleInterval<UnsignedByteType> classes, RandomAccessibleInterval<IntType> objects) {}

    /** As {@link #segmentLarge}, into the given images (X, Y; {@code objects} may be null for semantic models). */
    public static <T extends RealType<T>> Into segmentInto(
            Segmenter segmenter, RandomAccessibleInterval<T> image, Segmenter.Options o, int bandRows, Target target) {
        Engine engine = segmenter.engine();
        SegmentationSpec spec = segmenter.spec();
        RandomAccessibleInterval<UnsignedByteType> classes = target.classes();
        RandomAccessibleInterval<IntType> objects = target.objects();
        if (image.numDimensions() < 2 || image.numDimensions() > 3) {
            throw new IllegalArgumentException(
                    "the image must be X, Y or X, Y, C (it has " + image.numDimensions() + " dimensions)");
        }
        RandomAccessibleInterval<UnsignedByteType> classOut = Views.zeroMin(classes);
        RandomAccessibleInterval<IntType> objectOut = objects == null ? null : Views.zeroMin(objects);
        int count = BandSegmenter.segment(
                Segmenter.of(engine, spec),
                new Source<>(image, spec),
                o.withMinObjectPixels(Segmenter.smallestObject(spec, o, 1)), // decoded on the image's grid
                new BandSegmenter.Bands(bandRows, null),
                new BandSegmenter.Sink() {
                    public void rows(int y0, int rows, byte[] c, int[] ids) {
                        long w = classOut.dimension(0);
                        long[] min = {0, y0}, max = {w - 1, y0 + rows - 1};
                        Cursor<UnsignedByteType> cc = Views.flatIterable(Views.interval(classOut, min, max))
                                .cursor();
                        for (int i = 0; cc.hasNext(); i++) cc.next().set(c[i]);
                        if (objectOut == null || ids == null) return;
                        Cursor<IntType> oc = Views.flatIterable(Views.interval(objectOut, min, max))
                                .cursor();
                        for (int i = 0; oc.hasNext(); i++) oc.next().set(ids[i]);
                    }

                    public void relabel(int[] map) {
                        if (objectOut == null) return;
                        for (IntType v : Views.flatIterable(objectOut)) v.set(map[v.get()]);
                    }
                });
        return new Into(classes, objects, count);
    }

    /** Reads normalized windows [C, h, w] from an X, Y(, C) image. */
    static final class Source<T extends RealType<T>> implements TiledPredictor.Source {
        private final RandomAccessibleInterval<T> image;
        private final int width, height, channels;
        private final float[] scale, shift;

        Source(RandomAccessibleInterval<T> image, SegmentationSpec spec) {
            this.image = Views.zeroMin(image);
            this.width = (int) image.dimension(0);
            this.height = (int) image.dimension(1);
            this.channels = image.numDimensions() == 3 ? (int) image.dimension(2) : 1;
            this.scale = new float[channels];
            this.shift = new float[channels];
            for (int c = 0; c < channels; c++) {
                Percentiles p = Segmenter.percentiles(spec, sample(channel(c)));
                scale[c] = p == null ? 1f : p.scale();
                shift[c] = p == null ? 0f : p.low();
            }
        }

        private RandomAccessibleInterval<T> channel(int c) {
            return image.numDimensions() == 3 ? Views.hyperSlice(image, 2, c) : image;
        }

        /** About a million values spread over the plane, for the percentiles. */
        private static <T extends RealType<T>> float[] sample(RandomAccessibleInterval<T> plane) {
            long size = plane.dimension(0) * plane.dimension(1);
            long step = Math.max(1, size / 1_000_000);
            float[] values = new float[(int) ((size + step - 1) / step)];
            Cursor<T> cursor = Views.flatIterable(plane).cursor();
            for (int i = 0; i < values.length; i++) {
                cursor.jumpFwd(i == 0 ? 1 : step);
                values[i] = cursor.get().getRealFloat();
            }
            return values;
        }

        public int channels() {
            return channels;
        }

        public int height() {
            return height;
        }

        public int width() {
            return width;
        }

        public void read(int y0, int x0, int h, int w, float[] dst) {
            for (int c = 0; c < channels; c++) {
                IntervalView<T> window = Views.interval(
                        Views.extendZero(channel(c)), new long[] {x0, y0}, new long[] {x0 + w - 1, y0 + h - 1});
                Cursor<T> cursor = Views.flatIterable(window).cursor();
                int off = c * h * w;
                float s = scale[c], z = shift[c];
                for (int i = 0; i < h * w; i++) {
                    float v = cursor.next().getRealFloat();
                    // NaN/±Inf pixels become 0 after normalization, as on every other path (Percentiles.apply)
                    dst[off + i] = Float.isFinite(v) ? (v - z) * s : 0f;
                }
            }
        }
    }
}
