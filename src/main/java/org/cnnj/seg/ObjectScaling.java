package org.cnnj.seg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cnnj.data.ImagingAugmentation;
import org.cnnj.data.Resize;
import org.cnnj.train.TrainConfig;
import org.cnnj.util.Rng;

/**
 * Brings every training image to one object size: each image is rescaled by diameter / (its own median
 * object diameter, from its labels), so a model sees nuclei of the same size in pixels whatever the
 * magnification they were imaged at; patches are then cut at a random zoom of ×0.7–1.4 around it.
 * Images without objects keep their size.
 */
final class ObjectScaling {
    /** Zoom range of the size augmentation around the target diameter. */
    static final float MIN_ZOOM = 0.7f, MAX_ZOOM = 1.4f;
    /** No image is scaled by more than this factor either way (labels of a few pixels, or huge objects). */
    private static final double MAX_SCALE = 8;

    private final double diameter;

    ObjectScaling(double diameter) {
        if (!(diameter > 0))
            throw new IllegalArgumentException("training: object diameter must be > 0, got " + diameter);
        this.diameter = diameter;
    }

    /** {@code requested} when > 0, else the median of the images' median object diameters. */
    static double targetDiameter(List<LabeledImage> data, double requested) {
        if (requested > 0) return requested;
        double[] d = data.stream()
                .mapToDouble(i -> ObjectSize.medianDiameter(i.labels()))
                .toArray();
        double median = ObjectSize.median(d);
        if (!Double.isFinite(median))
            throw new IllegalArgumentException("training: no image has any object; draw or load labels first");
        return Math.round(median * 10) / 10.0;
    }

    /** The factor that brings an image with these labels to the target diameter (1 when it has no objects). */
    double scaleOf(int[] labels) {
        double d = ObjectSize.medianDiameter(labels);
        if (!Double.isFinite(d) || d <= 0) return 1;
        return Math.max(1 / MAX_SCALE, Math.min(MAX_SCALE, diameter / d));
    }

    /** The images rescaled to the target diameter (raw pixel values, labels by nearest neighbour). */
    List<LabeledImage> rescaled(List<LabeledImage> images) {
        List<LabeledImage> out = new ArrayList<>();
        for (LabeledImage d : images) {
            double s = scaleOf(d.labels());
            int w = Resize.scaled(d.width(), s), h = Resize.scaled(d.height(), s);
            float[][] planes = new float[d.image().length][];
            for (int c = 0; c < planes.length; c++)
                planes[c] = Resize.bilinear(d.image()[c], d.width(), d.height(), w, h);
            out.add(new LabeledImage(
                    d.name(), planes, Resize.nearest(d.labels(), d.width(), d.height(), w, h), w, h, d.source()));
        }
        return out;
    }

    /**
     * Patches of rescaled images normalized as {@code spec} says, with their three-class labels and distance targets;
     * the recipe's augmentation and elastic deformation. With images from several sources each source gets a
     * share of the patches in proportion to the square root of its image count (so a large source does not drown a
     * small one, nor a small one get repeated until it is learnt by heart), and within a source each image in
     * proportion to its area after rescaling (up to 4 patches' worth: huge nuclei shrink into small images).
     */
    ObjectPatchSampler sampler(
            List<LabeledImage> training,
            SegmentationSpec spec,
            TrainConfig cfg,
            SegmentationTrainer.Recipe recipe,
            Rng rng) {
        ImagingAugmentation imaging = recipe.augmentation().imaging();
        List<LabeledImage> scaled = rescaled(training);
        Map<String, Double> areaOfSource = new HashMap<>();
        Map<String, Integer> countOfSource = new HashMap<>();
        double cap = 4.0 * cfg.patch() * cfg.patch();
        for (LabeledImage d : scaled) {
            areaOfSource.merge(d.source(), Math.min(cap, (double) d.width() * d.height()), Double::sum);
            countOfSource.merge(d.source(), 1, Integer::sum);
        }
        boolean balanced = countOfSource.size() > 1;
        List<ObjectPatchSampler.Image> images = new ArrayList<>();
        for (LabeledImage d : scaled) {
            double weight = balanced
                    ? Math.sqrt(countOfSource.get(d.source()))
                            * Math.min(cap, (double) d.width() * d.height())
                            / areaOfSource.get(d.source())
                    : 1;
            images.add(new ObjectPatchSampler.Image(
                    SegmentationTrainer.normalize(spec, d),
                    SyntheticNuclei.threeClass(d.labels(), d.width(), d.height()),
                    DistanceMap.normalized(d.labels(), d.width(), d.height()),
                    d.labels(),
                    d.width(),
                    d.height(),
                    weight));
        }
        return new ObjectPatchSampler(
                images, new ObjectPatchSampler.Settings(MIN_ZOOM, MAX_ZOOM, 0.1f, recipe.elastic(), imaging), rng);
    }
}
