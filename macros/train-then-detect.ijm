// CNN-J: train a detector on images with ROI zips (X.tif + X.zip, ROIs named by class), then apply it
// to another folder. Batch:
//   ImageJ -batch train-then-detect.ijm "images=[/data/annotated] model=[/models/cells.onnx] input=[/data/new] output=[/data/out] epochs=10 steps=100"
args = getArgument();
images = call("ij.Macro.getValue", args, "images", "");
model = call("ij.Macro.getValue", args, "model", "");
input = call("ij.Macro.getValue", args, "input", "");
output = call("ij.Macro.getValue", args, "output", "");
epochs = call("ij.Macro.getValue", args, "epochs", "10");
steps = call("ij.Macro.getValue", args, "steps", "100");
patch = call("ij.Macro.getValue", args, "patch", "128");
if (images == "" || model == "" || input == "" || output == "")
    exit("train-then-detect needs images=[...] model=[...] input=[...] output=[...]");
run("Train Detector on Folder...", "images=[" + images + "] output=[" + model + "] epochs=" + epochs + " steps=" + steps + " patch=" + patch);
run("Detect in Folder...", "model=[" + model + "] input=[" + input + "] output=[" + output + "]");
print("CNN-J: trained " + model + " and wrote detections to " + output);
