package org.cnnj.det;

/**
 * The anchor boxes of a Region Proposal Network: at every feature-map position (stride s apart, centred
 * on the pixels the position summarizes) one box per (size, aspect ratio). Ordered [A, H, W] like the
 * RPN's output channels: anchor index = (a·H + y)·W + x, with a = sizeIndex·ratios + ratioIndex.
 * Aspect ratio is height/width; the area stays size².
 */
public final class Anchors {
    private Anchors() {}

    public static int perLocation(float[] sizes, float[] ratios) {
        return sizes.length * ratios.length;
    }

    public static float[] grid(int stride, float[] sizes, float[] ratios, int featureHeight, int featureWidth) {
        int a = perLocation(sizes, ratios), plane = featureHeight * featureWidth;
        float[] out = new float[4 * a * plane];
        for (int s = 0; s < sizes.length; s++) {
            for (int r = 0; r < ratios.length; r++) {
                float w = sizes[s] / (float) Math.sqrt(ratios[r]), h = sizes[s] * (float) Math.sqrt(ratios[r]);
                int k = s * ratios.length + r;
                for (int y = 0; y < featureHeight; y++) {
                    for (int x = 0; x < featureWidth; x++) {
                        float cx = (x + 0.5f) * stride, cy = (y + 0.5f) * stride;
                        int i = 4 * ((k * featureHeight + y) * featureWidth + x);
                        out[i] = cx - 0.5f * w;
                        out[i + 1] = cy - 0.5f * h;
                        out[i + 2] = cx + 0.5f * w;
                        out[i + 3] = cy + 0.5f * h;
                    }
                }
            }
        }
        return out;
    }
}
