package org.cnnj.cli;

import java.util.List;
import java.util.Map;
import org.cnnj.fiji.DetectFolderCommand;
import org.cnnj.fiji.SegmentFolderCommand;
import org.cnnj.fiji.TrainDetectorCommand;
import org.cnnj.fiji.TrainSegmentationCommand;

/** {@code ./cnnj COMMAND --help}: each command's options with their defaults. */
final class Help {
    private static final Map<String, String> TEXT = Map.ofEntries(
            Map.entry("tune-seg", """
                    ./cnnj tune-seg --model M.onnx --images DIR [--every 1]
                      chooses the split depth of an instances model on annotated images it was not trained on
                      (X.tif + X-labels.tif, every N-th pair) and writes it into M.json"""),
            Map.entry("train-cls", """
                    ./cnnj train-cls --images DIR|FILE.csv --output M.onnx [options]
                      --images DIR          class subfolders (cells/mitotic/*.tif), a file,class CSV, or images with ROI zips
                      --rois DIR            the ROI zips in another folder (class = ROI name or group)
                      --classes a,b         class names and order (default: found in the data, sorted)
                      --arch resnet18       lenet5 alexnet vgg11 vgg13 vgg16 vgg19 vgg11-bn vgg16-bn googlenet resnet18 resnet34 resnet50
                                            se-resnet18 se-resnet50 densenet121 densenet169 mobilenet-v1 mobilenet-v2
                      --size 64 --width 0.25 --dropout 0.2   crop size S, × standard channel counts, head dropout
                      --channels 2,1        which channels of the images, in which order (numbers from 1 or names)
                      --window 0 --mask     around ROIs: window in pixels (0 = S), the ROI's mask as an extra channel
                      --epochs 30 --steps 0 (one pass) --batch 32 --lr 0.001 --validation 0.2 --patience 0 --seed 1
                      --optimizer adamw|sgd --weight-decay 0.0001 --label-smoothing 0.1 --no-balance --no-augment
                      --normalize percentile|none   --from M.onnx [--freeze-features]   --resume"""),
            Map.entry("classify", """
                    ./cnnj classify --model M.onnx --input IMG|DIR --output DIR [options]
                      --input IMG|DIR       an image (each slice), a folder, or a folder of class subfolders (also scored)
                      --rois DIR            classify each image's ROIs (X.zip): rois.zip renamed and coloured by class
                      --dense               also NAME-classes.tif, a class-probability map per image (FC → conv)
                      --channels 2,1        the channels the model was trained on (numbers from 1 or names)
                      --engine ort --device auto --threads 0"""),
            Map.entry("export-bioimageio", """
                    ./cnnj export-bioimageio --model M.onnx --output M.zip --name NAME --authors "A, B" [options]
                      --license CC-BY-4.0   an SPDX licence id
                      --description TEXT    (default: from the model's task and classes)
                      a bioimage.io model package (spec 0.5) of a CNN-J segmentation model; every --model takes it back"""),
            Map.entry("export-model", """
                    ./cnnj export-model --model M.onnx --folder DIR [--weights as-is|float16]
                      the model with its sidecar (and a detector's head, a classifier's dense graph) copied into DIR
                      --weights float16   large weights stored as 16-bit floats: about half the size, computed in float32"""),
            Map.entry("ensemble", """
                    ./cnnj ensemble --model A.onnx --model B.onnx [--model C.onnx ...] --output E.onnx [--weights 0.35,0.65]
                      one model file that runs every model on the image and decodes the mean of their outputs
                      (--weights: a weighted mean, one positive weight per model, adding up to 1)
                      the models must take and give the same (channels, classes, task, normalization, object size);
                      the ensemble decodes with the first one's split depth (./cnnj tune-seg re-chooses it);
                      it takes as long as its models together; --weights float16 on export-model halves its size"""),
            Map.entry(
                    "generate-cells",
                    "./cnnj generate-cells [--out DIR] [--count N] [--size S] [--seed S]   synthetic crops, a folder per phenotype"),
            Map.entry("bench", """
                    ./cnnj bench [--json] [--torch] [--steps N]   time training steps of the reference U-Net
                      --torch: PyTorch on the same step; --blas: numpy/OpenBLAS SGEMM as the machine's GEMM rate
                    ./cnnj bench segment|detect [--model M] [--size N] [--tile N] [--threads N]   (segment --java: also the Java engine)
                    ./cnnj bench detect --data DIR --model A.onnx --model B.onnx [--diameter auto|PX]   per-class AP@0.5, mAP, images/s of each, B vs A
                    ./cnnj bench folder [--count 100] [--size 256]   many small images: time outside the engine per image
                    ./cnnj bench conv3d [--channels 16] [--depth 32] [--size 64] [--torch]   a 3-D conv block's training step
                    ./cnnj bench unet3d [--filters 16] [--depth 2] [--batch 2] [--patch 64] [--patch-depth 32] [--torch]   a 3-D U-Net training step
                    ./cnnj bench seg3d [--model models/nuclei3d.onnx] [--size 512] [--slices 100]   a stack in 3-D: ORT and Java engine, time and memory
                    ./cnnj bench seg3d --data DIR [--model M] [--diameter PX]   AP@0.5 on annotated stacks (X.tif + X-labels.tif)
                    ./cnnj bench classify [--data DIR] [--lenet-epochs 10] [--resnet-epochs 2] [--width 0.25] [--torch]
                    ./cnnj bench accuracy [--data DIR] [--model models/nuclei.onnx] [--annotations F] [--threads N] [--per-image]
                      object-level accuracy on annotated images: NAME-labels.tif (Cellpose's _masks, _seg.npy, ilastik's _Object Identities.h5), ROI zips or QuPath/labelme/COCO/VIA/Label Studio/CVAT outlines (default: ../shared/data/nuclei-real/val); --annotations: one kind only, as train-seg"""),
            Map.entry(
                    "demo",
                    "./cnnj demo [--out DIR] [--steps N] [--seed S]   synthetic nuclei: train, then AP@0.5 on a held-out image"),
            Map.entry(
                    "demo-det",
                    "./cnnj demo-det [--out DIR] [--steps N] [--seed S]   synthetic cell scenes: train the detector, mAP@0.5"),
            Map.entry("generate-nuclei", "./cnnj generate-nuclei [--out DIR] [--count N] [--size S] [--seed S]"),
            Map.entry(
                    "generate-nuclei3d",
                    "./cnnj generate-nuclei3d [--out DIR] [--count N] [--size S] [--slices D] [--z-ratio 2] [--radius 6,11] [--seed S]"
                            + "   synthetic 3-D nuclei stacks + label stacks"),
            Map.entry("train-seg3d", """
                    ./cnnj train-seg3d --images DIR --output M.onnx [--labels DIR] [--epochs 20] [--steps 50] [--batch 2]
                      [--patch 64] [--patch-depth 0 (as deep as wide, in µm)] [--depth 2] [--filters 16] [--diameter 0]
                      [--voxel z,y,x] [--lr 0.002] [--validation 0.2] [--validation-images DIR] [--patience 5] [--seed 1]
                      [--no-intensity] [--resume] [--train-engine auto|java|ort (ONNX Runtime runs each whole step)]
                      [--from M3D.onnx (fine-tune a 3-D model: its network, voxel ratio, object size and split depth kept)]
                      a 3-D U-Net (instances: foreground + 3-D distance map) from stacks X.tif with label stacks X-labels.tif;
                      Ctrl-C stops at the next step, exports the best model and prints the command to resume."""),
            Map.entry("generate-scenes", "./cnnj generate-scenes [--out DIR] [--count N] [--size S] [--seed S]"),
            Map.entry("install", """
                    ./cnnj install PATH [--gpu]   copies CNN-J's jar, ONNX Runtime (CPU; --gpu: the CUDA build from mvn -Pcuda package) and the
                      dependencies the Fiji.app / ImageJ folder lacks; refuses when the folder has an older version of one; lists what it
                      copied in PATH/cnnj-installed.txt"""),
            Map.entry("uninstall", "./cnnj uninstall PATH   removes exactly what ./cnnj install copied there"),
            Map.entry("info", "./cnnj info   kernel path, threads, Java version"));

    private static final CommandLine.Extras TRAINING_NOTE = new CommandLine.Extras(
            List.of(),
            List.of(),
            "\n  Ctrl-C stops at the next step, exports the best model and prints the command to resume.");

    private Help() {}

    static String of(String command) {
        String t = switch (command) {
            case "segment" ->
                CommandLine.help(
                        "./cnnj segment --input IMG|DIR --output DIR [options]   (the options of Fiji's Segment Folder)",
                        SegmentFolderCommand.class,
                        Map.of(),
                        SegmentCommand.EXTRAS);
            case "detect" ->
                CommandLine.help(
                        "./cnnj detect --model M.onnx --input IMG|DIR --output DIR [options]   (score and NMS: from the"
                                + " detector's sidecar unless given)",
                        DetectFolderCommand.class,
                        Map.of(),
                        CommandLine.Extras.NONE);
            case "train-seg" ->
                CommandLine.help(
                        "./cnnj train-seg --images DIR --output M.onnx [options]   (the options of Fiji's Train"
                                + " Segmentation on Folder)",
                        TrainSegmentationCommand.class,
                        TrainSegCommand.ALIASES,
                        TRAINING_NOTE);
            case "train-det" ->
                CommandLine.help(
                        "./cnnj train-det --images DIR --output M.onnx [options]   (the options of Fiji's Train Detector"
                                + " on Folder; X.tif with its ROI zip X.zip, class = ROI name or group)",
                        TrainDetectorCommand.class,
                        TrainSegCommand.ALIASES,
                        TRAINING_NOTE);
            default -> TEXT.get(command);
        };
        if (t == null) throw new IllegalArgumentException("unknown command '" + command + "'\n" + Main.usage());
        return t;
    }
}
