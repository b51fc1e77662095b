#!/bin/sh
# Regenerates the reference screenshots of the terminal UI and the pictures
# of docs/ui.md:
#   tests/ui_ref/<name>.png      1x, the sample screens (terminal/ui/ui_samples.c);
#                                test_ui compares against these pixel for pixel
#   docs/img/ui/<name>.png       2x, the same screens for the documentation
#   docs/img/sim/<scenario>/     2x, m1-sim --headless runs of tests/ui_ref/scenarios/*.txt
#   docs/img/m1-sim-window.png   the simulator's SDL window under Xvfb (when xvfb-run is installed)
#   tests/ui_ref/comm_*.png      screens of the application with the sync engine (test_term_app_sync
#                                writes them with UI_REF_WRITE=1 and compares against them otherwise)
#
#   scripts/ui-review.sh [BUILD_DIR]
#
# Look at the changed PNGs before committing them (git status tests/ui_ref docs/img).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/ui-review}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j1 --target m1-ui-shots m1-sim
shots=$build/terminal/ui/m1-ui-shots
sim=$build/terminal/ui/m1-sim
# SDL and X leave a few allocations for the process exit to free; that is not ours to report
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

mkdir -p "$root/tests/ui_ref" "$root/docs/img/ui"
"$shots" "$root/tests/ui_ref" --scale 1
"$shots" "$root/docs/img/ui" --scale 2

for script in "$root"/tests/ui_ref/scenarios/*.txt; do
  name=$(basename "$script" .txt)
  out="$root/docs/img/sim/$name"
  rm -rf "$out"
  mkdir -p "$out"
  "$sim" --headless --script "$script" --shots "$out" --scale 2 >/dev/null
  rm -f "$out/final.png"
  echo "scenario $name: $(ls "$out" | wc -l) screens in $out"
done

if command -v xvfb-run >/dev/null 2>&1; then
  # the window after typing "ke" of key@M1, with the keypad beside the screen
  SDL_AUDIODRIVER=dummy xvfb-run -a -s "-screen 0 1024x768x24" "$sim" --sim-clock \
    --script "$root/tests/ui_ref/window_typing.txt" --screenshot "$root/docs/img/m1-sim-window.png"
else
  echo "xvfb-run not found: the window screenshot was not refreshed"
fi
# screens of the application against the test PUSH server (Connection Status with held records)
cmake --build "$build" -j1 --target test_term_app_sync
(cd "$build" && UI_REF_WRITE=1 ./tests/test_term_app_sync >/dev/null)
echo "references: $root/tests/ui_ref; docs pictures: $root/docs/img"
