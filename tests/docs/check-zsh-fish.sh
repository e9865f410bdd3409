#!/bin/bash
# check-zsh-fish.sh COMPLETIONS_DIR: the zsh and fish completions parse, zsh's
# compinit binds _actor to the three tools, and fish (which can complete a
# command line non-interactively with `complete -C`) completes a few lines.
# A shell that is not installed is skipped, not failed.
set -u
dir=$1
status=0
fail() { echo "$*"; status=1; }

if command -v zsh >/dev/null; then
    zsh -n "$dir/_actor" || fail "zsh: _actor does not parse"
    zdump=$(mktemp -d "${TMPDIR:-/tmp}/actor-zsh.XXXXXX")
    bound=$(ZDOTDIR=$zdump zsh -f -c "fpath=($dir \$fpath); autoload -U compinit; compinit -u -d $zdump/zcompdump;
        print -r -- \${_comps[actor-join]} \${_comps[actor-watch]} \${_comps[actor-run-if-leader]}")
    rm -rf "$zdump"
    [[ $bound == "_actor _actor _actor" ]] || fail "zsh: compinit binds: '$bound'"
else
    echo "skip: zsh not installed"
fi

if command -v fish >/dev/null; then
    fish -n "$dir/actor.fish" || fail "fish: actor.fish does not parse"
    # fish writes history and universal variables under HOME: keep them here.
    fish_home=$(mktemp -d "${TMPDIR:-/tmp}/actor-fish.XXXXXX")
    trap 'rm -rf "$fish_home"' EXIT
    # complete_line LINE EXPECTED: the candidates (without descriptions),
    # sorted and joined by spaces, must equal EXPECTED.
    complete_line() {
        local got
        got=$(HOME=$fish_home XDG_CONFIG_HOME=$fish_home XDG_DATA_HOME=$fish_home fish --no-config -c "source $dir/actor.fish; complete -C '$1'" |
            cut -f1 | LC_ALL=C sort | tr '\n' ' ')
        [[ ${got% } == "$2" ]] || fail "fish: '$1' -> '${got% }', expected '$2'"
    }
    complete_line "actor-join --form" "--format"
    complete_line "actor-join --format " "json text"
    complete_line "actor-watch --on" "--once"
    complete_line "actor-watch --ttl " "1.5s 10s 250ms 2m"
    complete_line "actor-join --passi" "--passive"
    complete_line "actor-watch --passi" ""
    complete_line "actor-run-if-leader --kill-on-" "--kill-on-detag --kill-on-untag"
    complete_line "actor-run-if-leader --cycle 10s actor/backup -- ech" "echo"
    complete_line "actor-run-if-leader --cycle 10s actor/backup ech" "echo"
else
    echo "skip: fish not installed"
fi

((status == 0)) && echo "ok: zsh and fish completions"
exit $status
