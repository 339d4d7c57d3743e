package org.cnnj.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cnnj.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Test-time flips: each view is the input flipped (and transposed) and its output is mapped back onto the input's
 * grid. A network that adds its own column index to each value shows every view's geometry: mapped back, the mean
 * column over the views is exact and known.
 */
class FlipAveragingTest {
    /** out[n, 0, y, x] = in[n, 0, y, x] + x (x of the view it is given); remembers the shapes it was given. */
    static class ColumnNetwork implements Engine {
        final List<int[]> shapes = new ArrayList<>();

        @Override
        public Tensor run(Tensor x) {
            shapes.add(x.shape());
            int w = x.dim(3), area = x.dim(2) * w;
            float[] out = x.data().clone();
            for (int i = 0; i < out.length; i++) out[i] += (i % area) % w;
            return Tensor.of(out, x.shape());
        }

        @Override
        public String describe() {
            return "column network";
        }

        @Override
        public void close() {}
    }

    private static Tensor ramp(int n, int h, int w) {
        float[] v = new float[n * h * w];
        for (int i = 0; i < v.length; i++) v[i] = (i * 37) % 101;
        return Tensor.of(v, n, 1, h, w);
    }

    @Test
    void eachViewIsMappedBackToTheInputsPixels() {
        int h = 3, w = 5;
        Tensor x = ramp(2, h, w);
        // flips only: the mirrored view sees column w − 1 − x at x, so the mean column is (w − 1) / 2 everywhere.
        for (int views : new int[] {2, 4}) {
            float[] y = new FlipAveraging(new ColumnNetwork(), views).run(x).data();
            for (int i = 0; i < y.length; i++)
                assertEquals(x.data()[i] + (w - 1) / 2f, y[i], 1e-5, views + " views, element " + i);
        }
        // transposed views see the row (or h − 1 − row) as their column: half the views add (h − 1) / 2 on average.
        ColumnNetwork net = new ColumnNetwork();
        float[] y = new FlipAveraging(net, 8).run(x).data();
        for (int i = 0; i < y.length; i++)
            assertEquals(x.data()[i] + ((w - 1) / 2f + (h - 1) / 2f) / 2, y[i], 1e-5, "8 views, element " + i);
        assertEquals(8, net.shapes.size());
        assertArrayEquals(new int[] {2, 1, w, h}, net.shapes.get(4), "a transposed view is w × h");
    }

    @Test
    void aViewIsTheInputFlipped() {
        // The first view after the input: mirrored left–right, so its first column is the input's last.
        ColumnNetwork net = new ColumnNetwork() {
            @Override
            public Tensor run(Tensor x) {
                if (shapes.size() == 1) {
                    float[] v = x.data();
                    assertEquals(4f, v[0], "mirror: (0, 0) shows the input's (0, 4)");
                    assertEquals(5f, v[9], "mirror: (1, 4) shows the input's (1, 0)");
                }
                return super.run(x);
            }
        };
        float[] v = new float[10];
        for (int i = 0; i < v.length; i++) v[i] = i;
        new FlipAveraging(net, 2).run(Tensor.of(v, 1, 1, 2, 5));
        assertEquals(2, net.shapes.size());
    }

    @Test
    void oneViewIsTheNetworkItselfAndOtherCountsAreRefused() {
        Engine net = new ColumnNetwork();
        assertSame(net, FlipAveraging.of(net, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FlipAveraging(net, 3));
        assertTrue(e.getMessage().contains("1, 2, 4 or 8"), e.getMessage());
        assertTrue(new FlipAveraging(net, 4).describe().endsWith("mean of 4 flipped views"));
    }
}
