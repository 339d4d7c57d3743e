package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnnj.cls.ClassifierSpec;
import org.cnnj.cls.SyntheticCells;
import org.cnnj.ij.RoiZips;
import org.cnnj.ij.Tiffs;
import org.cnnj.model.Sidecars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-cls and classify from the shell: class folders, a CSV, ROIs in an image, dense maps, and bad input. */
class ClassifyCommandTest {
    @TempDir
    Path dir;

    private Path cells() throws Exception {
        Path cells = dir.resolve("cells");
        assertEquals(0, GenerateCommand.runCells(new String[] {
            "--out", cells.toString(), "--count", "10", "--size", "32", "--seed", "1"
        }));
        return cells;
    }

    private int train(Path images, Path model, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--images",
                images.toString(),
                "--output",
                model.toString(),
                "--arch",
                "lenet5",
                "--size",
                "32",
                "--width",
                "1",
                "--epochs",
                "2"));
        args.addAll(List.of(more));
        return TrainClsCommand.run(args.toArray(String[]::new));
    }

    @Test
    void trainsOnClassFoldersAndClassifiesAndScoresAFolder() throws Exception {
        Path cells = cells(), model = dir.resolve("m/cells.onnx");
        assertEquals(0, train(cells, model));
        ClassifierSpec spec = ClassifierSpec.read(Sidecars.of(model));
        assertEquals(
                List.of("apoptotic", "elongated", "interphase", "mitotic"), spec.classes(), "folder names, sorted");
        assertTrue(Files.exists(dir.resolve("m/cells.dense.onnx")));
        assertEquals(3, Files.readAllLines(dir.resolve("m/cells-training.csv")).size(), "header + 2 epochs");
        assertEquals(5, Files.readAllLines(dir.resolve("m/cells-confusion.csv")).size(), "header + 4 classes");
        Path out = dir.resolve("out");
        assertEquals(0, ClassifyCommand.run(new String[] {
            "--model", model.toString(), "--input", cells.toString(), "--output", out.toString(), "--device", "cpu"
        }));
        List<String> rows = Files.readAllLines(out.resolve("classes.csv"));
        assertEquals("file,slice,class,probability,p_apoptotic,p_elongated,p_interphase,p_mitotic", rows.get(0));
        assertEquals(41, rows.size());
        assertTrue(Files.exists(out.resolve("confusion.csv")));
    }

    @Test
    void colourImagesTrainAndClassifyOnTheChannelsChosen() throws Exception {
        Path cells = cells(), rgb = dir.resolve("rgb");
        try (var files = Files.walk(cells)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".tif")).toList()) {
                Path to = rgb.resolve(cells.relativize(f));
                Files.createDirectories(to.getParent());
                ImagePlus grey = Tiffs.open(f);
                Tiffs.save(
                        new ImagePlus(
                                grey.getTitle(),
                                grey.getProcessor().convertToByte(true).convertToRGB()),
                        to);
            }
        }
        Path model = dir.resolve("green.onnx");
        assertEquals(0, train(rgb, model, "--channels", "green"));
        ClassifierSpec spec = ClassifierSpec.read(Sidecars.of(model));
        assertEquals(1, spec.imageChannels());
        assertEquals("green", spec.provenance().get("channels"));
        var all = assertThrows(
                IOException.class,
                () -> ClassifyCommand.run(new String[] {
                    "--model",
                    model.toString(),
                    "--input",
                    rgb.toString(),
                    "--output",
                    dir.resolve("a").toString()
                }));
        assertTrue(all.getMessage().contains("trained on channels=green"), all.getMessage());
        assertEquals(0, ClassifyCommand.run(new String[] {
            "--model",
            model.toString(),
            "--input",
            rgb.toString(),
            "--output",
            dir.resolve("b").toString(),
            "--channels",
            "green"
        }));
        assertEquals(41, Files.readAllLines(dir.resolve("b/classes.csv")).size());
    }

    @Test
    void trainsFromACsvAndMakesDenseMaps() throws Exception {
        Path cells = cells();
        StringBuilder csv = new StringBuilder("file,class\n");
        for (String c : List.of("interphase", "elongated"))
            for (int k = 1; k <= 10; k++) csv.append(String.format("cells/%s/cell-%04d.tif,%s%n", c, k, c));
        Path list = dir.resolve("examples.csv");
        Files.writeString(list, csv);
        Path model = dir.resolve("two.onnx");
        assertEquals(0, train(list, model));
        assertEquals(
                List.of("elongated", "interphase"),
                ClassifierSpec.read(Sidecars.of(model)).classes());
        Path big = dir.resolve("field/field.tif");
        Tiffs.save(
                new ImagePlus(
                        "field", new FloatProcessor(96, 80, Arrays.copyOf(SyntheticCells.crop(3, 0, 96), 96 * 80))),
                big);
        assertEquals(0, ClassifyCommand.run(new String[] {
            "--model",
            model.toString(),
            "--input",
            big.toString(),
            "--output",
            dir.resolve("d").toString(),
            "--dense"
        }));
        ImagePlus map = Tiffs.open(dir.resolve("d/field-classes.tif"));
        assertEquals(2, map.getStackSize(), "one probability map per class");
        assertEquals((96 - 32) / 4 + 1, map.getWidth(), "LeNet's map: one position every 4 pixels");

        Files.writeString(list, "file,class\ncells/nothing.tif,mitotic\n");
        var missing = assertThrows(Exception.class, () -> train(list, dir.resolve("x.onnx")));
        assertTrue(
                missing.getMessage().contains("line 2") && missing.getMessage().contains("does not exist"),
                missing.getMessage());
        assertFalse(Files.exists(dir.resolve("x.onnx")), "nothing written when training cannot start");
    }

    @Test
    void classifiesTheRoisOfAnImageAndRenamesThemByClass() throws Exception {
        int size = 160;
        float[] field = new float[size * size];
        List<Roi> rois = new ArrayList<>();
        for (int i = 0; i < 16; i++) { // a 4×4 grid of 40 px cells, phenotype by column
            int label = i % 4, x0 = (i % 4) * 40, y0 = (i / 4) * 40;
            float[] cell = SyntheticCells.crop(i + 1, label == 1 ? 3 : 0, 40);
            for (int y = 0; y < 40; y++) System.arraycopy(cell, y * 40, field, (y0 + y) * size + x0, 40);
            Roi r = new OvalRoi(x0 + 8, y0 + 8, 24, 24);
            r.setName((label == 1 ? "elongated" : "interphase") + "-" + (i + 1));
            rois.add(r);
        }
        Path images = dir.resolve("plate");
        Tiffs.save(new ImagePlus("plate", new FloatProcessor(size, size, field)), images.resolve("plate.tif"));
        RoiZips.write(rois, images.resolve("plate.zip"));
        Path model = dir.resolve("rois.onnx");
        assertEquals(0, train(images, model, "--window", "40", "--mask"));
        ClassifierSpec spec = ClassifierSpec.read(Sidecars.of(model));
        assertEquals(2, spec.inputChannels(), "the image and the ROI's mask");
        assertEquals(40, spec.roiWindow());
        assertEquals(0, ClassifyCommand.run(new String[] {
            "--model",
            model.toString(),
            "--input",
            images.resolve("plate.tif").toString(),
            "--rois",
            images.toString(),
            "--output",
            dir.resolve("r").toString()
        }));
        List<Roi> named = RoiZips.read(dir.resolve("r/rois.zip"));
        assertEquals(16, named.size());
        for (Roi r : named)
            assertTrue(r.getName().matches("(elongated|interphase) \\(p=[01]\\.\\d\\d\\)"), r.getName());
        assertEquals(17, Files.readAllLines(dir.resolve("r/classes.csv")).size());
    }

    /** The shipped example classifier, by its built-in name, on the committed unseen test crops (12 per phenotype). */
    @Test
    void theShippedClassifierKnowsTheCommittedTestCells() throws Exception {
        Path out = dir.resolve("shipped");
        assertEquals(0, ClassifyCommand.run(new String[] {
            "--model", "cells (built-in)", "--input", "test-images/cells", "--output", out.toString(), "--device", "cpu"
        }));
        List<String> confusion = Files.readAllLines(out.resolve("confusion.csv"));
        long right = 0, all = 0;
        for (int t = 1; t < confusion.size(); t++) {
            String[] cells = confusion.get(t).split(",");
            for (int p = 1; p < cells.length; p++) {
                all += Long.parseLong(cells[p]);
                if (p == t) right += Long.parseLong(cells[p]);
            }
        }
        assertEquals(48, all);
        assertTrue(right >= 0.95 * all, "accuracy " + right + "/" + all + "\n" + String.join("\n", confusion));
    }

    @Test
    void badInputIsNamedAndNothingIsWritten() throws Exception {
        Path cells = cells(), model = dir.resolve("bad.onnx");
        var unknown = assertThrows(
                IllegalArgumentException.class, () -> train(cells, model, "--classes", "interphase,mitotic"));
        assertTrue(
                unknown.getMessage().contains("\"apoptotic\", which is not one of [interphase, mitotic]"),
                unknown.getMessage());
        Path one = dir.resolve("one");
        Files.createDirectories(one);
        Files.move(cells.resolve("mitotic"), one.resolve("mitotic"));
        var single = assertThrows(IllegalArgumentException.class, () -> train(one, model));
        assertTrue(single.getMessage().contains("at least two classes"), single.getMessage());
        var arch = assertThrows(IllegalArgumentException.class, () -> train(cells, model, "--arch", "resnet19"));
        assertTrue(arch.getMessage().contains("resnet18"), arch.getMessage());
        assertFalse(Files.exists(model));
        var segmenter = assertThrows(
                Exception.class,
                () -> ClassifyCommand.run(new String[] {
                    "--model",
                    "models/nuclei.onnx",
                    "--input",
                    cells.toString(),
                    "--output",
                    dir.resolve("o").toString()
                }));
        assertTrue(segmenter.getMessage().contains("Segment Image"), segmenter.getMessage());
    }
}
