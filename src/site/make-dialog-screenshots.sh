#!/usr/bin/env bash
# GUI check of the ImageJ 1 menus and dialogs as a person uses them: plain ImageJ 1 with the built CNN-J_ jar in a
# real (Xvfb) display with a window manager (openbox: dialogs get the keyboard focus as on a desktop), the Recorder
# on, commands opened from the Plugins › CNN-J menu with the mouse, a path typed into a dialog, OK/Cancel clicked.
# Writes src/site/resources/images/: menu.png, dialog-segment-image.png, dialog-detect-defaults.png (the thresholds
# come from the chosen detector's sidecar), dialog-train-segmentation.png (fields filled from the model to start from),
# dialog-segment-folder.png, dialog-detect-folder.png, dialog-train-segmentation-3d.png, dialog-train-segmentation-3d-image.png, dialog-train-detector-image.png, dialog-train-detector.png, recorder.png, training-plot.png,
# dialog-classify-rois.png, classify-rois.png (the cells' ROIs renamed and coloured by class, the tables), dialog-train-classifier.png,
# dialog-train-classifier-image.png, dialog-classify-images.png
# and dialog-export-model.png.
# Needs: mvn -B package, apt-get install xvfb xauth xdotool imagemagick openbox.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
out=src/site/resources/images
home=$(mktemp -d)
mkdir -p "$home/plugins" "$home/det" "$home/pairs"
cp target/lib/ij-*.jar "$home/ij.jar"
./cnnj install "$home" >/dev/null   # a plain ImageJ folder with CNN-J installed as a user installs it
# A detector whose sidecar asks for other thresholds than the dialog's defaults (0.5, 0.4), to see them arrive.
cp models/detector.onnx models/detector.head.onnx "$home/det/"
sed 's/"scoreThreshold": [0-9.]*/"scoreThreshold": 0.35/; s/"nmsIou": [0-9.]*/"nmsIou": 0.3/' models/detector.json > "$home/det/detector.json"
cp test-images/nuclei-?.tif test-images/nuclei-?-labels.tif "$home/pairs/"
printf 'open("%s/test-images/nuclei-1.tif");\nrun("Record...");\n' "$repo" > "$home/gui.ijm"
# A plate of 16 synthetic cells (4 of each phenotype, shuffled), each outlined by an oval ROI in the ROI Manager: what
# Segment Image... would leave there, for Classify ROIs... to name and colour.
cat > "$home/plate.ijm" <<MACRO
cells = newArray("interphase/cell-200001", "mitotic/cell-200002", "apoptotic/cell-200003", "elongated/cell-200004",
  "mitotic/cell-200005", "elongated/cell-200006", "interphase/cell-200007", "apoptotic/cell-200008",
  "apoptotic/cell-200009", "interphase/cell-200010", "elongated/cell-200011", "mitotic/cell-200012",
  "elongated/cell-200001", "apoptotic/cell-200002", "mitotic/cell-200003", "interphase/cell-200004");
newImage("plate", "16-bit black", 192, 192, 1);
for (i = 0; i < 16; i++) {
  open("$repo/test-images/cells/" + cells[i] + ".tif"); id = getImageID(); run("Select All"); run("Copy"); close();
  selectImage("plate"); makeRectangle(48 * (i % 4), 48 * floor(i / 4), 48, 48); run("Paste");
}
run("Select None"); run("Enhance Contrast", "saturated=0.35"); run("Set... ", "zoom=200 x=96 y=96");
roiManager("reset");
for (i = 0; i < 16; i++) { makeOval(48 * (i % 4) + 10, 48 * floor(i / 4) + 10, 28, 28); roiManager("Add"); }
run("Select None");
run("Record...");
MACRO
# The training plot: a short training started by a macro with windows on (the plot opens as it does from the menu).
printf 'run("Train Segmentation on Folder...", "images=[%s/pairs] output=[%s/plot.onnx] epochs=10 steps=25 patch=96 batch=4 depth=3 filters=16");\nFile.saveString("done", "%s/trained");\n' \
  "$home" "$home" "$home" > "$home/plot.ijm"
source src/site/imagej-under-xvfb.sh
start_display 77
imagej "$home/gui.ijm"
wait_for "^Recorder$"
xdotool windowmove "$(window "^ImageJ$")" 100 0   # room on the right, so every submenu opens there
sleep 1
geometry "^ImageJ$"
menu 3 0 "$home/menu-full.png"   # Segmentation › Segment Image...
convert "$home/menu-full.png" -crop 620x285+$((X + 185))+$Y +repage "$out/menu.png"
wait_for "CNN-J Segment Image"
sleep 1
import -window "$(window "CNN-J Segment Image")" "$out/dialog-segment-image.png"
click "CNN-J Segment Image" 38 21   # OK
sleep 5
menu 1 0   # Detection › Detect in Image...
wait_for "CNN-J Detect in Image"
sleep 1
geometry "CNN-J Detect in Image"
xdotool mousemove $((X + 570)) $((Y + 57)) click 1; sleep 0.5   # into the Model field
xdotool type --delay 20 "$home/det/detector.onnx"
sleep 1.5
import -window "$(window "CNN-J Detect in Image")" "$out/dialog-detect-defaults.png"
click "CNN-J Detect in Image" 95 21   # Cancel
sleep 1
menu 4 1   # Training › Train Segmentation on Folder...
wait_for "CNN-J Train Segmentation"
sleep 1
geometry "CNN-J Train Segmentation"
xdotool mousemove $((X + 600)) $((Y + HEIGHT - 142)) click 1; sleep 0.5   # into the From field (above the two check boxes at the bottom): fine-tune the built-in model
xdotool type --delay 20 "$repo/models/nuclei.onnx"
sleep 1.5   # task and diameter now show the model's own (an ensemble: depth and filters stay)
import -window "$(window "CNN-J Train Segmentation")" "$out/dialog-train-segmentation.png"
click "CNN-J Train Segmentation" 95 21   # Cancel
sleep 2
# The folder commands' dialogs (their options are also the command line's: ./cnnj segment|detect|train-det --help).
for item in "3 1 0 Segment Folder segment-folder" "1 1 0 Detect in Folder detect-folder" \
            "4 2 0 Train 3-D Segmentation train-segmentation-3d" "4 3 0 Train 3-D Segmentation on Image train-segmentation-3d-image" \
            "4 4 9 Train Detector on Image train-detector-image" "4 5 9 Train Detector on Folder train-detector"; do
  read -r sub pos extra rest <<<"$item"
  name=${rest% *}; file=${rest##* }
  menu "$sub" "$pos" "" "$extra"
  wait_for "CNN-J $name"
  sleep 1
  import -window "$(window "CNN-J $name")" "$out/dialog-$file.png"
  click "CNN-J $name" 95 21   # Cancel
  sleep 1
done
xdotool windowactivate --sync "$(window "^Recorder$")" 2>/dev/null || true
sleep 1
import -window "$(window "^Recorder$")" "$out/recorder.png"
pkill -f "ij.ImageJ -ijpath $home" || true
sleep 1
# Classification: Classify ROIs... on the plate (its dialog, then the result), and the Train Classifier... dialog.
imagej "$home/plate.ijm"
wait_for "^Recorder$"
xdotool windowmove "$(window "^ImageJ$")" 100 0
sleep 2
menu 0 1   # Classification › Classify ROIs...
wait_for "CNN-J Classify ROIs"
sleep 1
geometry "CNN-J Classify ROIs"
xdotool mousemove $((X + 470)) $((Y + 57)) click 1; sleep 0.5   # into the Classifier field
xdotool type --delay 20 "$repo/models/cells.onnx"
sleep 1
import -window "$(window "CNN-J Classify ROIs")" "$out/dialog-classify-rois.png"
click "CNN-J Classify ROIs" 38 21   # OK
wait_for "CNN-J Class Counts"
sleep 3
xdotool windowactivate --sync "$(window "^plate")" 2>/dev/null || true
sleep 1
import -window root "$home/classified.png"
convert "$home/classified.png" -crop 1920x860+0+0 +repage "$out/classify-rois.png"
menu 4 8   # Training › Train Classifier... (below two separators: Train Classifier on Image... is item 7)
wait_for "CNN-J Train Classifier"
sleep 1
import -window "$(window "CNN-J Train Classifier")" "$out/dialog-train-classifier.png"
click "CNN-J Train Classifier" 95 21   # Cancel
sleep 1
menu 4 7   # Training › Train Classifier on Image... (on the plate)
wait_for "CNN-J Train Classifier on Image"
sleep 1
import -window "$(window "CNN-J Train Classifier on Image")" "$out/dialog-train-classifier-image.png"
click "CNN-J Train Classifier on Image" 95 21   # Cancel
sleep 1
menu 0 0   # Classification › Classify Images...
wait_for "CNN-J Classify Images"
sleep 1
import -window "$(window "CNN-J Classify Images")" "$out/dialog-classify-images.png"
click "CNN-J Classify Images" 95 21   # Cancel
sleep 1
menu 2 2   # Models › Export Model... (formats: CNN-J files, bioimage.io package)
wait_for "CNN-J Export Model"
sleep 1
import -window "$(window "CNN-J Export Model")" "$out/dialog-export-model.png"
click "CNN-J Export Model" 95 21   # Cancel
sleep 1
pkill -f "ij.ImageJ -ijpath $home" || true
sleep 1
imagej "$home/plot.ijm"
for _ in $(seq 1 180); do [[ -f "$home/trained" ]] && break; sleep 1; done
sleep 1
xdotool windowactivate --sync "$(window "CNN-J training")"; sleep 1   # in front: a covered part would come out black
import -window "$(window "CNN-J training")" "$out/training-plot.png"
pkill -f "ij.ImageJ -ijpath $home" || true
grep -v "incubator" "$home/ij.log" || true
echo "wrote $out/menu.png, dialog-segment-image.png, dialog-detect-defaults.png, dialog-train-segmentation.png,"
echo "  dialog-segment-folder.png, dialog-detect-folder.png, dialog-train-segmentation-3d.png, dialog-train-detector-image.png, dialog-train-detector.png,"
echo "  recorder.png,"
echo "  training-plot.png, dialog-classify-rois.png, classify-rois.png, dialog-train-classifier.png,"
echo "  dialog-train-classifier-image.png, dialog-classify-images.png, dialog-export-model.png"
