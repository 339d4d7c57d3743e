package org.cnnj.det;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnnj.data.Resize;
import org.cnnj.runtime.Device;
import org.cnnj.seg.ObjectScores;
import org.junit.jupiter.api.Test;

/** Mask R-CNN: mask targets, pasting, learning outlines, and the exported mask head equal to the Java one. */
class MaskRcnnTest {

    @Test
    void targetsAreTheObjectInsideTheRoi() {
        int w = 20, h = 20;
        int[] labels = new int[w * h];
        for (int y = 6; y < 14; y++) for (int x = 4; x < 12; x++) labels[y * w + x] = 1;
        float[] exact = MaskTargets.of(new float[] {4, 6, 12, 14}, new int[] {0}, labels, w, h, 8);
        for (float v : exact) assertEquals(1f, v);
        // A ROI twice as wide as the object: its left half is the object, whatever the object's own box.
        float[] wide = MaskTargets.of(new float[] {4, 6, 20, 14}, new int[] {0}, labels, w, h, 8);
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) assertEquals(j < 4 ? 1f : 0f, wide[i * 8 + j]);
        // Another object's pixels are not this one's.
        float[] other = MaskTargets.of(new float[] {4, 6, 12, 14}, new int[] {1}, labels, w, h, 8);
        for (float v : other) assertEquals(0f, v);
    }

    @Test
    void pastingATargetGivesBackTheObject() {
        int w = 64, h = 64;
        int[] disc = new int[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) if (Math.hypot(x + 0.5 - 30.3, y + 0.5 - 25.8) < 11.2) disc[y * w + x] = 1;
        float[] box = {19, 14, 42, 37};
        float[] mask = MaskTargets.of(box, new int[] {0}, disc, w, h, 28);
        Instance in = new Instance(new Detection(0, "cell", 0.9f, box[0], box[1], box[2], box[3]), mask, 28);
        MaskPaste.Result r = MaskPaste.labels(List.of(in), w, h);
        ObjectScores.Image s = ObjectScores.score(disc, r.labels());
        assertEquals(1, s.truePositives()[ObjectScores.THRESHOLDS.length - 1], "IoU > 0.95 after the round trip");
    }

    @Test
    void theStrongerDetectionKeepsSharedPixelsAndDuplicatesGo() {
        float[] full = new float[16];
        Arrays.fill(full, 1f);
        Instance a = new Instance(new Detection(0, "c", 0.9f, 0, 0, 10, 10), full, 4);
        Instance b = new Instance(new Detection(0, "c", 0.8f, 6, 0, 16, 10), full, 4);
        Instance duplicate = new Instance(new Detection(0, "c", 0.7f, 1, 0, 11, 10), full, 4);
        MaskPaste.Result r = MaskPaste.labels(List.of(b, duplicate, a), 20, 12);
        assertEquals(2, r.objects().size());
        assertEquals(a, r.objects().get(0));
        assertArrayEquals(new int[] {100, 60}, r.areas()); // b keeps x 10..15 only
        assertEquals(1, r.labels()[5 * 20 + 7]);
        assertEquals(2, r.labels()[5 * 20 + 12]);
    }

    @Test
    void learnsOutlinesAndTheExportedMaskHeadAgrees() throws Exception {
        assertTrue(TrainedMaskDetector.result().spec().hasMasks());
        Path model = TrainedMaskDetector.model();
        assertTrue(Files.isRegularFile(model.resolveSibling("cells.mask.onnx")));

        DetectionScenes.Scene test = DetectionScenes.generate(99, 160, 160, 0.0015);
        float[][] planes = {test.image()};
        List<Instance> inJava, ort;
        try (ObjectDetector d = ObjectDetector.openJava(model)) {
            inJava = d.detectInstances(planes, 160, 160, ObjectDetector.Options.of(d.spec()), null);
        }
        try (ObjectDetector d = ObjectDetector.open(model, Device.CPU, 1, line -> {})) {
            ort = d.detectInstances(planes, 160, 160, ObjectDetector.Options.of(d.spec()), null);
        }
        assertEquals(inJava.size(), ort.size());
        for (int i = 0; i < inJava.size(); i++) {
            float[] a = inJava.get(i).mask(), b = ort.get(i).mask();
            for (int j = 0; j < a.length; j++) assertEquals(a[j], b[j], 1e-4, "mask " + i + " cell " + j);
        }
        // Outlines, not boxes: scored like a segmentation (AP@0.5 = TP / (TP + FP + FN) on pixels).
        MaskPaste.Result pasted = MaskPaste.labels(inJava, 160, 160);
        ObjectScores.Image s = ObjectScores.score(test.labels(), pasted.labels());
        double ap = s.averagePrecision(0);
        // Boxes filled as masks would score far lower on the elongated, turned cells; so would an untrained head.
        List<Instance> boxes = new ArrayList<>();
        float[] full = new float[28 * 28];
        Arrays.fill(full, 1f);
        for (Instance in : inJava) boxes.add(new Instance(in.detection(), full, 28));
        ObjectScores.Image filled = ObjectScores.score(
                test.labels(), MaskPaste.labels(boxes, 160, 160).labels());
        int at75 = 7; // IoU > 0.85 (a filled box of a disc reaches π/4 = 0.785): outlines that follow the cell, which a
        // filled box of a turned rod cannot
        System.out.println("mask AP@0.5 " + ap + ", objects at IoU > 0.85: masks " + s.truePositives()[at75]
                + ", filled boxes " + filled.truePositives()[at75] + " of " + s.truths());
        assertTrue(ap > 0.5, "mask AP@0.5 " + ap);
        assertTrue(
                s.truePositives()[at75] >= 2 * filled.truePositives()[at75] + 8,
                "IoU > 0.85: masks " + s.truePositives()[at75] + ", filled boxes " + filled.truePositives()[at75]);
    }

    @Test
    void objectsTwiceAsLargeAreFoundAtHalfTheScale() throws Exception {
        DetectionScenes.Scene test = DetectionScenes.generate(99, 160, 160, 0.0015);
        float[] large = Resize.bilinear(test.image(), 160, 160, 320, 320);
        int[] truth = new int[320 * 320];
        for (int y = 0; y < 320; y++)
            for (int x = 0; x < 320; x++) truth[y * 320 + x] = test.labels()[y / 2 * 160 + x / 2];
        try (ObjectDetector d = ObjectDetector.open(TrainedMaskDetector.model(), Device.CPU, 1, line -> {})) {
            assertTrue(
                    d.spec().objectSize() > 8 && d.spec().objectSize() < 30,
                    "training boxes " + d.spec().objectSize());
            List<String> said = new ArrayList<>();
            double scale = d.estimateScale(new float[][] {large}, 320, 320, said::add);
            double original = d.estimateScale(new float[][] {test.image()}, 160, 160, said::add);
            // The estimate is the detector's own (its boxes may run a little large or small), but twice as large
            // objects must get half the scale. The detector is trained by the test, so its boxes depend on the
            // machine's float kernels: 0.5 ± 0.08 on AVX-512 machines, 0.588 on an AVX2 one (the same commit, before
            // and after the change that met it) — its small objects' boxes run 12 % large there. An estimate that
            // ignored the objects' size would give 1.
            assertEquals(0.5, scale / original, 0.1, said.toString());
            ObjectDetector.Options o = ObjectDetector.Options.of(d.spec());
            double resized = ap(d.detectInstances(new float[][] {large}, 320, 320, o.withScale(scale), null), truth);
            double asIs = ap(d.detectInstances(new float[][] {large}, 320, 320, o, null), truth);
            double atTraining = ap(d.detectInstances(new float[][] {test.image()}, 160, 160, o, null), test.labels());
            // Resized back to the training size the detector does about as well as on the original image, and far
            // better than on the enlarged one as it is.
            assertTrue(
                    resized > atTraining - 0.1 && resized > asIs + 0.1,
                    resized + " vs " + atTraining + ", as is " + asIs);
        }
    }

    private static double ap(List<Instance> found, int[] truth) {
        int side = (int) Math.round(Math.sqrt(truth.length));
        return ObjectScores.score(truth, MaskPaste.labels(found, side, side).labels())
                .averagePrecision(0);
    }

    @Test
    void masksNeedOutlines() {
        DetectionScenes.Scene s = DetectionScenes.generate(5, 64, 64, 0.0015);
        AnnotatedImage boxesOnly =
                new AnnotatedImage("a.tif", new float[][] {s.image()}, 64, 64, s.boxes(), s.classes(), null);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DetectorTrainer.checkMasks(List.of(boxesOnly)));
        assertTrue(e.getMessage().contains("a.tif") && e.getMessage().contains("outlines"), e.getMessage());
        int[] labels = s.labels().clone();
        for (int p = 0; p < labels.length; p++) if (labels[p] == 1) labels[p] = 0;
        AnnotatedImage lost =
                new AnnotatedImage("b.tif", new float[][] {s.image()}, 64, 64, s.boxes(), s.classes(), labels);
        e = assertThrows(IllegalArgumentException.class, () -> DetectorTrainer.checkMasks(List.of(lost)));
        assertTrue(e.getMessage().contains("b.tif: object 1"), e.getMessage());
    }
}
