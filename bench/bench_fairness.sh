#!/usr/bin/env bash
# See bench/actorbench.py (fairness). Tools from $ACTOR_BIN_DIR (default build/tools).
exec python3 "$(dirname "$0")/actorbench.py" fairness "$@"
