#!/usr/bin/env bash
# Writes the extractor's debug pictures (mask, orientation, frequency,
# enhanced, binary, skeleton, minutiae on the original) for the first image
# of every public set found in ../shared/datasets, into out/debug/<set>/.
set -euo pipefail
cd "$(dirname "$0")/.."
fp=${FP:-build/release/engine/tools/fp}
[ -x "$fp" ] || { echo "build first: bash scripts/bench.sh (or set FP=path/to/fp)" >&2; exit 1; }
for d in ../shared/datasets/FVC2002/DB1_B ../shared/datasets/FVC2002/DB2_B ../shared/datasets/FVC2002/DB3_B \
         ../shared/datasets/FVC2002/DB4_B ../shared/datasets/FVC2000/DB1_B ../shared/datasets/FVC2000/DB2_B; do
  [ -f "$d/101_1.tif" ] || continue
  dpi=500
  case "$d" in *FVC2002/DB2_B) dpi=569 ;; esac
  name=$(echo "$d" | sed 's|.*/datasets/||; s|/|_|g')
  mkdir -p "out/debug/$name"
  "$fp" extract "$d/101_1.tif" --dpi "$dpi" --debug "out/debug/$name" --json "out/debug/$name/minutiae.json"
done
