#!/usr/bin/env bash
# See bench/actorbench.py (failover). Tools from $ACTOR_BIN_DIR (default build/tools).
exec python3 "$(dirname "$0")/actorbench.py" failover "$@"
