#!/usr/bin/env bash
# The main job on a fresh Debian machine: installs the dependencies, builds
# (Release), generates the built-in synthetic data set and runs the accuracy
# benchmark on it, plus every public set found in ../shared/datasets.
# Results: out/accuracy.json, out/accuracy.md and PNG plots in out/plots/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"${JOBS:-2}"
mkdir -p out
synth=out/synthetic-optical
if [ ! -f "$synth/150_8.png" ]; then
  echo "== generating the built-in synthetic set (50 fingers x 8 impressions) =="
  build/release/datasets/fpsynth --out "$synth" --fingers 50 --impressions 8 --seed 1 --profile optical
fi
sets=("$synth")
for d in ../shared/datasets/FVC2002/DB1_B ../shared/datasets/FVC2002/DB2_B ../shared/datasets/FVC2002/DB3_B \
         ../shared/datasets/FVC2002/DB4_B ../shared/datasets/FVC2000/DB1_B ../shared/datasets/FVC2000/DB2_B; do
  [ -d "$d" ] && sets+=("$d")
done
build/release/bench/fpbench accuracy "${sets[@]}" --protocol both \
  --json out/accuracy.json --markdown out/accuracy.md --plots out/plots
