// CNN-J: classify the cells of an image, outlined by ROIs (e.g. rois.zip written by Segment Folder...);
// writes rois.zip (each ROI renamed "class (p=...)", grouped and coloured by class) and classes.csv.
// Batch:
//   ImageJ -batch classify-rois.ijm "image=[/data/plate.tif] rois=[/data/plate.zip] model=[cells (built-in)] output=[/data/out]"
args = getArgument();
image = call("ij.Macro.getValue", args, "image", "");
rois = call("ij.Macro.getValue", args, "rois", "");
model = call("ij.Macro.getValue", args, "model", "cells (built-in)");
output = call("ij.Macro.getValue", args, "output", "");
if (image == "" || rois == "" || output == "")
    exit("classify-rois needs image=[...] rois=[...] output=[...]");
open(image);
run("Classify ROIs...", "model=[" + model + "] rois=[" + rois + "] device=cpu output=[" + output + "]");
print("CNN-J: classified the ROIs of " + getTitle() + "; results in " + output);
