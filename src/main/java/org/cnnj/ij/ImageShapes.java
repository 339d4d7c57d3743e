package org.cnnj.ij;

import ij.gui.Roi;
import java.util.List;

/** One image's objects as an annotation file gives them, and the image size it states (0 × 0 when it states none). */
record ImageShapes(List<Roi> rois, int width, int height) {
    /**
     * Refuses shapes drawn on another size of the image (a resized export): they would sit in the wrong places.
     *
     * @param file   the annotation file, named in the message
     * @param image  the image's file name
     */
    void requireSize(String file, String image, int actualWidth, int actualHeight) {
        if (width > 0 && height > 0 && (width != actualWidth || height != actualHeight))
            throw new IllegalArgumentException(file + " describes " + image + " as " + width + " × " + height
                    + " but it is " + actualWidth + " × " + actualHeight
                    + "; the shapes belong to another size (a resized export?): export them again");
    }
}
