#!/usr/bin/env bash
# See bench/actorbench.py (interop): mixed groups with Python asyncactor nodes.
# Needs --asyncactor-src DIR or ASYNCACTOR_SRC (asyncactor is not packaged for
# Debian) and Debian's python3-anyio python3-outcome python3-attr python3-paho-mqtt.
exec python3 "$(dirname "$0")/actorbench.py" interop "$@"
