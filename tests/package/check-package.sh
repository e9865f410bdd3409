#!/bin/bash
# check-package.sh [DEB | BUILD_DIR]: installs the Debian package DEB, or
# the one scripts/package.sh makes from BUILD_DIR (a configured, built tree:
# scripts/test.sh passes build/), or from a Release build of its own when
# given nothing; runs the installed tools, finds
# the man pages with man -w, verifies the systemd unit where
# systemd-analyze is available, then removes it: `dpkg -r` leaves only the
# conffile (Debian policy), `dpkg -P` leaves nothing. Needs root (dpkg -i);
# refuses to touch an actor package that was installed before it ran.
# Run by scripts/test.sh (ACTOR_SKIP_PACKAGE=1 skips it).
set -u
cd "$(dirname "$0")/../.."
status=0
fail() { echo "package: $*"; status=1; }

((EUID == 0)) || { echo "package: needs root (dpkg -i); skipped"; exit 77; }
if dpkg-query -W -f='${db:Status-Status}' actor 2>/dev/null | grep -qx installed; then
    echo "package: an actor package is already installed; not replacing it"
    exit 1
fi
deb=${1:-}
if [[ -z $deb || -d $deb ]]; then
    deb=$(scripts/package.sh ${deb:+"$deb"} | tail -1) || { echo "package: scripts/package.sh failed"; exit 1; }
fi
[[ -f $deb ]] || { echo "package: no such file: $deb"; exit 1; }

# The control fields.
fields=$(dpkg-deb -f "$deb" Package Version Depends)
grep -q '^Depends: .*libmosquitto1' <<<"$fields" || fail "Depends lacks libmosquitto1: $fields"
grep -q '^Depends: .*libsystemd0' <<<"$fields" || fail "Depends lacks libsystemd0: $fields"
[[ $(dpkg-deb -I "$deb" conffiles 2>/dev/null) == /etc/actor/actor.conf ]] || fail "conffiles is not /etc/actor/actor.conf"

dpkg -i "$deb" >/dev/null || { echo "package: dpkg -i failed"; exit 1; }
trap 'dpkg -P actor >/dev/null 2>&1' EXIT
for tool in actor-join actor-watch actor-run-if-leader; do
    out=$("/usr/bin/$tool" --version 2>&1) || fail "$tool --version: $out"
    [[ $out == "$tool "[0-9]* ]] || fail "$tool --version printed: $out"
    [[ $(man -w "$tool" 2>/dev/null) == "/usr/share/man/man1/$tool.1.gz" ]] ||
        fail "man -w $tool: $(man -w "$tool" 2>&1)"
    [[ -s /usr/share/bash-completion/completions/$tool ]] || fail "no bash completion for $tool"
    [[ -s /usr/share/fish/vendor_completions.d/$tool.fish ]] || fail "no fish completion for $tool"
done
[[ $(man -w 7 actor 2>/dev/null) == /usr/share/man/man7/actor.7.gz ]] || fail "man -w 7 actor: $(man -w 7 actor 2>&1)"
MANWIDTH=80 man 7 actor 2>/dev/null | grep -q "THE SERF MAPPING" || fail "man 7 actor does not render"
[[ -s /usr/share/zsh/vendor-completions/_actor ]] || fail "no zsh completion"
for f in /usr/share/doc/actor/copyright /usr/share/doc/actor/changelog.gz /etc/actor/actor.conf \
    /lib/systemd/system/actor-join@.service; do
    [[ -s $f ]] || fail "missing: $f"
done
# The shipped config file is one the tools accept (a bad option would exit 64).
out=$(actor-watch --config /etc/actor/actor.conf --print-timing actor/x 2>&1) ||
    fail "actor-watch --config /etc/actor/actor.conf: $out"
if command -v systemd-analyze >/dev/null; then
    # An instance of the template, offline (no running systemd needed).
    unit_dir=$(mktemp -d)
    cp /lib/systemd/system/actor-join@.service "$unit_dir/"
    ln -s actor-join@.service "$unit_dir/actor-join@actor-jobs.service"
    out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$unit_dir/actor-join@actor-jobs.service" 2>&1 |
        grep -v -e 'Cannot add dependency job' -e 'Failed to load' -e 'network-online.target') 
    [[ -z $out ]] || fail "systemd-analyze verify: $out"
    rm -rf "$unit_dir"
else
    echo "package: systemd-analyze not found: unit not verified"
fi

# dpkg -r: every file but the conffile goes; dpkg -P: that too.
mapfile -t files < <(dpkg -L actor | grep -v -x -e /etc/actor/actor.conf)
dpkg -r actor >/dev/null || fail "dpkg -r failed"
for f in "${files[@]}"; do
    [[ -d $f ]] && continue  # shared directories (/usr/bin, ...) stay
    [[ -e $f || -L $f ]] && fail "left after dpkg -r: $f"
done
[[ -e /usr/share/doc/actor ]] && fail "left after dpkg -r: /usr/share/doc/actor"
[[ -f /etc/actor/actor.conf ]] || fail "dpkg -r removed the conffile (it should stay until purge)"
dpkg -P actor >/dev/null || fail "dpkg -P failed"
trap - EXIT
[[ -e /etc/actor ]] && fail "left after dpkg -P: /etc/actor"
dpkg-query -W actor >/dev/null 2>&1 && fail "dpkg still knows the package after dpkg -P"

((status == 0)) && echo "ok: package $deb: installed, tools and man pages work, unit verified, removed and purged"
exit $status
