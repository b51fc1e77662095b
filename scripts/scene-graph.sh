#!/usr/bin/env bash
# Prints the call graph between the application's object files (who uses a
# symbol whom defines: nm) and fails when it has a cycle, or when the loop
# (term_app.c) uses a symbol of a scene file other than the registry
# (docs/terminal.md "Scenes"). Arguments: object files, or ';'-separated
# lists of them (ctest passes $<TARGET_OBJECTS:...>).
set -euo pipefail
objs=()
for a in "$@"; do IFS=';' read -r -a part <<<"$a"; objs+=("${part[@]}"); done
name() { basename "$1" | sed 's/\.c\.o$//; s/\.o$//'; }
declare -A owner
for o in "${objs[@]}"; do
  [ -f "$o" ] || continue
  for s in $(nm --defined-only -g "$o" | awk '{print $3}'); do owner[$s]=$(name "$o"); done
done
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
status=0
for o in "${objs[@]}"; do
  [ -f "$o" ] || continue
  from=$(name "$o")
  declare -A used=()
  for s in $(nm -u "$o" | awk '{print $2}'); do
    to=${owner[$s]:-}
    [ -n "$to" ] && [ "$to" != "$from" ] && used[$to]+="$s "
  done
  for to in "${!used[@]}"; do
    echo "$from $to" >>"$edges"
    echo "$from -> $to: ${used[$to]}"
    if [ "$from" = term_app ] && [[ "$to" == scene_* ]] && [ "$to" != scene_table -o "${used[$to]}" != "app_scene_table " ]; then
      echo "the loop uses scene symbols by name: ${used[$to]}" >&2
      status=1
    fi
  done
  unset used
done
if ! tsort "$edges" >/dev/null 2>&1; then
  echo "the graph has a cycle:" >&2
  tsort "$edges" 2>&1 >/dev/null | sed 's/^/  /' >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "no cycle; the loop reaches the scenes only through app_scene_table"
exit "$status"
