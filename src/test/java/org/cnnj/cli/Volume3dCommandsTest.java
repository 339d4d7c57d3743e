package org.cnnj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnj.ij.Stacks;
import org.cnnj.ij.Tiffs;
import org.cnnj.model.Sidecars;
import org.cnnj.seg.InstanceMatching;
import org.cnnj.seg.VolumeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 3-D commands end to end, as a user types them: synthetic stacks, a (short) 3-D training, segment with the model
 * deciding (ORT and the Java engine agree), and a 2-D model linking a stack's slices (2.5-D).
 */
class Volume3dCommandsTest {
    @Test
    void generateTrainAndSegmentStacks(@TempDir Path dir) throws Exception {
        Path stacks = dir.resolve("stacks");
        assertEquals(0, Main.run(new String[] {
            "generate-nuclei3d",
            "--out",
            stacks.toString(),
            "--count",
            "3",
            "--size",
            "48",
            "--slices",
            "16",
            "--seed",
            "7"
        }));
        Path model = dir.resolve("n3d.onnx");
        assertEquals(0, Main.run(new String[] {
            "train-seg3d",
            "--images",
            stacks.toString(),
            "--output",
            model.toString(),
            "--epochs",
            "1",
            "--steps",
            "3",
            "--batch",
            "1",
            "--patch",
            "32",
            "--filters",
            "4",
            "--validation",
            "0.34"
        }));
        assertTrue(VolumeSpec.describes(model));
        // fine-tuned from it, as typed: the model's network and object size kept, where it started recorded
        Path tuned = dir.resolve("tuned.onnx");
        assertEquals(0, Main.run(new String[] {
            "train-seg3d",
            "--images",
            stacks.toString(),
            "--output",
            tuned.toString(),
            "--from",
            model.toString(),
            "--epochs",
            "1",
            "--steps",
            "1",
            "--batch",
            "1",
            "--patch",
            "32",
            "--validation",
            "0"
        }));
        VolumeSpec base = VolumeSpec.read(Sidecars.of(model)), after = VolumeSpec.read(Sidecars.of(tuned));
        assertEquals(base.architecture(), after.architecture(), "4 filters kept, not the default 16");
        assertEquals(base.objectDiameter(), after.objectDiameter(), 1e-9);
        assertTrue(
                after.provenance().get("from").startsWith("n3d.onnx: ./cnnj train-seg3d"),
                after.provenance().toString());
        Path input = stacks.resolve("nuclei3d-7.tif");
        Path ort = dir.resolve("ort"), java = dir.resolve("java");
        assertEquals(0, segment(model, input, ort, "ort"));
        assertEquals(0, segment(model, input, java, "java"));
        ImagePlus labels = Tiffs.open(ort.resolve("labels.tif"));
        assertEquals(16, labels.getNSlices(), "a label stack as deep as the input");
        assertEquals(2.0, labels.getCalibration().pixelDepth, 1e-9, "with its calibration");
        int[] a = Stacks.labels(labels), b = Stacks.labels(Tiffs.open(java.resolve("labels.tif")));
        int objects = 0;
        for (int l : a) objects = Math.max(objects, l);
        List<String> rows = Files.readAllLines(ort.resolve("results.csv"));
        assertTrue(rows.get(0).startsWith("label,voxels,volume_µm3"), rows.get(0));
        assertEquals(objects + 1, rows.size(), "one row per object");
        if (objects > 0) {
            InstanceMatching.Result m = InstanceMatching.match(a, b, 0.5);
            assertTrue(m.truePositives() >= 0.99 * objects, "Java engine vs ORT: " + m);
        }
        // the converse mistake: a 3-D model on one plane is refused by name
        Path plane = dir.resolve("plane.tif");
        ImagePlus one = Tiffs.open(input);
        one.setSlice(1);
        Tiffs.save(new ImagePlus("plane", one.getProcessor().duplicate()), plane);
        Exception e = assertThrows(
                Exception.class,
                () -> Main.run(new String[] {
                    "segment",
                    "--model",
                    model.toString(),
                    "--input",
                    plane.toString(),
                    "--output",
                    dir.resolve("p").toString()
                }));
        assertTrue(String.valueOf(e.getMessage()).contains("slice"), e.getMessage());
    }

    @Test
    void aTwoDimensionalModelLinksTheSlicesOfAStack(@TempDir Path dir) throws Exception {
        Path stacks = dir.resolve("stacks");
        Main.run(new String[] {
            "generate-nuclei3d",
            "--out",
            stacks.toString(),
            "--count",
            "1",
            "--size",
            "96",
            "--slices",
            "12",
            "--seed",
            "3"
        });
        Path input = stacks.resolve("nuclei3d-3.tif");
        Path flat = dir.resolve("flat"), linked = dir.resolve("linked");
        Main.run(new String[] {
            "segment",
            "--model",
            "nuclei (built-in)",
            "--input",
            input.toString(),
            "--output",
            flat.toString(),
            "--diameter",
            "14"
        });
        Main.run(new String[] {
            "segment",
            "--model",
            "nuclei (built-in)",
            "--input",
            input.toString(),
            "--output",
            linked.toString(),
            "--diameter",
            "14",
            "--link"
        });
        int[] separate = Stacks.labels(Tiffs.open(flat.resolve("labels.tif")));
        int[] joined = Stacks.labels(Tiffs.open(linked.resolve("labels.tif")));
        int[] truth = Stacks.labels(Tiffs.open(stacks.resolve("nuclei3d-3-labels.tif")));
        // per slice the objects restart at 1; linked, ids run over the stack and match the 3-D truth
        InstanceMatching.Result m3 = InstanceMatching.match(truth, joined, 0.5);
        InstanceMatching.Result m2 = InstanceMatching.match(truth, separate, 0.5);
        assertTrue(m3.truePositives() > 2 * m2.truePositives(), "linked " + m3 + " vs separate " + m2);
    }

    /** ./cnnj segment with the model's own diameter (14) on {@code engine}. */
    private static int segment(Path model, Path input, Path output, String engine) throws Exception {
        return Main.run(new String[] {
            "segment",
            "--model",
            model.toString(),
            "--input",
            input.toString(),
            "--output",
            output.toString(),
            "--diameter",
            "14",
            "--engine",
            engine
        });
    }
}
