#!/usr/bin/env python3
"""Raw Serf user events for the tests, over the agent's RPC (docs/SERF-RPC.md):
byte-exact payloads, which `serf event` (a command-line argument) cannot carry.

    serf-raw.py publish ADDR NAME FILE...     one event per FILE, its bytes as payload
    serf-raw.py capture ADDR NAME SECONDS     every user event NAME for SECONDS:
                                              its payload as one hex line on stdout
"""
import socket
import sys
import time

import msgpack  # Debian python3-msgpack


class Rpc:
    def __init__(self, addr):
        host, _, port = addr.rpartition(":")
        self.sock = socket.create_connection((host or "127.0.0.1", int(port)), timeout=5)
        self.unpacker = msgpack.Unpacker(raw=False)
        self.seq = 0
        self.call("handshake", {"Version": 1})

    def send(self, command, body):
        seq = self.seq
        self.seq += 1
        data = msgpack.packb({"Command": command, "Seq": seq}, use_bin_type=True)
        data += msgpack.packb(body, use_bin_type=True)
        self.sock.sendall(data)
        return seq

    def next(self, timeout):
        """The next msgpack object from the agent, or None after timeout s."""
        self.sock.settimeout(max(timeout, 0.001))
        while True:
            for obj in self.unpacker:
                return obj
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                raise SystemExit("serf-raw: the agent closed the connection")
            self.unpacker.feed(data)

    def ack(self, seq):
        header = self.next(5)
        if header is None or header.get("Seq") != seq:
            raise SystemExit(f"serf-raw: no answer to request {seq}: {header!r}")
        if header.get("Error"):
            raise SystemExit(f"serf-raw: {header['Error']}")

    def call(self, command, body):
        self.ack(self.send(command, body))


def publish(addr, name, files):
    rpc = Rpc(addr)
    for path in files:
        with open(path, "rb") as f:
            payload = f.read()
        rpc.call("event", {"Name": name, "Payload": payload, "Coalesce": False})


def capture(addr, name, seconds):
    rpc = Rpc(addr)
    rpc.call("stream", {"Type": f"user:{name}"})
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        header = rpc.next(left)
        if header is None:
            break
        record = rpc.next(5)
        if isinstance(record, dict) and record.get("Name") == name:
            print((record.get("Payload") or b"").hex(), flush=True)


def main(argv):
    if len(argv) >= 4 and argv[1] == "publish":
        publish(argv[2], argv[3], argv[4:])
    elif len(argv) == 5 and argv[1] == "capture":
        capture(argv[2], argv[3], float(argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
