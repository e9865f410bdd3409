#!/usr/bin/env bash
# Builds the Debian package dist/actor_<version>_<arch>.deb with CPack
# (packaging/CMakeLists.txt says why CPack) from a Release build of its own
# (Debian's build flags, prefix /usr, man pages gzipped, no tests), then runs
# lintian on it: an error fails. Prints the package's path last.
# Usage: scripts/package.sh        ACTOR_PKG_BUILD_DIR=DIR (default build-deb)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
build=${ACTOR_PKG_BUILD_DIR:-build-deb}
# Reproducible: scdoc's page dates and gzip's headers follow the last commit.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
# Debian's hardening flags, with immediate binding (lintian: hardening-no-bindnow).
export DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS:-hardening=+bindnow}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DCMAKE_CXX_FLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)" \
  -DCMAKE_EXE_LINKER_FLAGS="$(dpkg-buildflags --get LDFLAGS)" \
  -DACTOR_PACKAGE=ON -DACTOR_MAN_GZIP=ON -DACTOR_BUILD_TESTS=OFF -DACTOR_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "${JOBS:-$(nproc)}"
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(cd "$build" && ls -t actor_*.deb | head -1)
mkdir -p dist
cp "$build/$deb" dist/
lintian --fail-on error --suppress-tags-from-file packaging/lintian-suppress "dist/$deb" >&2
echo "dist/$deb"
