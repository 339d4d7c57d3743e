package org.cnnj.imglib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import java.nio.file.Path;
import java.util.Map;
import net.imglib2.Cursor;
import net.imglib2.RandomAccess;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.img.cell.CellImg;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.cnnj.ij.Tiffs;
import org.cnnj.model.Sidecars;
import org.cnnj.runtime.Device;
import org.cnnj.runtime.JavaEngine;
import org.cnnj.runtime.OrtEngine;
import org.cnnj.seg.LabeledVolume;
import org.cnnj.seg.ObjectScores;
import org.cnnj.seg.SegmentationSpec;
import org.cnnj.seg.Segmenter;
import org.cnnj.seg.SyntheticVolumes;
import org.cnnj.seg.VolumeSegmenter;
import org.cnnj.seg.VolumeSpec;
import org.cnnj.seg.VolumeUNet;
import org.cnnj.seg.VolumeUNetConfig;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;

class ImgLib2SegmenterTest {
    private static final Path MODEL = Path.of("models/nuclei.onnx");

    @Test
    void wrappingSharesThePixelArray() throws Exception {
        ImagePlus imp = Tiffs.open(Path.of("test-images/nuclei-1.tif"));
        Img<UnsignedShortType> img = ImagePlusImgs.wrap(imp.getProcessor());
        RandomAccess<UnsignedShortType> ra = img.randomAccess();
        ra.setPosition(new long[] {5, 7});
        ra.get().set(4321);
        assertEquals(4321, imp.getProcessor().get(5, 7));
    }

    @Test
    void sameObjectsAsTheArrayPathAndResultsAreImgLib2Images() throws Exception {
        ImagePlus imp = Tiffs.open(Path.of("test-images/nuclei-1.tif"));
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(MODEL));
        Segmenter.Options o = Segmenter.Options.of(spec).withTile(128).withProbabilities(true);
        try (OrtEngine engine = OrtEngine.open(MODEL, Device.CPU, 0, m -> {})) {
            ImgLib2Segmenter.Result viaImgLib2 = ImgLib2Segmenter.segment(
                    engine, spec, ImagePlusImgs.<UnsignedShortType>wrap(imp.getProcessor()), o);
            float[] plane = (float[]) imp.getProcessor().convertToFloat().getPixels();
            Segmenter.Result viaArrays = Segmenter.of(engine, spec).apply(new float[][] {plane}, 256, 256, o, null);
            assertEquals(viaArrays.objectCount(), viaImgLib2.objectCount());
            assertTrue(viaImgLib2.objectCount() > 150, "objects " + viaImgLib2.objectCount());
            assertArrayEquals(
                    viaArrays.objects(),
                    ((ArrayImg<?, IntArray>) viaImgLib2.objects()).update(null).getCurrentStorageArray());
            assertEquals(3, viaImgLib2.probabilities().size());
            assertEquals(256, viaImgLib2.classes().dimension(0));
        }
    }

    /** NaN and infinite pixels (a dead camera column, a division by zero) do not spread: as on the array path. */
    @Test
    void nonFinitePixelsAreTreatedAsOnTheArrayPath() throws Exception {
        ImagePlus imp = Tiffs.open(Path.of("test-images/nuclei-1.tif"));
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(MODEL));
        float[] plane = ((float[]) imp.getProcessor().convertToFloat().getPixels()).clone();
        for (int y = 0; y < 256; y++) plane[y * 256 + 100] = Float.NaN; // a dead column
        plane[40 * 256 + 40] = Float.POSITIVE_INFINITY;
        Segmenter.Options o = Segmenter.Options.of(spec).withTile(128);
        try (OrtEngine engine = OrtEngine.open(MODEL, Device.CPU, 0, m -> {})) {
            ImgLib2Segmenter.Result viaImgLib2 =
                    ImgLib2Segmenter.segment(engine, spec, ArrayImgs.floats(plane, 256, 256), o);
            Segmenter.Result viaArrays = Segmenter.of(engine, spec).apply(new float[][] {plane}, 256, 256, o, null);
            assertTrue(viaArrays.objectCount() > 150, "objects " + viaArrays.objectCount());
            assertArrayEquals(
                    viaArrays.objects(),
                    ((ArrayImg<?, IntArray>) viaImgLib2.objects()).update(null).getCurrentStorageArray());
        }
    }

    @Test
    void wrongChannelCountsAreExplained() throws Exception {
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(MODEL));
        Img<FloatType> twoChannels = ArrayImgs.floats(64, 64, 2);
        Segmenter.Options o = Segmenter.Options.of(spec).withTile(64);
        try (OrtEngine engine = OrtEngine.open(MODEL, Device.CPU, 0, m -> {})) {
            var e = assertThrows(
                    IllegalArgumentException.class, () -> ImgLib2Segmenter.segment(engine, spec, twoChannels, o));
            assertTrue(e.getMessage().contains("expects 1 channel(s) but the image has 2"), e.getMessage());
            var dims = assertThrows(
                    IllegalArgumentException.class,
                    () -> ImgLib2Segmenter.segment(engine, spec, ArrayImgs.floats(8, 8, 2, 2), o));
            assertTrue(
                    dims.getMessage().contains("X, Y or X, Y, C")
                            && dims.getMessage().contains("segmentFrames"),
                    dims.getMessage());
        }
    }

    @Test
    void timeSeriesFrameByFrameMatchesEachFrameAlone() throws Exception {
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(MODEL));
        Segmenter.Options o = Segmenter.Options.of(spec).withTile(256);
        short[] a = (short[])
                Tiffs.open(Path.of("test-images/nuclei-1.tif")).getProcessor().getPixels();
        short[] b = (short[])
                Tiffs.open(Path.of("test-images/nuclei-2.tif")).getProcessor().getPixels();
        short[] both = new short[2 * a.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        Img<UnsignedShortType> movie = ArrayImgs.unsignedShorts(both, 256, 256, 2); // X, Y, T
        try (OrtEngine engine = OrtEngine.open(MODEL, Device.CPU, 0, m -> {})) {
            ImgLib2Segmenter.Frames f = ImgLib2Segmenter.segmentFrames(engine, spec, movie, 2, o);
            assertEquals(2, f.frames().size());
            assertArrayEquals(new long[] {256, 256, 2}, f.objects().dimensionsAsLongArray());
            int alone = ImgLib2Segmenter.segment(engine, spec, ArrayImgs.unsignedShorts(b, 256, 256), o)
                    .objectCount();
            assertEquals(alone, f.frames().get(1).objectCount());
            assertEquals(f.frames().get(0).objectCount() + alone, f.objectCount());
            // the stacked view reads frame 1 from the second frame's own result
            RandomAccess<IntType> ra = f.objects().randomAccess();
            ra.setPosition(new long[] {100, 100, 1});
            RandomAccess<IntType> direct = f.frames().get(1).objects().randomAccess();
            direct.setPosition(new long[] {100, 100});
            assertEquals(direct.get().get(), ra.get().get());
            var axis = assertThrows(
                    IllegalArgumentException.class, () -> ImgLib2Segmenter.segmentFrames(engine, spec, movie, 1, o));
            assertTrue(axis.getMessage().contains("frame axis 1"), axis.getMessage());
        }
    }

    @Test
    void bandsIntoCellImagesGiveTheSameObjectsAsOneArray() throws Exception {
        SegmentationSpec spec = SegmentationSpec.read(Sidecars.of(MODEL));
        ImagePlus imp = Tiffs.open(Path.of("test-images/nuclei-2.tif"));
        Img<UnsignedShortType> img = ImagePlusImgs.wrap(imp.getProcessor());
        try (OrtEngine engine = OrtEngine.open(MODEL, Device.CPU, 0, m -> {})) {
            for (int minPixels : new int[] {0, 6}) {
                Segmenter.Options o = Segmenter.Options.of(spec).withTile(32).withMinObjectPixels(minPixels);
                ImgLib2Segmenter.Result whole = ImgLib2Segmenter.segment(engine, spec, img, o);
                // 64-row bands (4 of them, each with a 32-row margin) written into 512-px-cell images
                ImgLib2Segmenter.Into banded = ImgLib2Segmenter.segmentLarge(engine, spec, img, o, 64);
                assertTrue(banded.classes() instanceof CellImg, "cell image output");
                // Each band decodes its own distance map, as the whole image is decoded; bands join their objects where
                // they meet.
                int[] wholeIds = new int[256 * 256], bandIds = new int[256 * 256];
                Cursor<IntType> a = Views.flatIterable(whole.objects()).cursor();
                Cursor<IntType> b = Views.flatIterable(banded.objects()).cursor();
                Cursor<UnsignedByteType> ca =
                        Views.flatIterable(whole.classes()).cursor();
                Cursor<UnsignedByteType> cb =
                        Views.flatIterable(banded.classes()).cursor();
                int differentClasses = 0;
                for (int i = 0; a.hasNext(); i++) {
                    wholeIds[i] = a.next().get();
                    bandIds[i] = b.next().get();
                    if (ca.next().get() != cb.next().get()) differentClasses++;
                }
                var match = ObjectScores.score(wholeIds, bandIds);
                System.out.printf(
                        "bands vs whole (min %d px): %d vs %d objects, AP@0.5 %.3f, merges %d, splits %d%n",
                        minPixels,
                        banded.objectCount(),
                        whole.objectCount(),
                        match.averagePrecision(0),
                        match.merges(),
                        match.splits());
                assertTrue(
                        match.averagePrecision(0) >= 0.98,
                        "objects of bands vs whole image, min " + minPixels + ": " + match);
                assertEquals(0, differentClasses, "classes of bands == whole image");
            }
        }
    }

    @Test
    void aStackLaidOutXyzIsSegmentedIn3dAsTheCoreSegmentsItsVolume() {
        LabeledVolume v = SyntheticVolumes.generate(2, 12, 40, 32, SyntheticVolumes.Settings.defaults());
        VolumeUNet net = new VolumeUNet(new VolumeUNetConfig(1, 2, 1, 4, 2.0), new Rng(1));
        VolumeSpec spec = VolumeSpec.forUNet(net.config, v.voxel(), "µm", 14, Map.of());
        VolumeSegmenter segmenter = new VolumeSegmenter(new JavaEngine(net), spec);
        VolumeSegmenter.Options o = VolumeSegmenter.Options.defaults().withDiameter(14);
        ImgLib2Segmenter.Volume r =
                ImgLib2Segmenter.segmentVolume(segmenter, ArrayImgs.floats(v.image()[0], 32, 40, 12), v.voxel(), o);
        assertArrayEquals(new long[] {32, 40, 12}, r.objects().dimensionsAsLongArray());
        VolumeSegmenter.Result direct = segmenter.segment(v, o, line -> {}, null);
        assertArrayEquals(direct.foreground(), r.detail().foreground(), "same voxels in the same order");
        assertArrayEquals(direct.labels(), r.detail().labels());
    }
}
