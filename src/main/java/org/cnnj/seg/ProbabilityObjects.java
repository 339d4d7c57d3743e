package org.cnnj.seg;

import java.util.List;
import java.util.Locale;

/**
 * How a semantic model's per-pixel probabilities become objects — what a user of a bioimage.io model that outputs a
 * foreground probability expects from Segment (labels, ROIs, a results row per object), not a class map of 0 and 1:
 * pixels above {@code threshold} joined into connected components, or split where objects touch (a seeded watershed:
 * seeds where the model's boundary channel is low, else the peaks of each region's distance to its outline). {@link
 * Method#AUTO} chooses by the model: objects for a model from elsewhere whose output names a foreground (a watershed
 * when it also gives boundaries), the class map for CNN-J's own semantic models, as before.
 */
public record ProbabilityObjects(Method method, double threshold) {
    /** The ways; the option's spelling is the lower-case name. */
    public enum Method {
        AUTO,
        NONE,
        CONNECTED,
        WATERSHED;

        public String option() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Method parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            for (Method m : values()) if (m.option().equals(t)) return m;
            throw new IllegalArgumentException(
                    "objects must be auto, none, connected or watershed, got \"" + text + "\"");
        }
    }

    /** The default: chosen by the model, at probability 0.5. */
    public static final ProbabilityObjects AUTO = new ProbabilityObjects(Method.AUTO, 0.5);

    /**
     * How far, in distance to the outline relative to the region's deepest point, a region must narrow between two
     * peaks for the watershed without a boundary channel to cut it in two: deep enough that a ripple of an outline does
     * not split one object, shallow enough for two round nuclei pressed together.
     */
    static final float SPLIT_DEPTH = 0.2f;

    public ProbabilityObjects {
        if (method == null) throw new IllegalArgumentException("objects: no method");
        if (!(threshold > 0 && threshold < 1))
            throw new IllegalArgumentException("the probability threshold must be between 0 and 1, got " + threshold);
    }

    /** Which output channels hold the foreground and the boundary probability (-1: none; foreground -1: 1 − p(0)). */
    record Channels(int foreground, int boundary) {}

    static Channels channels(SegmentationSpec spec) {
        List<String> names = spec.classes();
        if (names.size() == 1) return new Channels(0, -1);
        int boundary = -1, background = -1, foreground = -1;
        for (int c = 0; c < names.size(); c++) {
            String n = names.get(c).toLowerCase(Locale.ROOT);
            if (n.matches(".*(bound|border|contour|edge|outline).*")) boundary = boundary < 0 ? c : boundary;
            else if (n.matches(".*(background|^bg$).*")) background = background < 0 ? c : background;
            else if (foreground < 0) foreground = c;
        }
        if (background == 0 && "logits".equals(spec.output())) foreground = -1; // softmax classes: 1 − p(background)
        else if (foreground < 0) foreground = background == 0 ? -1 : 0;
        return new Channels(foreground, boundary);
    }

    /** AUTO made definite for {@code spec}; other methods as they are (objects of instance models are their own). */
    public ProbabilityObjects resolve(SegmentationSpec spec) {
        if (spec.isInstances()) return new ProbabilityObjects(Method.NONE, threshold);
        if (method != Method.AUTO) return this;
        if (spec.tensorIo() == null) return new ProbabilityObjects(Method.NONE, threshold);
        return new ProbabilityObjects(channels(spec).boundary() >= 0 ? Method.WATERSHED : Method.CONNECTED, threshold);
    }

    /** True when the probabilities become objects. */
    boolean makesObjects() {
        return method == Method.CONNECTED || method == Method.WATERSHED;
    }

    /**
     * Objects 1..n (0 = background) from the foreground probability and, where the model gives one, the boundary
     * probability (else null), dropping objects under {@code minPixels}.
     */
    int[] objects(float[] foreground, float[] boundary, int width, int height, int minPixels) {
        byte[] classes = new byte[foreground.length];
        float t = (float) threshold;
        for (int i = 0; i < classes.length; i++)
            classes[i] = foreground[i] > t ? (boundary != null && boundary[i] > 0.5f ? (byte) 2 : (byte) 1) : 0;
        if (method == Method.CONNECTED) {
            for (int i = 0; i < classes.length; i++) if (classes[i] != 0) classes[i] = 1;
            return Instances.fromThreeClass(classes, width, height, Math.max(1, minPixels));
        }
        if (boundary != null) return Instances.fromThreeClass(classes, width, height, Math.max(1, minPixels));
        boolean[] mask = new boolean[classes.length];
        for (int i = 0; i < mask.length; i++) mask[i] = classes[i] != 0;
        int[] regions = Instances.fromThreeClass(classes, width, height, 1);
        float[] distance = DistanceMap.normalized(regions, width, height);
        return DistanceInstances.decode(
                mask, distance, width, height, new DistanceInstances.Options(SPLIT_DEPTH, Math.max(1, minPixels)));
    }

    /** What a user is told: "objects: probability > 0.5, connected components (change with objects=…)". */
    String describe(SegmentationSpec spec) {
        return "objects: " + describeFor(spec) + " (change with objects=none|connected|watershed and threshold=P;"
                + " command line --objects, --threshold)";
    }

    /** The rule in words: "probability > 0.5, connected components". */
    public String describeFor(SegmentationSpec spec) {
        Channels c = channels(spec);
        String of = c.foreground() < 0
                ? "1 − p(" + spec.classes().get(0) + ")"
                : spec.classes().get(c.foreground());
        String how = method == Method.CONNECTED
                ? "connected components"
                : c.boundary() >= 0
                        ? "split along " + spec.classes().get(c.boundary()) + " (seeded watershed)"
                        : "split where they narrow (watershed on the distance to their outline)";
        return String.format(Locale.ROOT, "%s > %s, %s", of, threshold, how);
    }
}
