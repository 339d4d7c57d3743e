// CNN-J: train a classifier on a folder of class subfolders (cells/mitotic/*.tif, cells/interphase/*.tif, ...),
// then classify another folder (or a folder of class subfolders, which is also scored); classes.csv in output.
// Batch:
//   ImageJ -batch train-then-classify.ijm "images=[/data/cells] model=[/models/cells.onnx] input=[/data/new] output=[/data/out] epochs=30 size=48"
args = getArgument();
images = call("ij.Macro.getValue", args, "images", "");
model = call("ij.Macro.getValue", args, "model", "");
input = call("ij.Macro.getValue", args, "input", "");
output = call("ij.Macro.getValue", args, "output", "");
epochs = call("ij.Macro.getValue", args, "epochs", "30");
size = call("ij.Macro.getValue", args, "size", "48");
architecture = call("ij.Macro.getValue", args, "architecture", "resnet18");
if (images == "" || model == "" || input == "" || output == "")
    exit("train-then-classify needs images=[...] model=[...] input=[...] output=[...]");
run("Train Classifier...", "images=[" + images + "] output=[" + model + "] architecture=" + architecture + " size=" + size + " width=0.125 epochs=" + epochs);
run("Classify Images...", "model=[" + model + "] input=[" + input + "] output=[" + output + "] device=cpu");
print("CNN-J: trained " + model + " and wrote classes.csv to " + output);
