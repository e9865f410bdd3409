#!/usr/bin/env python3
"""keys-forge.py DIR: well-formed forgeries for tests/cli/keys.bats, one
payload per file in DIR: pings with a high value (from an outsider, and
in the name of a keyed node), a vers with a high version, an init in the
name of a keyed node (a name-twin attempt), and a ping with a made-up MAC.
A few lines of msgpack of our own: python3-msgpack is not a dependency."""
import os
import struct
import sys


def pack(v):
    if v is None:
        return b"\xc0"
    if v is True or v is False:
        return b"\xc3" if v else b"\xc2"
    if isinstance(v, int):
        if 0 <= v <= 0x7F:
            return bytes([v])
        return b"\xcf" + struct.pack(">Q", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        return bytes([0xA0 | len(b)]) + b
    if isinstance(v, bytes):
        return b"\xc4" + bytes([len(v)]) + v
    if isinstance(v, list):
        return bytes([0x90 | len(v)]) + b"".join(pack(e) for e in v)
    if isinstance(v, dict):
        return bytes([0x80 | len(v)]) + b"".join(pack(k) + pack(x) for k, x in v.items())
    raise TypeError(v)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    forged = {
        "ping-outsider": {"t": "ping", "node": "f", "value": 1000000, "history": ["f", "a"], "id": 1},
        "ping-as-a": {"t": "ping", "node": "a", "value": 1000000, "history": ["a", "b", "c"], "id": 2},
        "vers": {"t": "vers", "node": "f", "version": 99, "cycle": 7, "gap": 1, "nodes": 5,
                 "splits": 4, "n_hosts": 10, "force_in": False, "id": 1},
        "init-as-a": {"t": "init", "node": "a", "id": 3},
        "ping-fake-mac": {"t": "ping", "node": "f", "value": 1000000, "history": ["f", "b"], "id": 1,
                          "ts": 1, "seq": 1, "mac": bytes(32)},
    }
    for name, m in forged.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(pack(m))


if __name__ == "__main__":
    main()
