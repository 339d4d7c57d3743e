package org.cnnj.det;

import java.util.List;
import org.cnnj.loss.BceWithLogits;
import org.cnnj.loss.GIoU;
import org.cnnj.loss.SigmoidFocal;
import org.cnnj.ops.Add;
import org.cnnj.ops.Narrow;
import org.cnnj.tensor.Tensor;

/**
 * The one-stage detector's loss over both pyramid levels (FCOS): sigmoid focal loss on the class scores of every
 * location (α 0.25, γ 2), BCE on centre-ness and GIoU on the distances of the objects' locations (the GIoU weighted
 * by the centre-ness target, so a box is learnt mostly from its centre); the focal and centre-ness terms divided by
 * the number of object locations, the GIoU by the sum of their centre-ness.
 */
final class OneStageLoss {
    static final float ALPHA = 0.25f, GAMMA = 2f;

    private OneStageLoss() {}

    /** The loss of the network's levels for a batch of boxes [x1, y1, x2, y2]… and classes per image. */
    static Tensor compute(OneStageNetwork net, Tensor images, float[][] boxes, int[][] classes) {
        List<Tensor> levels = net.levels(images);
        OneStageConfig c = net.config;
        int k = c.classCount();
        OneStageTargets.Level[] targets = new OneStageTargets.Level[levels.size()];
        int positives = 0;
        double centreness = 0;
        for (int l = 0; l < levels.size(); l++) {
            Tensor out = levels.get(l);
            targets[l] = OneStageTargets.of(c, l, out.dim(2), out.dim(3), boxes, classes);
            positives += targets[l].positives();
            for (float v : targets[l].centreness()) centreness += v;
        }
        float objects = Math.max(1, positives), weight = (float) Math.max(1e-6, centreness);
        Tensor total = null;
        for (int l = 0; l < levels.size(); l++) {
            Tensor out = levels.get(l);
            OneStageTargets.Level t = targets[l];
            Tensor term = SigmoidFocal.apply(Narrow.channels(out, 0, k), t.classes(), null, ALPHA, GAMMA, objects);
            if (t.positives() > 0) {
                Tensor ctr = Narrow.channels(out, k, 1);
                term = Add.apply(
                        term, BceWithLogits.apply(ctr, Tensor.of(t.centreness(), ctr.shape()), t.positive(), objects));
                term = Add.apply(
                        term, GIoU.apply(Narrow.channels(out, k + 1, 4), t.distances(), t.centreness(), weight));
            }
            total = total == null ? term : Add.apply(total, term);
        }
        return total;
    }
}
