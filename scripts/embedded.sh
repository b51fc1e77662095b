#!/usr/bin/env bash
# Firmware figures of the engine core (docs/embedded.md), for the armhf cross
# build (run under qemu-arm) and for x86-64, both FP_CORE_ONLY Release:
#   - code size (text / data / bss) of fpcore, fpsearch_core and term_logic;
#   - heap of a context, and per extraction / comparison / identification:
#     allocations, peak heap above the context, peak stack (bench/embedded/fpmem);
#   - memory of a 3,000-finger terminal gallery.
# Prints one markdown table. Images: an FVC set B folder (default
# ../shared/datasets/FVC2002/DB1_B, or FP_EMBEDDED_IMAGES). Build trees go to
# build/embedded-* (override the root with BUILD_ROOT).
set -euo pipefail
cd "$(dirname "$0")/.."
root=${BUILD_ROOT:-build}
jobs=${JOBS:-2}
images=${FP_EMBEDDED_IMAGES:-../shared/datasets/FVC2002/DB1_B}
targets=(fpcore fpsearch_core term_logic fpmem)
if [ ! -f "$images/101_1.tif" ]; then
  echo "embedded.sh: no FVC set B images in $images (set FP_EMBEDDED_IMAGES)" >&2
  exit 1
fi

declare -A fig
run_arch() { # name, build dir, size tool, runner..., extra cmake args after --
  local arch=$1 dir=$2 size=$3
  shift 3
  local runner=()
  while [ "$1" != "--" ]; do runner+=("$1"); shift; done
  shift
  cmake -S . -B "$dir" -DFP_CORE_ONLY=ON -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" --target "${targets[@]}" >/dev/null
  for lib in fpcore fpsearch_core term_logic; do
    local a
    a=$(find "$dir" -name "lib$lib.a" | head -1)
    read -r text data bss _ < <("$size" -t "$a" | tail -1)
    fig[$arch,$lib]="$text / $data / $bss"
  done
  while read -r name value _; do
    fig[$arch,$name]=$value
  done < <("${runner[@]}" "$dir/bench/embedded/fpmem" --images "$images" --context 400x400)
}

run_arch armhf "$root/embedded-arm" arm-linux-gnueabihf-size qemu-arm -L /usr/arm-linux-gnueabihf -- \
  -DCMAKE_TOOLCHAIN_FILE=cmake/arm-linux-gnueabihf.cmake
run_arch x86-64 "$root/embedded-x86" size env --

kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
both() { # label, figure, formatter
  row "$1" "$($3 "${fig[armhf,$2]}")" "$($3 "${fig[x86-64,$2]}")"
}
plain() { echo "$1"; }
per_finger() { awk -v b="$1" -v n="${fig[x86-64,gallery_fingers]}" 'BEGIN { printf "%.0f B", b / n }'; }
gallery() { echo "$(kb "$1") ($(per_finger "$1") per finger)"; }

echo
echo "Engine core, Release, FP_CORE_ONLY; images: $images (${fig[x86-64,extract_images]} extracted," \
     "${fig[x86-64,compare_pairs]} pairs compared)"
echo
row "" "armhf (ARMv7 + NEON, qemu-arm)" "x86-64"
row "---" "---:" "---:"
row "kernels" "${fig[armhf,simd_level]}" "${fig[x86-64,simd_level]}"
both "fpcore text / data / bss (bytes)" fpcore plain
both "fpsearch_core text / data / bss" fpsearch_core plain
both "term_logic text / data / bss" term_logic plain
both "context, default 1024 x 1024 frame (heap)" context_default_bytes kb
both "context, 400 x 400 frame (heap)" context_sensor_bytes kb
both "extraction: allocations per call" extract_allocs_max plain
both "extraction: peak heap above the context" extract_heap_peak_max kb
both "extraction: peak stack" extract_stack_max kb
both "comparison: allocations in all pairs" compare_allocs_total plain
both "comparison: peak heap above the context" compare_heap_peak_max plain
both "comparison: peak stack" compare_stack_max kb
both "gallery of ${fig[x86-64,gallery_fingers]} fingers (heap)" gallery_heap gallery
both "two-stage scratch for it" gallery_scratch kb
both "identification: allocations per call (after the first)" identify_allocs plain
both "identification: peak stack" identify_stack_max kb
