package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectScoresTest {
    @Test
    void countsMergesSplitsAndApByHand() {
        // 1×12 strip. Truth: objects 1 [0,4), 2 [4,8), 3 [8,12). Prediction: one object over 1+2 (a merge), 3 cut in
        // two halves (a split).
        int[] truth = {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3};
        int[] pred = {5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 7, 7};
        ObjectScores.Image s = ObjectScores.score(truth, pred);
        assertEquals(1, s.merges());
        assertEquals(1, s.splits());
        assertEquals(0, s.truePositives()[0], "IoUs are exactly 0.5, not above");
        assertEquals(0.0, s.averagePrecision(0));
        int[] perfect = truth.clone();
        ObjectScores.Image p = ObjectScores.score(truth, perfect);
        assertEquals(1.0, p.dsbScore());
        ObjectScores.Summary sum = ObjectScores.summarize(List.of(s, p));
        assertEquals(3.0 / (6 + 6 - 3), sum.pooledAp50(), 1e-12, "pooled: 3 TP of 6 truths and 6 predictions");
        assertEquals(0.5, sum.meanAp50(), 1e-12);
        assertEquals(0.5, sum.recall(), 1e-12);
        assertEquals(2, sum.images());
    }

    @Test
    void dsbScoreAveragesTheThresholds() {
        // Truth 10 px; prediction covers 8 of them: IoU 0.8 -> TP for t < 0.8 (6 of 10 thresholds: 0.5..0.75).
        int[] truth = new int[10], pred = new int[10];
        Arrays.fill(truth, 1);
        for (int i = 0; i < 8; i++) pred[i] = 1;
        assertEquals(0.6, ObjectScores.score(truth, pred).dsbScore(), 1e-12);
    }
}
