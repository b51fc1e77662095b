#!/bin/sh
# fpsearch as a user runs it: a gallery file split into two shards, one
# finger exported as a template, then `mpirun -np 2 fpsearch serve` answering
# identify / remove / put / count on standard input; and the benchmark
# `mpirun -np 2 fpbench search --mpi --verify` on a small gallery
# (docs/search.md).
# usage: test_fpsearch_cli.sh FPBENCH FPSEARCH MPIRUN WORKDIR
set -eu
fpbench=$1 fpsearch=$2 mpirun=$3 dir=$4
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
"$fpbench" search --sizes 300 --threads 1 --queries 1 --fpir-sizes none --exhaustive-max 0 \
  --gallery-file g.fpg >/dev/null
"$fpsearch" shard g.fpg --ranks 2 --out s >shard.txt
grep -q '^s.0.fpg: [0-9]* fingers' shard.txt && grep -q '^s.1.fpg: [0-9]* fingers' shard.txt
"$fpsearch" export g.fpg 7 0 t.fpt
if "$fpsearch" export g.fpg 7 9 x.fpt 2>err.txt; then echo "export of a missing finger succeeded"; exit 1; fi
grep -q 'no such item' err.txt
printf 'count\nidentify t.fpt 3\nremove 7 0\ncount\nidentify t.fpt 2\nput 7 0 t.fpt\nremove 7 0\nremove 7 0\nbogus\ncount\nquit\n' |
  "$mpirun" --oversubscribe -np 2 "$fpsearch" serve s >out.txt
cat out.txt
expect() { grep -q "$1" out.txt || { echo "missing: $1"; exit 1; }; }
expect '^count 300$'
expect '^1\. user 7 finger 0 score'
expect '^decision: accepted (score needed .* over 300 fingers)'
expect '^count 299$'
expect '^decision: rejected (score needed .* over 299 fingers)'
expect '^error: remove: no such item$'
expect '^error: unknown request'
# identify, remove, put (ok), remove, remove (missing): two "ok" lines after the first remove
[ "$(grep -c '^ok$' out.txt)" -eq 3 ] || { echo "expected 3 ok lines"; exit 1; }
expect '^count 299$'
# the shards were split for two ranks: three ranks refuse them
if "$mpirun" --oversubscribe -np 3 "$fpsearch" serve s </dev/null 2>err.txt; then echo "3 ranks accepted"; exit 1; fi
grep -q 'another rank' err.txt
# split again for three ranks, from the two shards (with the changes made above)
"$fpsearch" shard s.0.fpg s.1.fpg --ranks 3 --out t >shard3.txt
[ "$(ls t.*.fpg | wc -l)" -eq 3 ] && [ ! -e t.0.fpg.new ]
if "$fpsearch" shard s.0.fpg s.0.fpg --ranks 3 --out u 2>err.txt; then echo "a finger twice accepted"; exit 1; fi
grep -q 'also in an earlier file' err.txt
printf 'count\nidentify t.fpt 1\n' | "$mpirun" --oversubscribe -np 3 "$fpsearch" serve t >out3.txt
grep -q '^count 299$' out3.txt && grep -q '^decision: rejected' out3.txt
"$mpirun" --oversubscribe -np 2 "$fpbench" search --mpi --sizes 600 --queries 3 --shortlist 40 --verify \
  --verify-threads 1 >bench.txt
cat bench.txt
grep -q 'results identical for 3 of 3 queries' bench.txt
echo "fpsearch CLI: all checks passed"
