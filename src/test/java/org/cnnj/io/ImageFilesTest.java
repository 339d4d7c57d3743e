package org.cnnj.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder's images leave out label images as tools name them beside their image, and only those. */
class ImageFilesTest {
    @TempDir
    Path dir;

    @Test
    void labelImagesBesideTheirImageAreNotImages() throws IOException {
        for (String name : List.of(
                "a.tif",
                "a-labels.tif",
                "a_masks.tif",
                "a_cp_masks.png",
                "a-labelled.png",
                "B.PNG",
                "B_masks.png",
                "c_masks.tif",
                "notes.txt")) Files.writeString(dir.resolve(name), "");
        assertEquals(
                List.of("B.PNG", "a.tif", "c_masks.tif"), // c_masks.tif: no image c beside it, so an image itself
                ImageFiles.list(dir).stream()
                        .map(p -> p.getFileName().toString())
                        .toList());
    }

    /** HDF5 images are images; ilastik's exports beside their image are its results, and only beside it. */
    @Test
    void hdf5ImagesButNotIlastiksResultsBesideThem() throws IOException {
        for (String name : List.of(
                "a.h5",
                "a_Probabilities.h5",
                "a_Object Identities.h5",
                "a_Simple Segmentation.h5",
                "b.tif",
                "b_Probabilities.h5",
                "c_Probabilities.h5",
                "d.hdf5",
                "d-labels.h5")) Files.writeString(dir.resolve(name), "");
        assertEquals(
                List.of("a.h5", "b.tif", "c_Probabilities.h5", "d.hdf5"), // c: no image c beside it
                ImageFiles.list(dir).stream()
                        .map(p -> p.getFileName().toString())
                        .toList());
        assertEquals(dir.resolve("a_Object Identities.h5"), ImageFiles.labelImage(dir.resolve("a.h5"), null));
        assertEquals(dir.resolve("d-labels.h5"), ImageFiles.labelImage(dir.resolve("d.hdf5"), null));
    }

    /** An OME-Zarr given where images are expected is named as what it is, with the command that segments it. */
    @Test
    void aZarrImageIsNamedWithTheCommandForIt() throws IOException {
        Path zarr = Files.createDirectories(dir.resolve("scan.ome.zarr"));
        Files.writeString(zarr.resolve(".zgroup"), "{\"zarr_format\": 2}");
        IOException e = assertThrows(IOException.class, () -> ImageFiles.list(zarr));
        assertTrue(
                e.getMessage().contains("scan.ome.zarr is a Zarr image")
                        && e.getMessage().contains("segment-blocks"),
                e.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(assertThrows(IOException.class, () -> ImageFiles.list(empty))
                .getMessage()
                .startsWith("no images"));
    }

    @Test
    void vocJpegImagesHaveTheirAnnotationsBeside() throws IOException {
        Path images = Files.createDirectories(dir.resolve("VOC/JPEGImages"));
        assertEquals(null, ImageFiles.vocAnnotations(images), "no Annotations folder: none");
        Path annotations = Files.createDirectories(dir.resolve("VOC/Annotations"));
        assertEquals(annotations.toAbsolutePath(), ImageFiles.vocAnnotations(images));
        assertEquals(null, ImageFiles.vocAnnotations(dir), "another folder's name: none");
        Path masks = Files.createDirectories(dir.resolve("VOC/SegmentationObject"));
        Files.writeString(masks.resolve("x.png"), "");
        assertEquals(masks.resolve("x.png"), ImageFiles.labelImage(images.resolve("x.jpg"), null));
    }

    @Test
    void fileNamesAsOtherToolsWriteThemIntoAnnotations() {
        assertEquals("a.png", ImageFiles.nameOf("C:\\data\\smears\\a.png"));
        assertEquals("a.png", ImageFiles.nameOf("/data/upload/1/a.png"));
        assertEquals("a.png", ImageFiles.nameOf(" a.png "));
    }
}
