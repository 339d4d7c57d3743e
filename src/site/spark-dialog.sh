#!/usr/bin/env bash
# GUI check of Segment on Spark... in plain ImageJ 1 (no Spark, as in Fiji): the dialog opened from the menu, then
# the same command run by its macro line, which writes the lines that run the job outside ImageJ to the Log window.
# Writes src/site/resources/images/dialog-segment-on-spark.png and spark-log.png.
# Needs: mvn -B package, apt-get install xvfb xauth xdotool imagemagick openbox.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
out=src/site/resources/images
source src/site/imagej-under-xvfb.sh
imagej_home
start_display 81
printf 'run("Record...");\n' > "$home/open.ijm"
imagej "$home/open.ijm"
wait_for "^Recorder$"
xdotool windowmove "$(window "^ImageJ$")" 100 0
sleep 1
menu 3 2   # Segmentation › Segment on Spark...
wait_for "CNN-J Segment on Spark"
sleep 1
import -window "$(window "CNN-J Segment on Spark")" "$out/dialog-segment-on-spark.png"
click "CNN-J Segment on Spark" 95 21   # Cancel
sleep 1
pkill -f "ij.ImageJ -ijpath $home" || true
sleep 1
printf 'run("Segment on Spark...", "model=[nuclei (built-in)] input=[%s/test-images] output=[%s/out] master=local[*] diameter=auto block=2048");\n' \
  "$repo" "$home" > "$home/run.ijm"
imagej "$home/run.ijm"
wait_for "^Log$"
sleep 2
xdotool windowactivate --sync "$(window "^Log$")" 2>/dev/null || true
xdotool windowsize "$(window "^Log$")" 1500 260
sleep 1
import -window "$(window "^Log$")" "$out/spark-log.png"
pkill -f "ij.ImageJ -ijpath $home" || true
grep -v "incubator" "$home/ij.log" || true
echo "wrote $out/dialog-segment-on-spark.png, spark-log.png"
