#!/usr/bin/env bash
# GUI check of a detector with masks (Mask R-CNN) as a person uses it: plain ImageJ 1 with CNN-J installed under Xvfb +
# openbox, a nuclei image open, Plugins › CNN-J › Detection › Detect in Image… from the menu, the detector's path typed
# into the Detector field, "auto" into the object diameter, OK; the outlines (ROI Manager and overlay), the detections
# table with area, perimeter and circularity, and the label image open.
# Usage: src/site/detect-masks.sh DETECTOR.onnx IMAGE.tif
# Writes src/site/resources/images/dialog-detect-masks.png and detect-masks.png.
# Needs: mvn -B package, apt-get install xvfb xauth xdotool imagemagick openbox.
set -euo pipefail
model=$(realpath "$1"); image=$(realpath "$2")
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=src/site/resources/images
source src/site/imagej-under-xvfb.sh
imagej_home
start_display 83
printf 'open("%s");\nrun("Set... ", "zoom=200");\nrun("Record...");\n' "$image" > "$home/masks.ijm"
imagej "$home/masks.ijm"
wait_for "^Recorder$"
xdotool windowmove "$(window "^ImageJ$")" 100 0
sleep 1
menu 1 0   # Detection › Detect in Image...
wait_for "CNN-J Detect in Image"
sleep 1
geometry "CNN-J Detect in Image"
xdotool mousemove $((X + 570)) $((Y + 57)) click 1; sleep 0.5   # into the Detector field
xdotool key ctrl+a; xdotool type --delay 20 "$model"
sleep 1.5
xdotool mousemove $((X + 570)) $((Y + 111)) click 1; sleep 0.5   # into the Object diameter field
xdotool key ctrl+a; xdotool type --delay 20 "auto"
sleep 1
import -window "$(window "CNN-J Detect in Image")" "$out/dialog-detect-masks.png"
click "CNN-J Detect in Image" 38 21   # OK
wait_for "CNN-J Detections"
sleep 3
import -window root "$out/detect-masks.png"
pkill -f "ij.ImageJ -ijpath $home" || true
grep -v "incubator" "$home/ij.log" || true
echo "wrote $out/dialog-detect-masks.png, detect-masks.png"
