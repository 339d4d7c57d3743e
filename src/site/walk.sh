#!/usr/bin/env bash
# The Fiji walk of #38 as a person does it, in plain ImageJ 1 under Xvfb + openbox with CNN-J installed by
# ./cnnj install: segment an image from the menu, detect blood cells in a colour photograph, train and press Esc,
# read Model Info, give a wrong model file, then replay the Recorder's line in -batch under a timeout.
# Writes src/site/resources/images/walk-*.png (the photograph's screen to target/) and prints the replay's outcome.
# Needs: mvn -B package, apt-get install xvfb xauth xdotool xclip imagemagick openbox; ../shared/data/bccd for the
# colour photograph (skipped without it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
out=src/site/resources/images
source src/site/imagej-under-xvfb.sh
imagej_home
start_display 79

# 1. Segment Image... from the menu with the Recorder on; the results open beside the image.
printf 'open("%s/test-images/nuclei-1.tif");\nrun("Record...");\n' "$repo" > "$home/segment.ijm"
imagej "$home/segment.ijm"
wait_for "^Recorder$"
xdotool windowmove "$(window "^ImageJ$")" 100 0
sleep 1
menu 3 0
wait_for "CNN-J Segment Image"
sleep 1
click "CNN-J Segment Image" 38 21   # OK
wait_for "CNN-J Results"
sleep 3
import -window root "$out/walk-1-segment.png"
# What the Recorder wrote, copied out of its window as a person would (click, Ctrl+A, Ctrl+C).
xdotool windowactivate --sync "$(window "^Recorder$")"; sleep 0.5
geometry "^Recorder$"
xdotool mousemove $((X + 60)) $((Y + 70)) click 1; sleep 0.5
xdotool key ctrl+Home; sleep 0.2; xdotool key ctrl+shift+End; sleep 0.3; xdotool key ctrl+c; sleep 0.5
recorded=$( (xclip -o -selection clipboard 2>/dev/null; xclip -o 2>/dev/null) | grep -m1 'run("Segment Image' || true)
echo "the Recorder wrote: ${recorded:-nothing}"
pkill -f "ij.ImageJ -ijpath $home" || true
sleep 1

# 2. Detect in Image... on a colour photograph with the built-in blood-cell detector (RGB as red, green, blue).
photo=../shared/data/bccd/val/BloodImage_00000.jpg
if [[ -f "$photo" ]]; then
  printf 'open("%s");\nrun("Detect in Image...", "model=[blood cells (built-in)]");\n' "$(realpath "$photo")" > "$home/detect.ijm"
  imagej "$home/detect.ijm"
  wait_for "CNN-J Detections"
  sleep 3
  import -window root target/walk-2-detect.png   # a BCCD photograph: looked at, not kept in the repository
  pkill -f "ij.ImageJ -ijpath $home" || true
  sleep 1
fi

# 3. Train Segmentation on Image... and Esc during the second epoch: the best model so far is kept.
cat > "$home/train.ijm" <<MACRO
open("$repo/test-images/nuclei-1.tif");
run("Segment Image...", "model=[nuclei (built-in)]");
selectImage("nuclei-1.tif");
run("Train Segmentation on Image...", "output=[$home/esc.onnx] epochs=20 steps=15 patch=96");
MACRO
imagej "$home/train.ijm"
wait_for "CNN-J training"
for _ in $(seq 1 120); do grep -q "epoch 2/" "$home/ij.log" 2>/dev/null && break; sleep 1; done
xdotool windowactivate --sync "$(window "nuclei-1.tif")" 2>/dev/null || true
xdotool key Escape   # stops the training (best model kept); ImageJ's Esc also ends the macro that started it
for _ in $(seq 1 120); do grep -q "stopped by Esc" "$home/ij.log" 2>/dev/null && break; sleep 1; done
sleep 2
import -window root "$out/walk-3-train-esc.png"
pkill -f "ij.ImageJ -ijpath $home" || true
sleep 1

# 4. Model Info... of the model the Esc kept, and 5. a wrong model file given to Segment Image... (the error names it).
echo "not a model" > "$home/notes.onnx"
cat > "$home/info.ijm" <<MACRO
run("Model Info...", "model=[$home/esc.onnx]");
open("$repo/test-images/nuclei-1.tif");
run("Segment Image...", "model=[$home/notes.onnx]");
MACRO
imagej "$home/info.ijm"
sleep 25
import -window root "$out/walk-4-info-and-error.png"
pkill -f "ij.ImageJ -ijpath $home" || true
sleep 1

# 6. The line the Recorder wrote for step 1, replayed in -batch: it must finish, not hang on a dialog.
line=${recorded:-'run("Segment Image...", "model=[nuclei (built-in)]");'}
printf 'open("%s/test-images/nuclei-1.tif");\n%s\nprint("replayed: " + roiManager("count") + " ROIs, " + nImages + " images");\n' "$repo" "$line" > "$home/replay.ijm"
if timeout 120 java --add-modules jdk.incubator.vector -Duser.home="$home" -cp "$(ls target/lib/ij-*.jar)" ij.ImageJ -ijpath "$home" -batch "$home/replay.ijm" > "$home/replay.log" 2>&1; then
  echo "replay in -batch: $(grep -v incubator "$home/replay.log" | tail -3 | tr '\n' ' ')"
else
  echo "replay in -batch FAILED or hung: $(tail -5 "$home/replay.log")"
fi
grep -iv "incubator" "$home/ij.log" | grep -i "cnn-j\|error" | tail -20 || true
echo "wrote $out/walk-1-segment.png, walk-3-train-esc.png, walk-4-info-and-error.png and target/walk-2-detect.png"
