#!/usr/bin/env bash
# GUI check of 3-D segmentation as a person does it: plain ImageJ 1 with CNN-J installed (./cnnj install) under Xvfb +
# openbox, the synthetic test stack open, Plugins › CNN-J › Segmentation › Segment Image… from the menu, the 3-D model's
# path typed into the Model field, OK; the label stack, the ROI Manager (one ROI per object per slice) and the 3-D
# results table and the turning 3-D view of the objects open. Then the same stack with the 2-D built-in model and "Link slices" ticked (2.5-D).
# Writes src/site/resources/images/segment-3d.png, segment-3d-turning.png, dialog-segment-image-3d.png and
# segment-3d-linked.png.
# Needs: mvn -B package, models/nuclei3d.onnx, apt-get install xvfb xauth xdotool imagemagick openbox.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
out=src/site/resources/images
source src/site/imagej-under-xvfb.sh
imagej_home
start_display 81
printf 'open("%s/test-images/stacks/nuclei3d-1.tif");\nrun("Set... ", "zoom=300");\nsetSlice(12);\nrun("Record...");\n' \
  "$repo" > "$home/stack.ijm"
imagej "$home/stack.ijm"
wait_for "^Recorder$"
xdotool windowmove "$(window "^ImageJ$")" 100 0
sleep 1
menu 3 0   # Segmentation › Segment Image...
wait_for "CNN-J Segment Image"
sleep 1
geometry "CNN-J Segment Image"
xdotool mousemove $((X + 570)) $((Y + 57)) click 1; sleep 0.5   # into the Model field
xdotool key ctrl+a; xdotool type --delay 20 "$repo/models/nuclei3d.onnx"
sleep 1
import -window "$(window "CNN-J Segment Image")" "$out/dialog-segment-image-3d.png"
click "CNN-J Segment Image" 38 21   # OK
wait_for "CNN-J 3-D Results"
wait_for "labels 3-D"
sleep 3
import -window root "$out/segment-3d.png"
# The objects seen from around: the turning view, stepped to 50 degrees (five frames on: the '>' key).
xdotool windowactivate --sync "$(window "labels 3-D")" 2>/dev/null || true
for k in 1 2 3 4 5; do xdotool key greater; sleep 0.3; done
for k in 1 2; do xdotool key plus; sleep 0.5; done   # zoomed in, as the stack is 96 px
sleep 1
import -window "$(window "labels 3-D")" "$out/segment-3d-turning.png"
pkill -f "ij.ImageJ -ijpath $home" || true
sleep 1
# 2.5-D: the built-in 2-D model, slices linked (macro, as the Recorder writes it)
printf 'open("%s/test-images/stacks/nuclei3d-1.tif");\nrun("Set... ", "zoom=300");\nrun("Segment Image...", "model=[nuclei (built-in)] diameter=14 link");\n' \
  "$repo" > "$home/linked.ijm"
imagej "$home/linked.ijm"
wait_for "CNN-J Results"
sleep 3
import -window root "$out/segment-3d-linked.png"
pkill -f "ij.ImageJ -ijpath $home" || true
grep -v "incubator" "$home/ij.log" || true
echo "wrote $out/dialog-segment-image-3d.png, segment-3d.png, segment-3d-turning.png, segment-3d-linked.png"
