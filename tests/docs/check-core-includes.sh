#!/usr/bin/env bash
# check-core-includes.sh LIBACTOR_DIR: the sans-IO core (include/actor,
# src/core, src/codec, src/sim) includes no IO library (Asio, libmosquitto,
# CLI11, msgpack-cxx, sockets) and no IO header of ours (io/include/actor).
# The include directories already keep our IO headers out of reach; this
# catches system libraries, which are on every include path.
set -euo pipefail
cd "$1"
io_headers=$(cd io/include/actor && ls *.hpp | sed 's/\./\\./g' | paste -sd'|')
pattern="#[[:space:]]*include[[:space:]]*[<\"]((boost/|mosquitto|CLI/|msgpack|sys/socket|netinet/|arpa/)|actor/(${io_headers})[\">])"
if grep -nE "$pattern" include/actor/*.hpp src/core/*.cpp src/codec/*.cpp src/sim/*.cpp; then
    echo "the core must not include IO code (see libactor/CMakeLists.txt)" >&2
    exit 1
fi
echo "ok: the core includes no IO library or header"
