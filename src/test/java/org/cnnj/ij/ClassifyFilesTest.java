package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnj.cls.ImageClassifier;
import org.cnnj.io.FolderLock;
import org.cnnj.model.BuiltInModels;
import org.cnnj.runtime.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder of crops is classified as segment and detect go through folders: one bad file costs only itself. */
class ClassifyFilesTest {
    @TempDir
    Path dir;

    private Path crops() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(Path.of("test-images/cells/mitotic/cell-200002.tif"), in.resolve("a.tif"));
        Files.copy(Path.of("test-images/cells/apoptotic/cell-200003.tif"), in.resolve("b, \"odd\" name.tif"));
        Files.write(in.resolve("empty.tif"), new byte[0]);
        return in;
    }

    @Test
    void anEmptyFileFailsAloneAndNamesWithCommasAndQuotesStayWhole() throws Exception {
        Path out = dir.resolve("out");
        var e = assertThrows(
                IOException.class,
                () -> ClassifyFiles.classify(
                        ClassifyFiles.Options.of(Path.of(BuiltInModels.CELLS), crops(), out), line -> {}));
        assertTrue(e.getMessage().contains("2 done") && e.getMessage().contains("1 failed: empty.tif"), e.getMessage());
        List<String> rows = Files.readAllLines(out.resolve("classes.csv"));
        assertEquals(3, rows.size(), "header and the two good crops: " + rows);
        assertTrue(rows.get(2).startsWith("\"b, \"\"odd\"\" name.tif\",1,"), rows.get(2));
    }

    @Test
    void aSecondRunIntoTheSameFolderIsRefused() throws Exception {
        Path out = dir.resolve("busy");
        try (FolderLock first = FolderLock.of(out, "classify")) {
            var e = assertThrows(
                    IOException.class,
                    () -> ClassifyFiles.classify(
                            ClassifyFiles.Options.of(Path.of(BuiltInModels.CELLS), crops(), out), line -> {}));
            assertTrue(e.getMessage().contains("another classify run is writing into"), e.getMessage());
        }
        try (var files = Files.list(out)) {
            assertEquals(0, files.count(), "the refused run wrote nothing, and the lock is gone");
        }
    }

    @Test
    void roiResultsKeepTheRoisOwnNamesAndARoiOutsideTheImageIsNamed() throws Exception {
        Path in = Files.createDirectories(dir.resolve("rois"));
        Files.copy(Path.of("test-images/cells/mitotic/cell-200002.tif"), in.resolve("plate.tif"));
        Roi cell = new Roi(4, 4, 40, 40);
        cell.setName("my cell 7");
        RoiZips.write(List.of(cell), in.resolve("plate.zip"));
        ClassifyFiles.classify(
                ClassifyFiles.Options.of(Path.of(BuiltInModels.CELLS), in.resolve("plate.tif"), dir.resolve("o"))
                        .withRois(in),
                line -> {});
        List<String> rows = Files.readAllLines(dir.resolve("o/classes.csv"));
        assertTrue(rows.get(1).startsWith("plate.tif,my cell 7,"), "the ROI's own name is its key: " + rows);
        Roi away = new Roi(500, 500, 10, 10);
        away.setName("far away");
        ImagePlus imp = new ImagePlus("plate", new FloatProcessor(48, 48));
        try (ImageClassifier c = ImageClassifier.open(Path.of(BuiltInModels.CELLS), Device.CPU)) {
            var outside = assertThrows(
                    IllegalArgumentException.class, () -> ClassifyFiles.classifyRois(c, imp, List.of(away)));
            assertTrue(outside.getMessage().contains("\"far away\"")
                    && outside.getMessage().contains("outside"));
        }
    }
}
