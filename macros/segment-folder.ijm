// CNN-J: segment every image of a folder; per image labels.tif, rois.zip and results.csv.
// Batch:  ImageJ -batch segment-folder.ijm "model=[/models/nuclei.onnx] input=[/data/imgs] output=[/data/out]"
// Fiji:   fiji --headless -batch segment-folder.ijm "model=[...] input=[...] output=[...]"
// Without arguments it asks for the three paths.
args = getArgument();
if (args == "") {
    model = File.openDialog("CNN-J model (.onnx)");
    input = getDirectory("Folder of images");
    output = getDirectory("Output folder");
    args = "model=[" + model + "] input=[" + input + "] output=[" + output + "] engine=ort device=auto";
}
run("Segment Folder...", args);
