#!/usr/bin/env bash
# Makes src/site/resources/images/cnnj-fiji.png: plain ImageJ 1 with the built CNN-J_ jar in a real (Xvfb)
# window, "Detect in Image..." run on a test scene: overlay in class colours, ROI Manager, results table.
# Needs: mvn -B package, xvfb-run (apt-get install xvfb xauth).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/plugins"
cp target/lib/ij-*.jar "$home/ij.jar"
./cnnj install "$home" >/dev/null   # a plain ImageJ folder with CNN-J installed as a user installs it
cat > "$home/shot.ijm" <<MACRO
open("$repo/test-images/scenes/scene-1.tif");
id = getImageID();
run("Enhance Contrast", "saturated=0.35");
run("Detect in Image...", "model=[$repo/models/detector.onnx] score=0.5 nms=0.4 device=cpu");
list = getList("window.titles");
for (i = 0; i < list.length; i++) {
    if (list[i] == "CNN-J Detections") { selectWindow(list[i]); setLocation(560, 430); }
    else if (list[i] == "ROI Manager") { selectWindow(list[i]); setLocation(560, 110); }
    else if (list[i] == "Log") { selectWindow(list[i]); run("Close"); }
}
selectImage(id);
run("In [+]");
run("In [+]");
setLocation(0, 110);
wait(1500);
run("Capture Screen");
saveAs("PNG", "$repo/src/site/resources/images/cnnj-fiji.png");
run("Quit");
MACRO
timeout 120 xvfb-run -a -s "-screen 0 1100x740x24" java --add-modules jdk.incubator.vector -cp "$(ls target/lib/ij-*.jar)" ij.ImageJ \
  -ijpath "$home" -macro "$home/shot.ijm"
echo "wrote src/site/resources/images/cnnj-fiji.png"
