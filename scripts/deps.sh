#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build, test and demo actor.
# Run as root (or with sudo) on a fresh machine.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  libcli11-dev libboost-dev libmosquitto-dev nlohmann-json3-dev libmsgpack-cxx-dev
  libgtest-dev libgmock-dev
  mosquitto mosquitto-clients serf
  bats bats-assert bats-support jq
  scdoc man-db groff-base bash-completion zsh fish
  clang libclang-rt-14-dev
)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"
