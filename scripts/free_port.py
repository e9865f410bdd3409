#!/usr/bin/env python3
"""A free loopback port for a test broker or agent, printed on stdout.

Taken from below the kernel's ephemeral range, never from bind(port 0): the
kernel hands ephemeral ports to every outgoing connection, so a port picked
that way can be some other client's source port by the time the broker binds
it. The C++ twin is tests/support/ports.hpp. `--udp`: free for UDP as well
(Serf's gossip port)."""
import random
import socket
import sys


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
        if 2048 < low <= 65535:
            return low
    except (OSError, ValueError, IndexError):
        pass
    return 32768


def _can_bind(kind, port):
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port(udp=False):
    high = _ephemeral_low()
    low = 10000 if high > 12000 else 1024
    for _ in range(1000):
        port = random.randrange(low, high)
        if _can_bind(socket.SOCK_STREAM, port) and (not udp or _can_bind(socket.SOCK_DGRAM, port)):
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


if __name__ == "__main__":
    print(free_port(udp="--udp" in sys.argv[1:]))
