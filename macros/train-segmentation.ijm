// CNN-J: train a U-Net on a folder of image/label pairs (X.tif + X-labels.tif).
// Batch:  ImageJ -batch train-segmentation.ijm "images=[/data/pairs] output=[/models/mine.onnx] epochs=20 steps=50 patch=128"
// Writes mine.onnx + mine.json, mine-training.csv and mine-checkpoints/.
args = getArgument();
if (args == "") {
    images = getDirectory("Folder of image/label pairs");
    output = File.saveDialog("Model to write (.onnx)");
    args = "images=[" + images + "] output=[" + output + "] task=instances epochs=20 steps=50 patch=128";
}
run("Train Segmentation on Folder...", args);
