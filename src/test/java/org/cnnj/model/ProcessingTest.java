package org.cnnj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every bioimage.io processing step against numpy's arithmetic as bioimageio.core applies it
 * (src/test/python/make_bioimageio_fixtures.py): statistics per channel or pooled, percentiles interpolated, eps in
 * the divisor, a reference tensor where a step names one.
 */
class ProcessingTest {
    record Case(String id, Map<String, Object> kwargs, List<Double> expected) {}

    record Golden(List<Integer> shape, List<Double> input, List<Double> reference, List<Case> cases) {}

    static float[][] planes(List<Double> values, int channels) {
        int n = values.size() / channels;
        float[][] out = new float[channels][n];
        for (int i = 0; i < values.size(); i++)
            out[i / n][i % n] = values.get(i).floatValue();
        return out;
    }

    @Test
    void everyStepComputesWhatNumpyComputes() throws IOException {
        Golden g = new Gson()
                .fromJson(Files.readString(Path.of("src/test/resources/bioimageio/processing.json")), Golden.class);
        int channels = g.shape().get(0);
        float[][] x = planes(g.input(), channels), ref = planes(g.reference(), channels);
        assertEquals(18, g.cases().size());
        for (Case c : g.cases()) {
            float[][] y = Processing.apply(List.of(new ProcessingStep(c.id(), c.kwargs())), x, ref);
            float[][] expected = planes(c.expected(), channels);
            for (int ch = 0; ch < channels; ch++)
                for (int i = 0; i < y[ch].length; i++)
                    assertEquals(
                            expected[ch][i],
                            y[ch][i],
                            1e-4 * Math.max(1, Math.abs(expected[ch][i])),
                            c.id() + " " + c.kwargs() + " at " + ch + "/" + i);
        }
        assertEquals(planes(g.input(), channels)[0][3], x[0][3], "the input is left as it was");
    }

    @Test
    void stepsOutsideTheSpecificationAndMismatchedChannelListsAreRefusedByName() {
        var unknown = assertThrows(IllegalArgumentException.class, () -> ProcessingStep.of("equalize_histogram"));
        assertTrue(unknown.getMessage().contains("equalize_histogram")
                && unknown.getMessage().contains("scale_range"));
        var lists = assertThrows(
                IllegalArgumentException.class,
                () -> Processing.apply(
                        List.of(new ProcessingStep("scale_linear", Map.of("gain", List.of(1.0, 2.0, 3.0)))),
                        new float[2][4],
                        null));
        assertTrue(
                lists.getMessage().contains("3 values") && lists.getMessage().contains("2 channel"),
                lists.getMessage());
        var dtype = assertThrows(
                IllegalArgumentException.class,
                () -> Processing.apply(
                        List.of(new ProcessingStep("ensure_dtype", Map.of("dtype", "complex64"))),
                        new float[1][1],
                        null));
        assertTrue(dtype.getMessage().contains("complex64"), dtype.getMessage());
    }

    @Test
    void preprocessingTurnsNonFinitePixelsToZeroAndKeepsThemOutOfTheStatistics() {
        float[][] x = {{1, 2, Float.NaN, 3, Float.POSITIVE_INFINITY}};
        float[][] y = Processing.preprocess(
                List.of(new ProcessingStep("zero_mean_unit_variance", Map.of("axes", List.of("y", "x")))), x);
        float std = (float) Math.sqrt(2 / 3.0);
        assertEquals(-1 / std, y[0][0], 1e-4);
        assertEquals(0, y[0][2]);
        assertEquals(0, y[0][4]);
        assertEquals(1 / std, y[0][3], 1e-4);
    }
}
