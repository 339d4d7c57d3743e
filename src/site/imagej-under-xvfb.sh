# Sourced by make-dialog-screenshots.sh and walk.sh: a display (Xvfb + openbox) for plain ImageJ 1 with CNN-J
# installed in $home, and the moves a person makes in it. Call start_display N first; $home must be set.

# Display :N, 1920×1000, with a window manager (dialogs get the keyboard focus as on a desktop); removed on exit,
# and $home with it unless KEEP is set.
start_display() {
  export DISPLAY=":$1"
  Xvfb "$DISPLAY" -screen 0 1920x1000x24 >/dev/null 2>&1 &
  xvfb=$!
  trap 'kill $xvfb 2>/dev/null; [[ -n "${KEEP:-}" ]] || rm -rf "$home"' EXIT
  sleep 1
  openbox >/dev/null 2>&1 &
  sleep 1
}
# A fresh plain ImageJ folder ($home) with CNN-J installed by ./cnnj install, as a user installs it.
imagej_home() {
  home=$(mktemp -d)
  mkdir -p "$home/plugins"
  cp target/lib/ij-*.jar "$home/ij.jar"
  ./cnnj install "$home" >/dev/null
}
imagej() { java --add-modules jdk.incubator.vector -Duser.home="$home" -cp "$(ls target/lib/ij-*.jar)" ij.ImageJ -ijpath "$home" -macro "$1" >>"$home/ij.log" 2>&1 & }
window() { xdotool search --name "$1" | head -1; }
# X, Y, WIDTH, HEIGHT of a window's contents. Under openbox xdotool reports Y 20 px too low (its title bar's height).
geometry() { eval "$(xdotool getwindowgeometry --shell "$(window "$1")")"; Y=$((Y - 20)); }
wait_for() { for _ in $(seq 1 120); do xdotool search --name "$1" >/dev/null 2>&1 && return 0; sleep 1; done; echo "no window '$1'" >&2; return 1; }
# Clicks a dialog's button at (dx, dy) from its lower right corner.
click() {
  geometry "$1"
  xdotool mousemove $((X + WIDTH - $2)) $((Y + HEIGHT - $3)) click 1
}
# Opens Plugins › CNN-J › (submenu k) and clicks its item j; k as ImageJ lists the submenus: 0 Classification,
# 1 Detection, 2 Models, 3 Segmentation, 4 Training. Positions follow ImageJ's own menu bar; the Recorder records
# commands started here. $3: a screenshot of the open menus to take; $4: pixels more (a separator is half an item).
menu() {
  geometry "^ImageJ$"
  xdotool mousemove $((X + 320)) $((Y + 12)) click 1; sleep 1
  xdotool mousemove $((X + 305)) $((Y + 150)); sleep 0.3; xdotool mousemove $((X + 312)) $((Y + 156)) click 1; sleep 1
  xdotool mousemove $((X + 572)) $((Y + 158 + 19 * $1)) click 1; sleep 1
  [[ -n "${3:-}" ]] && import -window root "$3"
  # the screen is wide enough for all to open on the right
  xdotool mousemove $((X + 740)) $((Y + 160 + 19 * $1 + 19 * $2 + ${4:-0})) click 1
}
