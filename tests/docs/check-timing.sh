#!/bin/bash
# check-timing.sh ACTOR_WATCH MAN_DIR: every derived duration of
# actor/timing.hpp that names a man page (actor-watch --print-timing prints
# name, formula and page from timing_formulas) is stated with the same
# formula in that page. Spaces and scdoc's backslash escapes are ignored, so
# "cycle + 3\*gap" in a page matches "cycle + 3*gap" in the code; a formula
# may wrap across lines.
set -u
watch=$1 man_dir=$2
status=0
lines=$("$watch" --print-timing timing/check) || { echo "actor-watch --print-timing failed"; exit 1; }
n=0
while IFS=$'\t' read -r name formula page; do
    n=$((n + 1))
    [[ -n $page ]] || continue
    scd="$man_dir/$page.scd"
    [[ -f $scd ]] || { echo "$name: no man page $scd"; status=1; continue; }
    want=$(printf '%s' "$formula" | tr -d ' \\')
    if ! tr -d ' \t\n\\' <"$scd" | grep -qF -- "$want"; then
        echo "$name: $(basename "$scd") does not state $formula"
        status=1
    fi
done < <(jq -r '[.name, .formula, .man] | @tsv' <<<"$lines")
((n >= 10)) || { echo "only $n formulas from --print-timing"; status=1; }
exit $status
