// CNN-J: detect objects in every image of a folder; per image rois.zip, detections.csv and overlay.tif.
// Batch:  ImageJ -batch detect-folder.ijm "model=[/models/detector.onnx] input=[/data/imgs] output=[/data/out] score=0.5 nms=0.4"
args = getArgument();
if (args == "") {
    model = File.openDialog("CNN-J detector (.onnx)");
    input = getDirectory("Folder of images");
    output = getDirectory("Output folder");
    args = "model=[" + model + "] input=[" + input + "] output=[" + output + "] score=0.5 nms=0.4";
}
run("Detect in Folder...", args);
