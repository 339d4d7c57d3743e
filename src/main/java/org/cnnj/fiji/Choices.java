package org.cnnj.fiji;

/**
 * What the choices of the commands' choice fields mean, for the dialogs' Help (each says every choice, so Help never
 * repeats a label back). Compile-time constants, as annotations need them.
 */
final class Choices {
    static final String ENGINE = "ort: ONNX Runtime, fast, on the CPU or a CUDA GPU; java: CNN-J's own engine, no"
            + " native code (slower; to cross-check, or where ONNX Runtime cannot load)";
    static final String DEVICE = "auto: the CUDA GPU when ONNX Runtime finds one, else the CPU (said once in the Log);"
            + " cpu: always the CPU; cuda: the GPU, or an error saying why it cannot be used";
    static final String ROIS = "replace: first remove this image's earlier CNN-J results from the ROI Manager;"
            + " append: keep them and add the new ones";
    static final String EXPORT_FORMAT = "CNN-J files: the .onnx graph(s) and the .json sidecar, for CNN-J;"
            + " bioimage.io package: a .zip with bioimageio.yaml, for deepImageJ, ilastik and the bioimage.io tools";
    static final String EXPORT_WEIGHTS = "as trained (float32): the weights as CNN-J trains them; float16 (half the"
            + " size): the large weights stored as 16-bit floats, about half the file, computed in float32 as before"
            + " (results may move by rounding; the bioimage.io package keeps float32)";
    static final String NORMALIZE = "percentile: each image scaled from its 1st to its 99.8th percentile to 0..1, as"
            + " CNN-J trains; none: the model gets the raw pixel values";
    static final String CLASSIFIER = "the network, in torchvision's layout: lenet5 (tiny, fast), alexnet, vgg11…vgg19"
            + " (-bn: with batch norm), googlenet, resnet18…resnet50 and se-resnet (a good default), densenet121/169,"
            + " mobilenet-v1/v2 (fewest operations); Width scales every layer's channels";

    /** The training commands' Annotations field: the choice that is not a file format's name. */
    static final String GEOJSON_NUCLEI =
            "geojson-nuclei: QuPath's cells by their nucleus (geojson and auto: by the cell outline)";

    static final String OBJECTS = "for models that output probabilities (e.g. from bioimage.io) — connected: pixels"
            + " above the threshold joined into objects; watershed: the same, split where objects touch; none: the"
            + " probability map only; auto: as the model's description says (CNN-J's own models make their objects)";

    /** The Channels field of the commands that train on, and that apply a model to, an open image. */
    static final String CHANNELS_TRAIN = "which channels of the image the network learns from, in which order: numbers"
            + " from 1 or channel names (an RGB image's are red, green, blue); the model records them";

    static final String CHANNELS_APPLY = "which channels of the image the model sees, in which order: numbers from 1 or"
            + " channel names (an RGB image's are red, green, blue); the ones it was trained on";

    /** The detection commands' object size field. */
    static final String DETECT_DIAMETER =
            "how big the objects are (the median side of their boxes, in pixels): the image"
                    + " is resized so they have the size the detector was trained on; auto: estimated with the detector; none:"
                    + " the image as it is (the detector must have been trained at this magnification)";

    /** The 3-D training commands' voxel size field. */
    static final String VOXEL = "e.g. 2.0,0.5,0.5 µm; what matters to the model is z spacing over xy spacing";

    private Choices() {}
}
