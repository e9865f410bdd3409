#!/bin/bash
# check-options.sh TOOL MAN_SCD BASH_COMPLETION ZSH_COMPLETION FISH_COMPLETION
#
# Docs must not drift from the code: every option that TOOL --help prints
# must be documented in its man page and completed by each shell's
# completion, and the bash completion must offer no option the tool lacks.
set -u
tool=$1 scd=$2 bash_comp=$3 zsh_comp=$4 fish_comp=$5
name=$(basename "$tool")
status=0
fail() { echo "$name: $*"; status=1; }

help=$("$tool" --help) || { echo "$name --help failed"; exit 1; }
# CLI11 lists options as "  -b,--broker TEXT ..." or "  --force-in ...";
# wrapped descriptions are indented further, so only lines with exactly two
# spaces before the dash are option lines.
mapfile -t opts < <(printf '%s\n' "$help" | grep -E '^  -' |
    sed -E 's/^  ([^ ]+).*/\1/' | tr ',' '\n' | grep -E '^-' | LC_ALL=C sort -u)
((${#opts[@]} > 10)) || fail "found only ${#opts[@]} options in --help; has its format changed?"

for opt in "${opts[@]}"; do
    # zsh specs spell options as '--x=[...', {-b+,--broker=}, '(- *)--version[...'.
    zsh_re="(^|[ '\"{,)])$opt([ =+[},]|\$)"
    # Man page: the option set in bold, as the OPTIONS section does.
    grep -qF -- "*$opt*" "$scd" || fail "$opt is not documented in $(basename "$scd")"
    if [[ $opt == --* ]]; then
        grep -qE -- "$zsh_re" "$zsh_comp" || fail "$opt is missing from the zsh completion"
        grep -qE -- "-l ${opt#--}( |$)" "$fish_comp" || fail "$opt is missing from the fish completion"
    else
        grep -qE -- "$zsh_re" "$zsh_comp" || fail "$opt is missing from the zsh completion"
        grep -qE -- "-s ${opt#-}( |$)" "$fish_comp" || fail "$opt is missing from the fish completion"
    fi
done

# bash: what `TOOL -<TAB>` offers must be exactly the tool's options (plus
# `--` before run-if-leader's command).
# shellcheck source=/dev/null
source "$bash_comp"
COMP_WORDS=("$name" -)
COMP_CWORD=1
COMPREPLY=()
_actor "$name" - "$name"
mapfile -t offered < <(printf '%s\n' "${COMPREPLY[@]}" | grep -vx -- '--' | LC_ALL=C sort -u)
missing=$(LC_ALL=C comm -23 <(printf '%s\n' "${opts[@]}") <(printf '%s\n' "${offered[@]}"))
extra=$(LC_ALL=C comm -13 <(printf '%s\n' "${opts[@]}") <(printf '%s\n' "${offered[@]}"))
[[ -z $missing ]] || fail "bash completion lacks:" $missing
[[ -z $extra ]] || fail "bash completion offers options the tool does not have:" $extra

((status == 0)) && echo "ok: $name: ${#opts[@]} options in its man page and completions"
exit $status
