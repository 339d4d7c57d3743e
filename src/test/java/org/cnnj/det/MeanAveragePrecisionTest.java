package org.cnnj.det;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Average precision on hand-computed cases. */
class MeanAveragePrecisionTest {
    private static Detection d(int cls, float score, float x) {
        return new Detection(cls, "c" + cls, score, x, 0, x + 10, 10);
    }

    @Test
    void handComputedPrecisionRecallArea() {
        // Class 0: truths at x=0, 20, 40. Ranked: TP(0.9), FP(0.8), TP(0.7), duplicate of the first (FP, 0.6).
        // Precision 1, 1/2, 2/3, 1/2 at recall 1/3, 1/3, 2/3, 2/3 → monotone precision 1, 2/3, 2/3 →
        // AP = 1/3·1 + 1/3·2/3 = 5/9 (the object at x=40 is never found).
        List<Detection> found = List.of(d(0, 0.9f, 0), d(0, 0.8f, 60), d(0, 0.7f, 20), d(0, 0.6f, 1));
        float[] truth = {0, 0, 10, 10, 20, 0, 30, 10, 40, 0, 50, 10};
        MeanAveragePrecision.Result r =
                MeanAveragePrecision.evaluate(List.of(found), List.of(truth), List.of(new int[] {0, 0, 0}), 2, 0.5f);
        assertEquals(5.0 / 9, r.averagePrecision()[0], 1e-9);
        assertTrue(Double.isNaN(r.averagePrecision()[1]), "class without truth boxes");
        assertEquals(5.0 / 9, r.mean(), 1e-9);
        assertEquals(2, r.truePositives()[0]);
        assertEquals(2, r.falsePositives()[0]);
    }

    @Test
    void wrongClassDoesNotCount() {
        float[] truth = {0, 0, 10, 10};
        MeanAveragePrecision.Result r = MeanAveragePrecision.evaluate(
                List.of(List.of(d(1, 0.9f, 0))), List.of(truth), List.of(new int[] {0}), 2, 0.5f);
        assertEquals(0.0, r.averagePrecision()[0]);
        r = MeanAveragePrecision.evaluate(
                List.of(List.of(d(0, 0.9f, 0))), List.of(truth), List.of(new int[] {0}), 2, 0.5f);
        assertEquals(1.0, r.averagePrecision()[0]);
    }
}
