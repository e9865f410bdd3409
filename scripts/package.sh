#!/usr/bin/env bash
# Builds the Debian package actor_<version>_<arch>.deb with CPack
# (packaging/CMakeLists.txt says why CPack) into dist/, then runs lintian on
# it: an error fails. Prints the package's path last.
# Usage: scripts/package.sh [BUILD_DIR]
#   without BUILD_DIR: a Release build of its own (ACTOR_PKG_BUILD_DIR,
#     default build-deb/) with Debian's build flags, no tests: the release.
#   BUILD_DIR: package that configured tree as built (scripts/test.sh
#     packages build/, which it has just tested: seconds, not a rebuild).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
# Reproducible: scdoc's page dates and gzip's headers follow the last commit.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH
tools=(actor-join actor-watch actor-run-if-leader)
if (($# > 0)); then
  build=$1
  [[ -f $build/CPackConfig.cmake ]] || { echo "scripts/package.sh: $build is not a configured build tree" >&2; exit 64; }
  cmake --build "$build" -j "${JOBS:-$(nproc)}" --target "${tools[@]}" actor_man actor_changelog >/dev/null
else
  build=${ACTOR_PKG_BUILD_DIR:-build-deb}
  # Debian's hardening flags, with immediate binding (lintian: hardening-no-bindnow).
  export DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS:-hardening=+bindnow}
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)" \
    -DCMAKE_EXE_LINKER_FLAGS="$(dpkg-buildflags --get LDFLAGS)" \
    -DACTOR_BUILD_TESTS=OFF -DACTOR_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build" -j "${JOBS:-$(nproc)}"
fi
rm -f "$build"/actor_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(cd "$build" && ls actor_*.deb)
mkdir -p dist
cp "$build/$deb" dist/
# As root lintian also says "running with root privileges is not recommended".
status=0
out=$(lintian --fail-on error --suppress-tags-from-file packaging/lintian-suppress "dist/$deb" 2>&1) || status=$?
grep -v 'running with root privileges' <<<"$out" >&2 || true
((status == 0)) || { echo "scripts/package.sh: lintian reports errors for dist/$deb" >&2; exit 1; }
echo "dist/$deb"
