package org.cnnj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cnnj.det.DetectionScenes;
import org.cnnj.det.DetectorSpec;
import org.cnnj.det.ObjectDetector;
import org.cnnj.det.OneStageConfig;
import org.cnnj.det.OneStageNetwork;
import org.cnnj.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench detect runs a two-stage and a one-stage detector on the same scene and relates their speed and mAP. */
class DetectBenchTest {
    @Test
    void twoArchitecturesOnTheSameSceneSideBySide(@TempDir Path dir) throws Exception {
        OneStageConfig c = OneStageConfig.defaults(1, DetectionScenes.CLASSES, 64, 40);
        Path one = dir.resolve("one.onnx");
        ObjectDetector.save(new OneStageNetwork(c, new Rng(1)), DetectorSpec.of(c, null), one);
        List<Path> models = List.of(Path.of("models/detector.onnx"), one);
        List<Map<String, Object>> results =
                List.of(DetectBench.run(models.get(0), 256, 256, 1), DetectBench.run(models.get(1), 256, 256, 1));
        assertEquals("two-stage", results.get(0).get("architecture"));
        assertEquals("one-stage", results.get(1).get("architecture"));
        Map<String, Object> r = DetectBench.compare(models, results);
        double speed = (Double) r.get("speed_one.onnx_vs_detector.onnx");
        double expected = (Double) results.get(0).get("seconds_total")
                / (Double) results.get(1).get("seconds_total");
        assertEquals(expected, speed, 1e-12);
        // The shipped detector finds the scene's cells (mAP ~0.99); an untrained one does not.
        double difference = (Double) r.get("map50_difference_one.onnx_vs_detector.onnx");
        assertTrue(difference < -0.5, "mAP difference " + difference);
    }
}
