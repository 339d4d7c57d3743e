package org.cnnj.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void fileNamesAsOtherToolsWriteThemIntoAnnotations() {
        assertEquals("a.png", ImageFiles.nameOf("C:\\data\\smears\\a.png"));
        assertEquals("a.png", ImageFiles.nameOf("/data/upload/1/a.png"));
        assertEquals("a.png", ImageFiles.nameOf(" a.png "));
    }
}
