#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build, test, package and demo
# actor. Quick when nothing is missing (dpkg-query only, no apt-get); else
# apt-get installs what is, as root (or through sudo when not root).
# scripts/demo.sh and scripts/test.sh call it first.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  libcli11-dev libboost-dev libmosquitto-dev nlohmann-json3-dev libmsgpack-cxx-dev libssl-dev
  libsystemd-dev
  libgtest-dev libgmock-dev
  mosquitto mosquitto-clients serf
  bats bats-assert bats-support jq python3 python3-msgpack
  scdoc man-db groff-base bash-completion zsh fish
  clang libclang-rt-14-dev
  dpkg-dev file lintian systemd
)
missing=()
for p in "${packages[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) == installed ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "scripts/deps.sh: installing ${missing[*]}" >&2
sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "scripts/deps.sh: run as root to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
