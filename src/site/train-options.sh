#!/usr/bin/env bash
# GUI check of Train Segmentation on Folder: a macro run with augment=objects validation=0 (the Log and the plot say
# "no validation"), then the dialog from the menu with its Imaging augmentation dropdown open (basic, objects,
# microscopes). Screenshots in $OUT (default /tmp/cnnj-gui): trained.png, menus.png, dialog-aug.png, choice.png.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=${OUT:-/tmp/cnnj-gui}; mkdir -p "$out"
source src/site/imagej-under-xvfb.sh
imagej_home
mkdir -p "$home/pairs"; cp test-images/nuclei-?.tif test-images/nuclei-?-labels.tif "$home/pairs/"
start_display 77
printf 'run("Train Segmentation on Folder...", "images=[%s/pairs] output=[%s/o.onnx] epochs=2 steps=2 patch=64 batch=2 depth=2 filters=8 augment=objects validation=0");\nFile.saveString("done", "%s/trained");\n' "$home" "$home" "$home" > "$home/m.ijm"
imagej "$home/m.ijm"
for _ in $(seq 1 120); do [[ -f "$home/trained" ]] && break; sleep 1; done
ls "$home"/o.onnx >/dev/null || { cat "$home/ij.log"; exit 1; }
import -window root "$out/trained.png"
# Training › Train Segmentation on Folder... (the Log window shifts ImageJ's menu by one item: 19 px more)
menu 4 1 "$out/menus.png" 19
wait_for "CNN-J Train Segmentation"; sleep 2
import -window "$(window "CNN-J Train Segmentation")" "$out/dialog-aug.png"
geometry "CNN-J Train Segmentation"
xdotool mousemove $((X + 545)) $((Y + 522)) click 1; sleep 1 # the Imaging augmentation dropdown
import -window root "$out/choice.png"
echo ok
