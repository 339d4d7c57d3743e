package org.cnnj.det;

/** One detected object: class (index into the model's class names, 0-based), score in [0, 1], box in image pixels. */
public record Detection(int classIndex, String className, float score, float x1, float y1, float x2, float y2) {
    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    public Detection shifted(float dx, float dy) {
        return new Detection(classIndex, className, score, x1 + dx, y1 + dy, x2 + dx, y2 + dy);
    }

    /** The box with its x coordinates times {@code fx} and y times {@code fy} (back from a resized image). */
    public Detection scaled(float fx, float fy) {
        return new Detection(classIndex, className, score, x1 * fx, y1 * fy, x2 * fx, y2 * fy);
    }
}
