package org.cnnj.ij;

import ij.gui.PolygonRoi;
import ij.gui.Roi;

/** ROIs of shapes annotation tools draw beyond boxes and polygons: turned polygons and ellipses. */
final class ShapeRois {
    private ShapeRois() {}

    /** An ellipse of radii rx, ry around (cx, cy) turned by {@code degrees} clockwise on screen, as a 72-gon. */
    static Roi ellipse(double cx, double cy, double rx, double ry, double degrees) {
        int n = 72;
        double[][] points = new double[n][];
        for (int k = 0; k < n; k++) {
            double t = 2 * Math.PI * k / n;
            points[k] = new double[] {rx * Math.cos(t), ry * Math.sin(t)};
        }
        return rotated(points, cx, cy, degrees);
    }

    /**
     * Points around (cx, cy) turned by {@code degrees} clockwise on screen (as CVAT, VIA and Label Studio turn shapes),
     * as a polygon ROI.
     */
    static Roi rotated(double[][] points, double cx, double cy, double degrees) {
        double a = Math.toRadians(degrees), cos = Math.cos(a), sin = Math.sin(a);
        float[] xs = new float[points.length], ys = new float[points.length];
        for (int i = 0; i < points.length; i++) {
            xs[i] = (float) (cx + points[i][0] * cos - points[i][1] * sin);
            ys[i] = (float) (cy + points[i][0] * sin + points[i][1] * cos);
        }
        return new PolygonRoi(xs, ys, xs.length, Roi.POLYGON);
    }
}
