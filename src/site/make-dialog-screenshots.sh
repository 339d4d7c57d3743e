#!/usr/bin/env bash
# GUI check of the ImageJ 1 dialogs as a person uses them: plain ImageJ 1 with the built CNN-J_ jar in a real
# (Xvfb) window, the Recorder on, Plugins › CNN-J › Segment Image... opened from a macro without options (so
# the dialog shows), a screenshot of it, OK pressed with xdotool, and a screenshot of the Recorder's line.
# Writes src/site/resources/images/dialog-segment-image.png, dialog-train-segmentation.png, recorder.png.
# Needs: mvn -B package, apt-get install xvfb xauth xdotool imagemagick.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
out=src/site/resources/images
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/plugins"
cp target/lib/ij-*.jar "$home/ij.jar"
./cnnj install "$home" >/dev/null   # a plain ImageJ folder with CNN-J installed as a user installs it
cat > "$home/gui.ijm" <<MACRO
open("$repo/test-images/nuclei-1.tif");
run("Record...");
MACRO
export DISPLAY=:77
Xvfb :77 -screen 0 1280x900x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$home"' EXIT
sleep 1
java --add-modules jdk.incubator.vector -Duser.home="$home" -cp "$(ls target/lib/ij-*.jar)" ij.ImageJ -ijpath "$home" -macro "$home/gui.ijm" \
  >"$home/ij.log" 2>&1 &
ij=$!
# Clicks a dialog's button at (dx, dy) from its lower right corner: there is no window manager to give keyboard focus.
click() {
  local wid; wid=$(xdotool search --name "$1" | head -1)
  eval "$(xdotool getwindowgeometry --shell "$wid")"
  xdotool mousemove $((X + WIDTH - $2)) $((Y + HEIGHT - $3)) click 1
}
wait_for() { for _ in $(seq 1 40); do xdotool search --name "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "no window '$1'" >&2; return 1; }
# As a person would: Plugins › CNN-J › item k of the submenu (0 = the first), clicked with the mouse; the Recorder
# records commands started from the menus (not those a macro runs). Positions follow ImageJ's own menu bar.
menu_item() {
  local wid; wid=$(xdotool search --name "^ImageJ$" | head -1)
  eval "$(xdotool getwindowgeometry --shell "$wid")"
  xdotool mousemove $((X + 320)) $((Y + 12)) click 1; sleep 1
  xdotool mousemove $((X + 305)) $((Y + 150)); sleep 0.3; xdotool mousemove $((X + 312)) $((Y + 156)) click 1; sleep 1
  xdotool mousemove $((X + 572)) $((Y + 158 + 19 * $1)) click 1
}
wait_for "^Recorder$"
sleep 1
menu_item 8   # Segment Image...
wait_for "CNN-J Segment Image"
sleep 1
import -window "$(xdotool search --name "CNN-J Segment Image" | head -1)" "$out/dialog-segment-image.png"
click "CNN-J Segment Image" 38 21   # OK
sleep 4
menu_item 0   # Train Segmentation...
wait_for "CNN-J Train Segmentation"
sleep 1
import -window "$(xdotool search --name "CNN-J Train Segmentation" | head -1)" "$out/dialog-train-segmentation.png"
click "CNN-J Train Segmentation" 95 21   # Cancel
sleep 2
wid=$(xdotool search --name "^Recorder$" | head -1)
xdotool windowraise "$wid" 2>/dev/null || true
sleep 1
import -window "$wid" "$out/recorder.png"
kill $ij 2>/dev/null || true
cat "$home/ij.log" | grep -v "incubator" || true
echo "wrote $out/dialog-segment-image.png, dialog-train-segmentation.png, recorder.png"
