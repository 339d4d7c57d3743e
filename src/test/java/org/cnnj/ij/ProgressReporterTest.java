package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Headless, long apply steps log every further 10% with an ETA. */
class ProgressReporterTest {
    @Test
    void logsEachTenPercentOnceWithAnEta() {
        System.setProperty("java.awt.headless", "true");
        List<String> lines = new ArrayList<>();
        ProgressReporter p = new ProgressReporter("segmenting big.tif", lines::add);
        for (int done = 1; done <= 40; done++) p.update(done, 40);
        assertEquals(9, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("segmenting big.tif: 10% (4/40 tiles), ETA "), lines.get(0));
        assertTrue(lines.get(8).contains("90% (36/40 tiles)"), lines.get(8));
    }
}
