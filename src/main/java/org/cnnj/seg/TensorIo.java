package org.cnnj.seg;

import java.util.List;
import org.cnnj.model.Processing;
import org.cnnj.model.ProcessingStep;
import org.cnnj.runtime.AxisOrder;
import org.cnnj.runtime.TiledPredictor;

/**
 * How a model made elsewhere (a bioimage.io package) is fed and read, where it differs from a CNN-J model: the order of
 * its tensors' axes, the input sides it takes (one fixed size, or min + k·step), and the specification's pre- and
 * postprocessing steps, which then replace the sidecar's normalization. Absent (null) in a CNN-J model's sidecar.
 *
 * @param inputAxes      the input's axes in the network's order, letters of b, c, y, x ("bcyx", "byxc", …)
 * @param outputAxes     the same for the output
 * @param height         the input heights the network takes
 * @param width          the input widths the network takes
 * @param preprocessing  steps from the raw image to the network's input (empty: none)
 * @param postprocessing steps from the network's output to the model's (empty: none)
 */
public record TensorIo(
        String inputAxes,
        String outputAxes,
        TiledPredictor.Sizes height,
        TiledPredictor.Sizes width,
        List<ProcessingStep> preprocessing,
        List<ProcessingStep> postprocessing) {
    public TensorIo {
        inputAxes = inputAxes == null ? AxisOrder.STANDARD : inputAxes;
        outputAxes = outputAxes == null ? AxisOrder.STANDARD : outputAxes;
        AxisOrder.check(inputAxes);
        AxisOrder.check(outputAxes);
        height = height == null ? TiledPredictor.Sizes.ANY : height;
        width = width == null ? TiledPredictor.Sizes.ANY : width;
        preprocessing = preprocessing == null ? List.of() : List.copyOf(preprocessing);
        postprocessing = postprocessing == null ? List.of() : List.copyOf(postprocessing);
    }

    /** True for a network exported for one input size (tiled at exactly that size). */
    public boolean fixedSize() {
        return height.fixed() || width.fixed();
    }

    /** The raw image's planes as the network takes them. */
    float[][] preprocess(float[][] planes) {
        return Processing.preprocess(preprocessing, planes);
    }

    /** The network's output planes as the model gives them ({@code input}: the raw image, for steps that refer to it). */
    float[][] postprocess(float[][] output, float[][] input) {
        if (input == null && postprocessing.stream().anyMatch(s -> s.kwargs().containsKey("reference_tensor")))
            throw new IllegalArgumentException("this model's postprocessing refers to the input image, which this way"
                    + " of applying it does not keep; apply it with Segmenter.segment (Segment Image, ./cnnj segment)");
        return postprocessing.isEmpty() ? output : Processing.apply(postprocessing, output, input);
    }
}
