#!/bin/bash
# check-cli-examples.sh CLI_MD MAN_SCD...: every command line of docs/CLI.md's
# "Examples that must work as written" appears verbatim in some man page,
# so the pages show exactly the commands the contract (and its tests) hold.
# Exit 77 (skipped) when docs/CLI.md is not there (a source tarball).
set -u
cli=$1
shift
[[ -r $cli ]] || { echo "skip: $cli not found"; exit 77; }
status=0
mapfile -t lines < <(awk '
    /^## Examples that must work as written/ { section = 1; next }
    section && /^## / { exit }
    section && /^```/ { fence = !fence; next }
    section && fence && !/^[[:space:]]*(#|$)/ { print }
' "$cli")
((${#lines[@]} > 0)) || { echo "no example lines found in $cli"; exit 1; }
for line in "${lines[@]}"; do
    if ! cat "$@" | grep -qxF -- "$line"; then
        echo "not in any man page: $line"
        status=1
    fi
done
((status == 0)) && echo "ok: ${#lines[@]} example lines of docs/CLI.md are in the man pages"
exit $status
