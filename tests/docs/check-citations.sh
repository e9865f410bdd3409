#!/usr/bin/env bash
# check-citations.sh REPO: every document the code and tests cite as
# docs/NAME.md exists in the repository, and nothing cites the documents
# by their old place outside it (../shared).
set -euo pipefail
cd "$1"
status=0
while IFS= read -r doc; do
    [[ -f $doc ]] || { echo "cited but missing: $doc" >&2; status=1; }
done < <(git grep -ohE 'docs/[A-Z][A-Z0-9-]*\.md' -- ':!docs' ':!tests/docs/check-citations.sh' | sort -u)
if git grep -n '\.\./shared/' -- ':!docs' ':!tests/docs/check-citations.sh' >&2; then
    echo "cites ../shared: the documents live in docs/" >&2
    status=1
fi
((status == 0)) && echo "ok: every docs/ citation resolves"
exit "$status"
