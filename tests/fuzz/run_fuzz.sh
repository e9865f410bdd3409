#!/usr/bin/env bash
# run_fuzz.sh FUZZER WORKDIR SECONDS: seed a corpus from the wire vectors and
# run FUZZER for SECONDS (libFuzzer -max_total_time). Any crash, sanitizer
# report, leak, timeout or out-of-memory makes libFuzzer exit non-zero, and
# so fails the test; the crashing input is left in WORKDIR.
set -euo pipefail
fuzzer=$1 work=$2 secs=$3
here=$(cd "$(dirname "$0")" && pwd)
kind=decode
[[ $(basename "$fuzzer") == fuzz_control* ]] && kind=control
rm -rf "$work/seed"
mkdir -p "$work/seed" "$work/corpus"
"${PYTHON:-python3}" "$here/make_corpus.py" "$kind" "${ACTOR_WIRE_VECTORS:-$here/../data/wire-vectors.json}" "$work/seed"
cd "$work"   # crash-* / leak-* files land here
# Inputs that once failed (tests/fuzz/regressions/TARGET) are seeds too, and
# for fuzz_decode a ping sealed with its fixed key (sealed-ping: past the MAC).
regress="$here/regressions/$(basename "$fuzzer")"
[[ -d $regress ]] && cp "$regress"/* "$work/seed/"
exec "$fuzzer" -max_total_time="$secs" -rss_limit_mb=512 -timeout=10 -print_final_stats=1 \
    "$work/corpus" "$work/seed"
