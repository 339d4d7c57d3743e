package org.cnnj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ij.gui.Roi;
import ij.io.RoiDecoder;
import ij.measure.Calibration;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelResultsTest {
    @TempDir
    Path dir;

    // 6×4 image: label 1 is a 2×2 square at (1,1); label 3 is an L of 3 pixels at the right.
    private static final int[] LABELS = {
        0, 0, 0, 0, 3, 0,
        0, 1, 1, 0, 3, 0,
        0, 1, 1, 0, 3, 3,
        0, 0, 0, 0, 0, 0,
    };

    @Test
    void oneNamedRoiPerLabelSurvivesTheZipRoundTrip() throws IOException {
        List<Roi> rois = LabelResults.rois(LABELS, 6, 4, 2);
        assertEquals(2, rois.size());
        Path zip = dir.resolve("rois.zip");
        RoiZips.write(rois, zip);
        List<Roi> back = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; )
                back.add(RoiDecoder.openFromByteArray(in.readAllBytes()));
        }
        assertEquals(2, back.size());
        assertEquals("1", back.get(0).getName(), "the ROI is named by its label, as the table numbers it");
        assertEquals(2, back.get(0).getPosition());
        assertEquals(new Rectangle(1, 1, 2, 2), back.get(0).getBounds());
        assertEquals(4, back.get(1).getContainedPoints().length);
        assertEquals(new Rectangle(4, 0, 2, 3), back.get(1).getBounds());
    }

    @Test
    void measurementsAreCalibrated() throws IOException {
        float[] intensity = new float[24];
        for (int i = 0; i < 24; i++) intensity[i] = i;
        Calibration cal = new Calibration();
        cal.pixelWidth = cal.pixelHeight = 0.5;
        cal.setUnit("um");
        List<LabelResults.Measurement> m = LabelResults.measure(LABELS, intensity, 6, 4, cal, 0);
        assertEquals(2, m.size());
        LabelResults.Measurement square = m.get(0);
        assertEquals(1, square.label());
        assertEquals(4 * 0.25, square.area(), 1e-12);
        assertEquals(2.0 * 0.5, square.centroidX(), 1e-12);
        assertEquals(2.0 * 0.5, square.centroidY(), 1e-12);
        assertEquals((7 + 8 + 13 + 14) / 4.0, square.meanIntensity(), 1e-12);
        Path csv = dir.resolve("results.csv");
        LabelResults.saveCsv(m, cal, csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(
                "position,label,area_um2,centroid_x_um,centroid_y_um,mean_intensity",
                lines.get(0)); // ImageJ spells um as µm
        assertEquals("0,1,1.0000,1.0000,1.0000,10.5000", lines.get(1));
    }

    /** The CSV's numbers are String.format's "%.4f" to the character: random magnitudes, half-way cases, signs, specials. */
    @Test
    void csvNumbersAreWhatStringFormatWrites() {
        Random rng = new Random(7);
        List<Double> values = new ArrayList<>(List.of(
                0.0,
                -0.0,
                0.00005,
                -0.00005,
                0.00015,
                1.23445,
                2.5e-5,
                0.99995,
                9.99995,
                1e20,
                -3.14159265,
                12345.6789,
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE,
                4.35,
                0.1 + 0.2));
        for (int i = 0; i < 20_000; i++) {
            double v = (rng.nextDouble() - 0.3) * Math.pow(10, rng.nextInt(14) - 6);
            values.add(v);
            values.add(Math.round(v * 1e5) / 1e5); // ends in 5 at the fifth place: the rounding ties
        }
        for (double v : values) {
            assertEquals(
                    String.format(Locale.ROOT, "%.4f", v),
                    LabelResults.appendFixed4(new StringBuilder(), v).toString(),
                    "value " + v);
        }
    }
}
