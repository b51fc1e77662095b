#!/usr/bin/env bash
# The matcher's tuning / held-out table (docs/matcher.md, "Tuning
# discipline"): all-pairs EER % per set for the six shared sets as they
# are, distorted by 24 and 36 px, and rendered dry and wet (skin seeds
# 1-4), with the tuning mean (FVC2002 DB1-DB4), the held-out mean (FVC2000
# DB1-DB2) and the FMR1000 means. With --synthetic, also the generator's
# hard sets (50 fingers x 8, seeds 1-3), generated once into the cache.
#
# usage: scripts/tuning-table.sh [--fpbench BIN] [--synthetic] [--cache DIR] [--fpsynth BIN]
#   --fpbench  the fpbench to measure (default build/release/bench/fpbench),
#              e.g. an experimental build's
#   --cache    where the synthetic sets are kept (default build/tuning-sets)
#   --fpsynth  the generator, for sets not in the cache yet (default: beside
#              fpbench's build, else build/release/datasets/fpsynth)
#
# Run from anywhere; paths are relative to the project root. About 1.5
# minutes for the real sets on this project's 2-core machine, plus about
# 8 minutes the first time the synthetic sets are generated.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fpbench="$root/build/release/bench/fpbench"
fpsynth=""
cache="$root/build/tuning-sets"
synthetic=0
while [ $# -gt 0 ]; do
  case "$1" in
    --fpbench) fpbench="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    --fpsynth) fpsynth="$2"; shift 2 ;;
    --synthetic) synthetic=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "tuning-table.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ ! -x "$fpbench" ]; then
  echo "tuning-table.sh: no fpbench at $fpbench: build first (README) or pass --fpbench" >&2
  exit 2
fi
data="$root/../shared/datasets"
sets=()
for s in FVC2002/DB1_B FVC2002/DB2_B FVC2002/DB3_B FVC2002/DB4_B FVC2000/DB1_B FVC2000/DB2_B; do
  if [ ! -d "$data/$s" ]; then
    echo "tuning-table.sh: $data/$s is missing: the table needs the six shared sets" >&2
    exit 2
  fi
  sets+=("$data/$s")
done

# One row: the six sets' all-pairs EER, then the means.
row() {
  local name="$1"; shift
  "$fpbench" accuracy "${sets[@]}" --protocol all-pairs "$@" 2>/dev/null | awk -v n="$name" -F'|' '
    BEGIN { k = 0 }
    $3 ~ /all-pairs/ && $4 + 0 > 0 { e[k] = $6 + 0; f[k] = $8 + 0; k++ }
    END {
      if (k != 6) { printf "%-6s measured %d of 6 sets\n", n, k; exit 1 }
      printf "%-6s %5.2f %5.2f %5.2f %5.2f | %5.2f %5.2f | %5.2f | %5.2f | %5.2f | %5.2f\n", n,
        e[0], e[1], e[2], e[3], e[4], e[5], (e[0] + e[1] + e[2] + e[3]) / 4, (e[4] + e[5]) / 2,
        (f[0] + f[1] + f[2] + f[3]) / 4, (f[4] + f[5]) / 2 }'
}

echo "all-pairs EER % (FVC2002 DB1-DB4 | FVC2000 DB1-DB2), tuning and held-out means, FMR1000 % means"
echo "row    02DB1 02DB2 02DB3 02DB4 | 00DB1 00DB2 |  tune |  held | FMR1000 tune, held"
row plain
row d24 --distort 24
row d36 --distort 36
for k in 1 2 3 4; do row "skin$k" --skin 1 --skin-seed "$k"; done

[ "$synthetic" = 1 ] || exit 0
# The generator is needed only for sets not in the cache yet.
if [ -z "$fpsynth" ]; then
  fpsynth="$(dirname "$fpbench")/../datasets/fpsynth"
  [ -x "$fpsynth" ] || fpsynth="$root/build/release/datasets/fpsynth"
fi
echo
echo "generator's hard sets, 50 fingers x 8 (held out for every choice): all-pairs EER % and FMR1000 %"
mkdir -p "$cache"
for seed in 1 2 3; do
  for kind in drywet distortion; do
    if [ "$kind" = drywet ]; then profile=optical-small; else profile=optical-large; fi
    dir="$cache/$kind-$seed"
    if [ ! -f "$dir/.complete" ]; then
      if [ ! -x "$fpsynth" ]; then
        echo "tuning-table.sh: $dir is not generated yet and there is no fpsynth at $fpsynth (--fpsynth)" >&2
        exit 2
      fi
      rm -rf "$dir"
      "$fpsynth" --out "$dir" --fingers 50 --impressions 8 --seed "$seed" --profile "$profile" \
        --difficulty "hard-$kind" > /dev/null
      touch "$dir/.complete"
    fi
    "$fpbench" accuracy "$dir" --protocol all-pairs 2>/dev/null | awk -v n="$kind-$seed" -F'|' '
      $3 ~ /all-pairs/ && $4 + 0 > 0 { printf "%-13s EER %5.2f  FMR1000 %5.2f\n", n, $6, $8 }'
  done
done
