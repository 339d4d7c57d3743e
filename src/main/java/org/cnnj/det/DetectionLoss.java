package org.cnnj.det;

import java.util.Arrays;
import org.cnnj.loss.BceWithLogits;
import org.cnnj.loss.SmoothL1;
import org.cnnj.loss.SoftmaxCrossEntropy;
import org.cnnj.ops.Add;
import org.cnnj.ops.RoiAlign;
import org.cnnj.tensor.Tensor;
import org.cnnj.util.Rng;

/**
 * One training forward pass of the whole detector and its four losses (approximate joint training as
 * in torchvision's Faster R-CNN): RPN objectness BCE and RPN box smooth L1 (β = 1/9) over the balanced
 * anchor sample, then proposals (no gradient) → ROI sample → ROI Align → head softmax cross-entropy and
 * box smooth L1 (β = 1) on the foreground ROIs, and with a mask head (Mask R-CNN) the mask BCE of the foreground ROIs
 * on their class's map ({@link MaskTargets}). Every loss is averaged over its sample.
 *
 * <p>Shapes: images [N, C, H, W]; per image n, truth boxes (x1, y1, x2, y2 in patch pixels), classes and (for masks)
 * an instance label map [H, W].
 */
public final class DetectionLoss {
    public static final int RPN_SAMPLE = 256, ROIS_PER_IMAGE = 128;
    public static final float ROI_FOREGROUND_FRACTION = 0.25f;

    /** The summed loss (to back-propagate) and its parts (for logs). */
    public record Losses(
            Tensor total, float rpnObjectness, float rpnBox, float headClass, float headBox, float headMask) {}

    private DetectionLoss() {}

    public static Losses compute(Detector net, Tensor images, BoxSampler.Batch batch, Rng rng) {
        float[][] truth = batch.boxes();
        int[][] truthClasses = batch.classes();
        int n = images.dim(0), height = images.dim(2), width = images.dim(3);
        DetectorConfig c = net.config;
        Tensor features = net.forward(images);
        Detector.Rpn rpn = net.rpn(features);
        int fh = features.dim(2), fw = features.dim(3), plane = fh * fw, a = c.anchorsPerLocation();
        float[] anchors = Anchors.grid(DetectorConfig.STRIDE, c.anchorSizes(), c.aspectRatios(), fh, fw);

        int perImage = a * plane;
        float[] objTarget = new float[n * perImage], objWeight = new float[n * perImage];
        float[] deltaTarget = new float[4 * n * perImage], deltaWeight = new float[4 * n * perImage];
        int sampled = 0;
        float[][] proposals = new float[n][];
        for (int s = 0; s < n; s++) {
            RpnTargets.Targets t = RpnTargets.assign(anchors, plane, truth[s], RPN_SAMPLE, rng);
            System.arraycopy(t.objectness(), 0, objTarget, s * perImage, perImage);
            System.arraycopy(t.weights(), 0, objWeight, s * perImage, perImage);
            System.arraycopy(t.deltas(), 0, deltaTarget, 4 * s * perImage, 4 * perImage);
            System.arraycopy(t.deltaWeights(), 0, deltaWeight, 4 * s * perImage, 4 * perImage);
            sampled += t.sampled();
            proposals[s] = Proposals.of(
                            rpn.objectness().data(),
                            s * perImage,
                            rpn.deltas().data(),
                            4 * s * perImage,
                            anchors,
                            a,
                            fh,
                            fw,
                            width,
                            height,
                            Proposals.Limits.TRAINING)
                    .boxes();
        }
        float norm = Math.max(1, sampled);
        Tensor rpnObjectness = BceWithLogits.apply(
                rpn.objectness(), Tensor.of(objTarget, rpn.objectness().shape()), objWeight, norm);
        Tensor rpnBox =
                SmoothL1.apply(rpn.deltas(), Tensor.of(deltaTarget, rpn.deltas().shape()), deltaWeight, norm, 1f / 9);

        RoiTargets.Sample[] rois = new RoiTargets.Sample[n];
        int k = 0;
        for (int s = 0; s < n; s++) {
            rois[s] = RoiTargets.sample(
                    proposals[s], truth[s], truthClasses[s], ROIS_PER_IMAGE, ROI_FOREGROUND_FRACTION, rng);
            k += rois[s].count();
        }
        float[] boxes = new float[4 * k], targets = new float[4 * k], targetWeights = new float[4 * k];
        int[] labels = new int[k], batchIndex = new int[k];
        for (int s = 0, at = 0; s < n; s++) {
            RoiTargets.Sample r = rois[s];
            System.arraycopy(r.boxes(), 0, boxes, 4 * at, 4 * r.count());
            System.arraycopy(r.deltas(), 0, targets, 4 * at, 4 * r.count());
            System.arraycopy(r.deltaWeights(), 0, targetWeights, 4 * at, 4 * r.count());
            System.arraycopy(r.labels(), 0, labels, at, r.count());
            Arrays.fill(batchIndex, at, at + r.count(), s);
            at += r.count();
        }
        Tensor pooled = RoiAlign.apply(
                features, boxes, batchIndex, 1f / DetectorConfig.STRIDE, c.roiSize(), DetectorConfig.SAMPLING_RATIO);
        DetectorHead.Output head = net.head.heads(pooled);
        Tensor headClass = SoftmaxCrossEntropy.apply(head.classLogits(), labels);
        Tensor headBox = SmoothL1.apply(head.boxDeltas(), Tensor.of(targets, k, 4), targetWeights, Math.max(1, k), 1f);
        Tensor total = Add.apply(Add.apply(rpnObjectness, rpnBox), Add.apply(headClass, headBox));
        Tensor headMask = net.mask == null ? null : maskLoss(net, features, rois, batch);
        if (headMask != null) total = Add.apply(total, headMask);
        return new Losses(
                total,
                rpnObjectness.item(),
                rpnBox.item(),
                headClass.item(),
                headBox.item(),
                headMask == null ? 0f : headMask.item());
    }

    /**
     * Mask BCE over the foreground ROIs of the patches that have masks, each ROI on its class's map only; null when
     * there are none.
     */
    private static Tensor maskLoss(Detector net, Tensor features, RoiTargets.Sample[] rois, BoxSampler.Batch batch) {
        MaskConfig mc = net.maskConfig;
        int m = mc.maskSize(), cells = m * m, classes = net.config.classes().size(), size = batch.size();
        int k = 0;
        for (int s = 0; s < rois.length; s++)
            if (batch.masks() != null && batch.masks()[s] != null)
                for (int label : rois[s].labels()) if (label > 0) k++;
        if (k == 0) return null;
        float[] boxes = new float[4 * k], target = new float[k * classes * cells], weight = new float[target.length];
        int[] batchIndex = new int[k];
        for (int s = 0, at = 0; s < rois.length; s++) {
            if (batch.masks() == null || batch.masks()[s] == null) continue;
            RoiTargets.Sample r = rois[s];
            for (int i = 0; i < r.count(); i++) {
                if (r.labels()[i] == 0) continue;
                System.arraycopy(r.boxes(), 4 * i, boxes, 4 * at, 4);
                batchIndex[at] = s;
                int offset = (at * classes + r.labels()[i] - 1) * cells; // the map of the ROI's class
                MaskTargets.write(r.boxes(), i, r.objects()[i], batch.masks()[s], size, size, m, target, offset);
                Arrays.fill(weight, offset, offset + cells, 1f);
                at++;
            }
        }
        Tensor crops = RoiAlign.apply(
                features, boxes, batchIndex, 1f / DetectorConfig.STRIDE, mc.roiSize(), DetectorConfig.SAMPLING_RATIO);
        Tensor logits = net.mask.forward(crops);
        return BceWithLogits.apply(logits, Tensor.of(target, logits.shape()), weight, (float) k * cells);
    }
}
