// CNN-J: segment a z-stack in 3-D with a 3-D model (its sidecar says instances-3d): a 3-D label stack, rois.zip
// (per slice one ROI per object, named OBJECT-zSLICE) and results.csv (volume, centroid, bounding box, mean).
// Batch:  ImageJ -batch segment-stack-3d.ijm "input=[/data/stack.tif] model=[/models/nuclei3d.onnx] output=[/out]"
// Fiji:   fiji --headless -batch segment-stack-3d.ijm "input=[...] model=[...] output=[...]"
// The voxel size comes from the stack's calibration (Image › Properties…). Without arguments it asks.
args = getArgument();
if (args == "") {
    input = File.openDialog("Z-stack");
    model = File.openDialog("3-D model (.onnx)");
    output = getDirectory("Output folder");
} else {
    input = call("ij.Macro.getValue", args, "input", "");
    model = call("ij.Macro.getValue", args, "model", "");
    output = call("ij.Macro.getValue", args, "output", "");
}
open(input);
run("Segment Image...", "model=[" + model + "] output=[" + output + "] engine=ort device=auto");
