#!/bin/bash
# check-install.sh BUILD_DIR TOOL...: `cmake --install` into a fresh prefix,
# then the installed tools run --version and the man pages and completions
# sit where man(1), bash-completion, zsh and fish look for them.
set -u
build=$1
shift
prefix=$(mktemp -d "${TMPDIR:-/tmp}/actor-install.XXXXXX") || exit 1
trap 'rm -rf "$prefix"' EXIT
status=0
fail() { echo "$*"; status=1; }

if ! out=$(cmake --install "$build" --prefix "$prefix" 2>&1); then
    echo "$out"
    exit 1
fi

# GNUInstallDirs' defaults for a prefix outside /usr: bin, share/man, share.
for tool in "$@"; do
    bin=$prefix/bin/$tool
    if [[ ! -x $bin ]]; then
        fail "not installed: bin/$tool"
        continue
    fi
    version=$("$bin" --version 2>&1) || fail "$tool --version failed: $version"
    [[ $version == "$tool "[0-9]* ]] || fail "$tool --version printed: $version"
    [[ -s $prefix/share/bash-completion/completions/$tool ]] ||
        fail "missing: share/bash-completion/completions/$tool"
    [[ -s $prefix/share/fish/vendor_completions.d/$tool.fish ]] ||
        fail "missing: share/fish/vendor_completions.d/$tool.fish"
done
for page in man1/actor-join.1 man1/actor-watch.1 man1/actor-run-if-leader.1 man7/actor.7; do
    [[ -s $prefix/share/man/$page ]] || fail "missing: share/man/$page"
done
[[ -s $prefix/share/zsh/vendor-completions/_actor ]] || fail "missing: share/zsh/vendor-completions/_actor"

# The installed page is found by name through MANPATH, as a user would.
if [[ -s $prefix/share/man/man7/actor.7 ]]; then
    MANPATH=$prefix/share/man MANWIDTH=80 man 7 actor 2>/dev/null | grep -q "THE SERF MAPPING" ||
        fail "man 7 actor does not find the installed page"
fi
# The installed bash completion works when sourced under a tool's name.
(
    # shellcheck source=/dev/null
    source "$prefix/share/bash-completion/completions/actor-watch" &&
        COMP_WORDS=(actor-watch --on) COMP_CWORD=1 && _actor &&
        [[ ${COMPREPLY[*]} == --once ]]
) || fail "the installed bash completion does not complete actor-watch --on"

((status == 0)) && echo "ok: installed into $prefix: $* and the docs"
exit $status
