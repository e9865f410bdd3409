#!/bin/sh
# check-man.sh PAGE...: each built man page renders with man(1) at 80
# columns and through groff with all warnings, and neither says anything.
# Any warning (a bad macro, a line that cannot be broken) fails the test.
set -u
status=0
for page in "$@"; do
    if [ ! -s "$page" ]; then
        echo "missing or empty: $page"
        status=1
        continue
    fi
    # man's own warnings go to stderr; the rendered page is discarded.
    out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    if [ -n "$out" ]; then
        echo "man --warnings -l $page:"
        echo "$out"
        status=1
    fi
    out=$(groff -man -ww -z "$page" 2>&1)
    if [ -n "$out" ]; then
        echo "groff -man -ww -z $page:"
        echo "$out"
        status=1
    fi
    # The page must have rendered to something with the usual sections.
    text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
    for section in NAME DESCRIPTION "SEE ALSO"; do
        if ! printf '%s\n' "$text" | grep -qx "$section"; then
            echo "$page: no $section section"
            status=1
        fi
    done
done
[ $status -eq 0 ] && echo "ok: $# pages render without warnings"
exit $status
